//! The OpenAPI document says what the server does, for every operation alike:
//! the handlers' annotations give each operation's own answers, and this pass
//! adds the ones every operation shares, so none can be forgotten. Written
//! once here rather than on each of the ~45 handlers:
//!
//! - errors are RFC 9457 `application/problem+json` (the `Problem` schema);
//! - every operation but the public ones (`/healthz`, `/metrics`) needs a bearer
//!   token: 401 without a valid one, 403 when the caller's role may not;
//! - a request body may be malformed (400), too large (413), of another media
//!   type (415) or invalid (422); query parameters may be malformed (400); a
//!   path id may name nothing the caller can see (404).

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr};

/// Paths anyone may read without a token.
const PUBLIC: [&str; 2] = ["/healthz", "/metrics"];

const PROBLEM: &str = "application/problem+json";

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(PROBLEM, Content::new(Some(RefOr::Ref(Ref::from_schema_name("Problem")))))
            .build(),
    )
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses.responses.entry(status.to_string()).or_insert_with(|| problem(description));
}

/// Every error answer as problem+json, with the `Problem` schema.
fn errors_as_problems(op: &mut Operation) {
    for (status, r) in op.responses.responses.iter_mut() {
        if !status.starts_with('4') && !status.starts_with('5') {
            continue;
        }
        if let RefOr::T(resp) = r {
            let schema = resp.content.values().find_map(|c| c.schema.clone());
            resp.content.clear();
            let schema = schema.unwrap_or_else(|| RefOr::Ref(Ref::from_schema_name("Problem")));
            resp.content.insert(PROBLEM.to_string(), Content::new(Some(schema)));
        }
    }
}

fn complete(path: &str, writes: bool, op: &mut Operation) {
    if PUBLIC.contains(&path) {
        op.security = Some(vec![utoipa::openapi::security::SecurityRequirement::default()]);
    } else {
        add(op, "401", "no valid bearer token");
        add(op, "403", "the caller's role may not do this");
    }
    if writes && !PUBLIC.contains(&path) {
        add(op, "409", "it conflicts with what is stored (a name taken, a record still in use)");
    }
    if op.request_body.is_some() {
        add(op, "400", "the body is not JSON, or not of the expected shape");
        add(op, "413", "the body is larger than 256 KiB");
        add(op, "415", "the body is not application/json");
        add(op, "422", "a field is invalid; `field` and `errors` name each one");
    }
    let params = op.parameters.as_deref().unwrap_or_default();
    let (query, path_id) = (
        params.iter().any(|p| p.parameter_in == ParameterIn::Query),
        params.iter().any(|p| p.parameter_in == ParameterIn::Path),
    );
    if query {
        add(op, "400", "a query parameter is malformed; `field` names it");
    }
    if path_id {
        add(op, "404", "nothing with that id the caller may see");
        add(op, "400", "a path parameter is malformed");
    }
    errors_as_problems(op);
}

/// Completes every operation of `doc` (see the module documentation), and
/// makes operation ids unique (handlers of different resources share names
/// like `list`): a shared one gets its resource in front, `contacts_list`.
pub(crate) fn complete_all(doc: &mut OpenApi) {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for item in doc.paths.paths.values() {
        for op in [&item.get, &item.post, &item.put, &item.patch, &item.delete].into_iter().flatten() {
            *seen.entry(op.operation_id.clone().unwrap_or_default()).or_default() += 1;
        }
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        let resource = path.trim_start_matches("/api/v1/").split('/').next().unwrap_or("api").to_string();
        let ops = [(false, &mut item.get), (true, &mut item.post), (true, &mut item.put), (true, &mut item.patch)];
        for (writes, op) in ops.into_iter().chain([(true, &mut item.delete)]) {
            let Some(op) = op.as_mut() else { continue };
            complete(path, writes, op);
            if let Some(id) = op.operation_id.as_mut().filter(|id| seen.get(*id).is_some_and(|n| *n > 1)) {
                *id = format!("{resource}_{id}");
            }
        }
    }
}
