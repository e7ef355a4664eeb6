//! `POST /api/v1/tickets`: a new ticket through the API. The handler checks
//! the request (every field before any is refused) and who may set what, then
//! calls [`crate::workflow::open_ticket`], the intake every channel shares.

use super::customer_view::{ticket_out, TicketOut};
use super::tickets::{active_agent, requested_override, view, TicketView, MAX_EXTERNAL_ID_CHARS, MAX_IDEMPOTENCY_KEY};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Checks};
use crate::extract::ApiJsonBytes;
use crate::state::AppState;
use crate::workflow::{open_ticket, Arrival, NewRequest};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use triage_core::contact::Contact;
use triage_core::email::Email;
use triage_core::text::check_line;
use triage_core::ticket::{check_tags, validate_body, validate_subject, Channel, CustomFields, Idempotency, Status};
use triage_store::StoreError;
use utoipa::ToSchema;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketCreate {
    pub subject: String,
    pub body: String,
    /// Defaults to `api`.
    pub channel: Option<Channel>,
    /// The contact the ticket is for (staff only; customers open tickets as themselves).
    pub requester_id: Option<i64>,
    /// Alternative to `requester_id`.
    pub requester_email: Option<String>,
    pub category: Option<String>,
    pub impact: Option<String>,
    pub urgency: Option<String>,
    /// A level set by an agent, overriding the computed one (staff only).
    pub priority: Option<String>,
    /// Why the agent set `priority` (required with it).
    pub priority_reason: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: CustomFields,
    /// Staff only.
    pub assignee_id: Option<i64>,
    /// The ticket's id in another system (staff only).
    pub external_id: Option<String>,
}

impl TicketCreate {
    /// A request of only a subject and a body (the portal's form).
    pub(crate) fn from_text(subject: String, body: String) -> TicketCreate {
        TicketCreate { subject, body, ..Default::default() }
    }
}

/// What a customer may set on a new ticket (`[customers] may_set` in the
/// policy, and the custom fields declared for customers). Category, impact or
/// urgency they may not set become their suggestion, returned, for triage;
/// anything else they may not set is refused, naming the field.
fn customer_fields_only(
    s: &AppState,
    req: &mut TicketCreate,
    checks: &mut Checks,
) -> ApiResult<BTreeMap<String, String>> {
    let rules = &s.policy.customers;
    if !req.tags.is_empty() && !rules.may_set("tags") {
        checks.fail("tags", "customers cannot set tags");
    }
    for k in req.custom_fields.keys() {
        if !s.policy.custom_fields.iter().any(|d| &d.name == k && d.customer) {
            checks.fail(format!("custom_fields.{k}"), "customers cannot set this field");
        }
    }
    let mut suggested = BTreeMap::new();
    for (field, value) in [("category", &mut req.category), ("impact", &mut req.impact), ("urgency", &mut req.urgency)]
    {
        if value.is_some() && !rules.may_set(field) {
            let v = value.take().unwrap_or_default();
            let known = match field {
                "category" => s.policy.check_category(&v),
                "impact" => s.policy.check_impact(&v),
                _ => s.policy.check_urgency(&v),
            };
            if checks.take(known)?.is_some() {
                suggested.insert(field.to_string(), v);
            }
        }
    }
    Ok(suggested)
}

/// A body as its meaning: the same JSON written with other spacing or key
/// order is the same request (keys sorted, no spaces). Read only for requests
/// with an `Idempotency-Key`.
fn canonical(raw: &[u8]) -> Vec<u8> {
    serde_json::from_slice::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| serde_json::to_vec(&v).ok())
        .unwrap_or_else(|| raw.to_vec())
}

/// The `Idempotency-Key` of a request, scoped to its caller, with the
/// fingerprint of the body it came with.
fn idempotency(caller: &Caller, headers: &HeaderMap, raw: &[u8]) -> ApiResult<Option<Idempotency>> {
    let Some(v) = headers.get("idempotency-key") else { return Ok(None) };
    let key = v
        .to_str()
        .ok()
        .filter(|k| (1..=MAX_IDEMPOTENCY_KEY).contains(&k.len()) && k.bytes().all(|b| (b'!'..=b'~').contains(&b)));
    let key = key.ok_or_else(|| AppError::BadRequest {
        field: Some("Idempotency-Key".into()),
        detail: format!(
            "the Idempotency-Key header must be 1-{MAX_IDEMPOTENCY_KEY} visible ASCII characters, no spaces"
        ),
    })?;
    Ok(Some(Idempotency {
        scope: format!("{}:{}", caller.role, caller.user_id),
        key: key.to_string(),
        fingerprint: hex::encode(Sha256::digest(canonical(raw))),
    }))
}

/// Open a ticket.
///
/// With an `Idempotency-Key` header, a retried request returns the ticket the first
/// one created (200) instead of a duplicate (201 for the first).
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = TicketCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: same key, same ticket")),
    responses((status = 201, body = TicketOut), (status = 200, body = TicketOut, description = "replay of an earlier request with the same Idempotency-Key"),
        (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJsonBytes(req, raw): ApiJsonBytes<TicketCreate>,
) -> ApiResult<(StatusCode, Json<TicketOut>)> {
    let idempotency = idempotency(&caller, &headers, &raw)?;
    let mut new = checked(&s, &caller, req, Channel::Api).await?;
    new.idempotency = idempotency;
    let opened = open_ticket(&s, new, Arrival::Live).await?;
    let status = if opened.created { StatusCode::CREATED } else { StatusCode::OK };
    let v = TicketView { sla: opened.sla, expected_response: opened.expected, ..view(&s, &caller, opened.ticket) };
    Ok((status, Json(ticket_out(&s.policy, &caller, v))))
}

/// The request checked as a whole: every field, what the caller may set, the
/// requester and their plan's channels. One answer names every problem.
/// `via` is how it came in when the caller may not say (a customer: the API
/// or the portal).
pub(crate) async fn checked(
    s: &AppState,
    caller: &Caller,
    mut req: TicketCreate,
    via: Channel,
) -> ApiResult<NewRequest> {
    let mut checks = Checks::default();
    let subject = checks.take(validate_subject(&req.subject))?.unwrap_or_default();
    let body = checks.take(validate_body(&req.body))?.unwrap_or_default();
    let tags = checks.take(check_tags(&req.tags))?.unwrap_or_default();
    // How it came in: a token is the API. Staff may record another (a phone call).
    let channel = match (caller.is_staff(), req.channel) {
        (true, c) => c.unwrap_or(via),
        (false, Some(c)) => {
            checks.fail("channel", "set by how the request comes in; customers cannot choose it");
            c
        }
        (false, None) => via,
    };
    let suggested = if caller.is_staff() { BTreeMap::new() } else { customer_fields_only(s, &mut req, &mut checks)? };
    let requester = requester(s, caller, &req, &mut checks).await?;
    if let Some(c) = &req.category {
        checks.take(s.policy.check_category(c))?;
    }
    if let Some(i) = &req.impact {
        checks.take(s.policy.check_impact(i))?;
    }
    if let Some(u) = &req.urgency {
        checks.take(s.policy.check_urgency(u))?;
    }
    checks.all(s.policy.custom_field_errors(&req.custom_fields));
    if let Some(a) = req.assignee_id {
        checks.take(active_agent(s, "assignee_id", a).await)?;
    }
    if let Some(x) = &req.external_id {
        match check_line(x, MAX_EXTERNAL_ID_CHARS) {
            Ok(x) => req.external_id = Some(x.to_string()),
            Err(m) => checks.fail("external_id", m),
        }
    }
    if let (false, Some(r)) = (caller.is_staff(), &requester) {
        let customer = crate::prioritize::customer(s, r.organization_id).await?;
        if let Some(plan) = customer.plan.as_ref().filter(|p| !p.channels.contains(&channel)) {
            let why = format!("your `{}` plan does not include the {} channel", plan.name, channel.as_str());
            checks.fail("channel", why);
        }
    }
    let over = checks.take(requested_override(s, caller, req.priority.as_deref(), req.priority_reason.as_deref()))?;
    checks.finish()?;
    let (Some(requester), Some(over)) = (requester, over) else {
        return Err(AppError::Internal("a checked ticket lost its requester".into()));
    };
    Ok(NewRequest {
        subject,
        body,
        channel,
        requester,
        category: req.category,
        impact: req.impact,
        urgency: req.urgency,
        tags,
        custom_fields: req.custom_fields,
        over,
        assignee_id: req.assignee_id,
        external_id: req.external_id,
        suggested,
        idempotency: None,
        predictions: None,
        created_at: s.now(),
        status: Status::New,
        actor: caller.actor(),
    })
}

/// Who the ticket is for: staff name a contact (by id, else by e-mail);
/// customers open tickets as themselves and may not set staff fields.
async fn requester(
    s: &AppState,
    caller: &Caller,
    req: &TicketCreate,
    checks: &mut Checks,
) -> ApiResult<Option<Contact>> {
    if !caller.is_staff() {
        for (field, set) in [
            ("requester_id", req.requester_id.is_some_and(|id| id != caller.user_id)),
            ("requester_email", req.requester_email.is_some()),
            ("priority", req.priority.is_some()),
            ("assignee_id", req.assignee_id.is_some()),
            ("external_id", req.external_id.is_some()),
        ] {
            if set {
                checks.fail(field, "customers cannot set this field");
            }
        }
        return Ok(Some(s.contacts.by_id(&s.store, caller.user_id).await?));
    }
    // Both given: the id decides, and the address must still be one.
    if let (Some(_), Some(email)) = (req.requester_id, &req.requester_email) {
        if let Err(e) = Email::parse_exact(email) {
            checks.fail("requester_email", e.message);
        }
    }
    match (req.requester_id, &req.requester_email) {
        (Some(id), _) => checks.take(s.contacts.by_id(&s.store, id).await.map_err(|e| match e {
            StoreError::NotFound => AppError::refused("requester_id", format!("no contact has id {id}")),
            e => e.into(),
        })),
        (None, Some(email)) => match Email::parse_exact(email) {
            Err(e) => {
                checks.fail("requester_email", e.message);
                Ok(None)
            }
            Ok(email) => checks.take(s.contacts.by_email(&s.store, &email).await.map_err(|e| match e {
                StoreError::NotFound => AppError::refused(
                    "requester_email",
                    format!("no contact has e-mail {email}; create the contact first"),
                ),
                e => e.into(),
            })),
        },
        (None, None) => {
            checks.fail("requester_id", "say who the ticket is for: requester_id or requester_email");
            Ok(None)
        }
    }
}
