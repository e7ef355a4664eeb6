//! The JSON API under `/api/v1`: one module per resource, merged here together
//! with the OpenAPI document generated from the handlers' annotations.

mod agents;
mod contacts;
mod customer_view;
pub(crate) mod handoff;
mod me;
mod notifications;
mod openapi_doc;
pub(crate) mod openapi_rules;
mod organizations;
mod plans;
mod policy;
mod priority;
pub(crate) mod queue;
pub(crate) mod reports;
pub(crate) mod ticket_create;
mod ticket_sla;
mod ticket_thread;
pub(crate) mod tickets;
mod tokens;
mod triage;

use crate::error::{AppError, Problem};
use crate::state::AppState;
use axum::Router;
use serde::{Deserialize, Serialize};
use triage_store::PageRequest;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Triage API", description = "Priority support tickets: intake, prioritization, SLAs, routing, reports."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(Problem)),
    tags(
        (name = "tickets", description = "Tickets, their thread and event log"),
        (name = "customers", description = "Organizations and contacts"),
        (name = "staff", description = "Agents and API tokens"),
        (name = "catalog", description = "Support plans and the policy"),
        (name = "reports", description = "SLA attainment, response times, breaches and risks"),
        (name = "ops", description = "Health and metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;
impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes and the OpenAPI document describing them.
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(tickets::list, ticket_create::create))
        .routes(routes!(tickets::get_one, tickets::update))
        .routes(routes!(ticket_thread::transition))
        .routes(routes!(handoff::escalate))
        .routes(routes!(ticket_thread::list_comments, ticket_thread::add_comment))
        .routes(routes!(ticket_thread::events))
        .routes(routes!(ticket_sla::sla))
        .routes(routes!(priority::get_priority))
        .routes(routes!(queue::list))
        .routes(routes!(queue::next))
        .routes(routes!(organizations::list, organizations::create))
        .routes(routes!(organizations::get_one, organizations::update, organizations::delete))
        .routes(routes!(organizations::change_plan, organizations::plan_history))
        .routes(routes!(contacts::list, contacts::create))
        .routes(routes!(contacts::get_one, contacts::update, contacts::delete))
        .routes(routes!(contacts::erase))
        .routes(routes!(agents::list, agents::create))
        .routes(routes!(agents::get_one, agents::update, agents::delete))
        .routes(routes!(plans::list, plans::create))
        .routes(routes!(plans::get_one, plans::update, plans::delete))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(policy::get_policy))
        .routes(routes!(me::me))
        .routes(routes!(reports::sla))
        .routes(routes!(reports::routing))
        .routes(routes!(reports::predictions))
        .routes(routes!(triage::needs_triage))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(crate::ops::healthz))
        .routes(routes!(crate::ops::metrics))
        .split_for_parts();
    openapi_doc::complete_all(&mut doc);
    (router, doc)
}

/// Pagination parameters shared by every list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// A page of items; pass `next_cursor` back as `cursor` for the next page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListEnvelope<T: ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

pub fn page_request(cursor: &Option<String>, limit: Option<i64>) -> Result<PageRequest, AppError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::BadRequest {
            field: Some("limit".into()),
            detail: format!("limit must be between 1 and {MAX_PAGE}"),
        });
    }
    let after = cursor.as_deref().map(decode_cursor).transpose()?;
    Ok(PageRequest { after, limit })
}

/// A cursor is the position after which the next page starts: every list
/// pages by id, so the last id is all it needs. Any such number is a valid
/// cursor (the page after it may be empty), which the API description can
/// say exactly (`CURSOR_PATTERN`).
pub fn encode_cursor(id: i64) -> String {
    id.to_string()
}

pub(crate) const CURSOR_PATTERN: &str = "^[0-9]{1,18}$";

fn decode_cursor(c: &str) -> Result<i64, AppError> {
    let c = triage_core::text::without_final_newline(c);
    let ok = (1..=18).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit());
    c.parse().ok().filter(|_| ok).ok_or_else(|| AppError::BadRequest {
        field: Some("cursor".into()),
        detail: "a cursor is the `next_cursor` of a previous page (digits)".into(),
    })
}

/// An id in a query value: an optional minus and up to 18 digits
/// ([`ID_PATTERN`]), without the final newline a pattern allows.
pub(crate) fn parse_id(s: &str) -> Option<i64> {
    let s = triage_core::text::without_final_newline(s);
    let digits = s.strip_prefix('-').unwrap_or(s);
    let ok = (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    s.parse().ok().filter(|_| ok)
}

pub(crate) const ID_PATTERN: &str = "-?[0-9]{1,18}";

/// Instants the API takes are written in the years 1970 to 9999 (a plan
/// change dated year 1 or 99999 is a typo, not a plan): the year as written,
/// so the rule (`extract::opt_instant`) and this pattern agree exactly,
/// whatever the offset.
pub(crate) const YEAR_PATTERN: &str = "^(19[7-9][0-9]|[2-9][0-9]{3})-";

pub fn envelope<T: ToSchema, U>(page: triage_store::Page<U>, map: impl FnMut(U) -> T) -> ListEnvelope<T> {
    ListEnvelope { items: page.items.into_iter().map(map).collect(), next_cursor: page.next.map(encode_cursor) }
}

/// A page of a short list read whole (a ticket's comments or events, the
/// tokens, the plans), in the list's own order: the items after the one whose
/// id is the cursor (none, for an id the list no longer holds), at most
/// `limit`, with the cursor for the rest.
pub fn page_of_list<T: ToSchema>(items: Vec<T>, id: impl Fn(&T) -> i64, page: &PageRequest) -> ListEnvelope<T> {
    let start = match page.after {
        None => 0,
        Some(after) => items.iter().position(|x| id(x) == after).map_or(items.len(), |i| i + 1),
    };
    let limit = page.limit as usize;
    let rest: Vec<T> = items.into_iter().skip(start).collect();
    let more = rest.len() > limit;
    let items: Vec<T> = rest.into_iter().take(limit).collect();
    let next_cursor = more.then(|| items.last().map(|x| encode_cursor(id(x)))).flatten();
    ListEnvelope { items, next_cursor }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn cursors_round_trip_and_garbage_is_rejected() {
        assert_eq!(decode_cursor(&encode_cursor(42)).unwrap(), 42);
        assert!(decode_cursor("nope!").is_err());
        assert!(page_request(&None, Some(0)).is_err());
        assert_eq!(page_request(&None, None).unwrap().limit, 50);
    }
}
