//! Tickets: create (idempotent), read, list with filters, update.

use super::customer_view::{ticket_out, TicketOut};
use super::{envelope, page_request, ListEnvelope};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Checks};
use crate::extract::{double_option, ApiJson, ApiPath, ApiQuery};
use crate::prioritize;
use crate::state::AppState;
use crate::workflow::Change;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use triage_core::agent::Tier;
use triage_core::priority::{restate, Override};
use triage_core::text::{check_length, is_blank, without_final_newline};
use triage_core::ticket::{check_tags, validate_body, validate_subject, Status, Ticket, TicketPatch};
use triage_store::{StoreError, TicketFilter};
use utoipa::ToSchema;

/// A ticket as the API shows it: the stored ticket and the guideline of its level.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    #[serde(flatten)]
    pub ticket: Ticket,
    /// The written guideline of the ticket's priority level.
    pub priority_guideline: Option<String>,
    /// SLA clocks now (on `GET /api/v1/tickets/{id}`): first response, next reply,
    /// resolution and, where set, periodic update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla: Option<triage_core::sla::TicketSla>,
    /// In a queue: the score now (waiting time and nearing SLA targets included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// In a queue: the level that score gives now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// On creation: when the customer can expect the first response, by the SLA
    /// and by the current queue and the team's pace, in plain words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_response: Option<crate::sla::forecast::ExpectedResponse>,
    /// Staff, on `GET /tickets/{id}` and `POST /queue/next`: the latest hand-off
    /// note (escalation or de-escalation), for the receiving side to read first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handoff: Option<triage_core::ticket::Handoff>,
    /// Staff, on `GET /tickets/{id}`: the customer's tone, message by message,
    /// its trend, follow-ups without an answer and escalation signals, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<triage_core::sentiment::ThreadTone>,
    /// On `POST /tickets/{id}/escalate`: where the hand-off landed (`as_asked`,
    /// `nearest_tier` or `stayed`, with why), as its event records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landing: Option<triage_core::routing::Landing>,
}

pub(crate) fn view(s: &AppState, caller: &Caller, mut ticket: Ticket) -> TicketView {
    let priority_guideline = ticket.level().and_then(|p| s.policy.level(p)).map(|l| l.guideline.clone());
    restate_now(s, &mut ticket);
    if !caller.is_staff() {
        // A priority and how it was computed are internal (they name segments
        // and weights); customers read the allow-listed view built from this.
        ticket.priority = None;
        ticket.predictions.clear();
    }
    TicketView {
        ticket,
        priority_guideline,
        sla: None,
        score: None,
        level: None,
        expected_response: None,
        handoff: None,
        sentiment: None,
        landing: None,
    }
}

/// An unsolved ticket's score and explanation as of now (waiting time, SLA time
/// left and surge mode move the score, never the level), so a ticket, its
/// priority and the queue show the same numbers at the same instant.
pub(crate) fn restate_now(s: &AppState, t: &mut Ticket) {
    if matches!(t.status, Status::Solved | Status::Closed) {
        return;
    }
    let (created, due, now, surge) = (t.created_at, t.sla_due_at, s.now(), s.surge());
    // (A level recorded without its reasons, e.g. imported, keeps its score.)
    if let Some(p) = t.priority.as_mut().filter(|p| !p.explanation.contributions.is_empty()) {
        let restated = restate(&s.policy, &p.explanation, created, due, now, surge);
        p.score = restated.score();
        p.explanation = restated;
    }
}

/// Loads a ticket the caller may see; anything else is a 404 that leaks nothing.
pub(crate) async fn load_visible(s: &AppState, caller: &Caller, id: i64) -> ApiResult<Ticket> {
    let t = s.store.get_ticket(id).await?;
    if caller.organization_id.is_some_and(|org| org != t.organization_id) {
        return Err(AppError::NotFound);
    }
    Ok(t)
}

/// An agent a ticket can be given to: one that exists and is active.
pub(crate) async fn active_agent(s: &AppState, field: &str, id: i64) -> ApiResult<()> {
    match s.store.get_agent(id).await {
        Ok(agent) if agent.active => Ok(()),
        Ok(_) => Err(AppError::refused(field, format!("agent {id} is not active"))),
        Err(StoreError::NotFound) => Err(AppError::refused(field, format!("no agent has id {id}"))),
        Err(e) => Err(e.into()),
    }
}

/// An agent's override from a request: a known level and a reason.
pub(crate) fn requested_override(
    s: &AppState,
    caller: &Caller,
    level: Option<&str>,
    reason: Option<&str>,
) -> ApiResult<Option<Override>> {
    let Some(level) = level else { return Ok(None) };
    let mut checks = Checks::default();
    checks.take(s.policy.check_level(level))?;
    let reason = reason.filter(|r| !is_blank(r));
    match reason {
        None => checks.fail("priority_reason", "say why you set the priority by hand (it is shown with the priority)"),
        Some(r) => {
            if let Err(m) = check_length(r, MAX_REASON_CHARS) {
                checks.fail("priority_reason", m);
            }
        }
    }
    checks.finish()?;
    let reason = reason.unwrap_or_default().trim();
    Ok(Some(Override { level: level.into(), by: caller.actor().to_string(), reason: reason.into() }))
}

pub(crate) const MAX_IDEMPOTENCY_KEY: usize = 255;
/// An `Idempotency-Key` as the API description publishes it: visible ASCII.
pub(crate) const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~]{1,255}$";
/// The longest reason (for an override, a change, a transition).
pub(crate) const MAX_REASON_CHARS: usize = 1_000;
/// The longest id from another system.
pub(crate) const MAX_EXTERNAL_ID_CHARS: usize = 200;
/// The longest `text` search.
pub(crate) const MAX_SEARCH_CHARS: usize = 200;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TicketListParams {
    /// Comma-separated statuses, any of them: `new,open`.
    pub status: Option<String>,
    /// Comma-separated levels, any of them: `P1,P2`.
    pub priority: Option<String>,
    /// Agent id, `me`, or `none` for unassigned tickets.
    pub assignee: Option<String>,
    /// Organization id.
    pub organization: Option<i64>,
    /// Comma-separated categories, any of them: `cards,cash`.
    pub category: Option<String>,
    /// Comma-separated tags, any of them.
    pub tag: Option<String>,
    /// Words that must appear in the subject or body (case-insensitive).
    pub text: Option<String>,
    pub cursor: Option<String>,
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// List tickets, newest first, with filters and cursor pagination.
///
/// Customers see their own organization's tickets only.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", params(TicketListParams),
    responses((status = 200, body = ListEnvelope<TicketOut>), (status = 400, body = crate::error::Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TicketListParams>,
) -> ApiResult<Json<ListEnvelope<TicketOut>>> {
    let page = page_request(&q.cursor, q.limit)?;
    let Some(filter) = list_filter(&s, &caller, q)? else {
        // Another organization's tickets: none, as if it had none.
        return Ok(Json(ListEnvelope { items: vec![], next_cursor: None }));
    };
    let found = s.store.list_tickets(&filter, page).await?;
    Ok(Json(envelope(found, |t| ticket_out(&s.policy, &caller, view(&s, &caller, t)))))
}

/// The filter a ticket list asks for, every value checked (`None`: a customer
/// asked for another organization's tickets).
fn list_filter(s: &AppState, caller: &Caller, q: TicketListParams) -> ApiResult<Option<TicketFilter>> {
    let bad = |field: &str, detail: String| AppError::BadRequest { field: Some(field.into()), detail };
    // Filters by what customers may not read would tell it them by elimination.
    if !caller.is_staff() {
        for (field, set) in
            [("priority", q.priority.is_some()), ("assignee", q.assignee.is_some()), ("tag", q.tag.is_some())]
        {
            if set {
                return Err(AppError::Forbidden(format!("customers cannot filter by {field}")));
            }
        }
    }
    // Comma lists (`P1,P2`): each value is checked; no empty ones.
    let statuses = comma_list(&q.status);
    empty_item("status", &statuses)?;
    let statuses =
        statuses.iter().map(|x| x.parse::<Status>().map_err(|e| bad("status", e))).collect::<Result<_, _>>()?;
    let assignee_id = match q.assignee.as_deref().map(without_final_newline) {
        None => None,
        Some("none") => Some(None),
        Some("me") if caller.is_staff() => Some(Some(caller.user_id)),
        Some(x) => {
            Some(Some(super::parse_id(x).ok_or_else(|| bad("assignee", "use an agent id, `me` or `none`".into()))?))
        }
    };
    let organization_id = match caller.organization_id {
        Some(own) if q.organization.is_some_and(|o| o != own) => return Ok(None),
        Some(own) => Some(own),
        None => q.organization,
    };
    let (priorities, categories) = (comma_list(&q.priority), comma_list(&q.category));
    empty_item("priority", &priorities)?;
    empty_item("category", &categories)?;
    for p in &priorities {
        s.policy.check_level(p).map_err(|e| bad("priority", e.message))?;
    }
    for c in &categories {
        s.policy.check_category(c).map_err(|e| bad("category", e.message))?;
    }
    let tags = match &q.tag {
        None => vec![],
        Some(_) => {
            let items = comma_list(&q.tag);
            let bad_tag = || bad("tag", "tags are 1-50 of A-Z, a-z, 0-9, `_`, `-`, `:` or `.`, comma-separated".into());
            if items.iter().any(|t| t.contains('\n')) {
                return Err(bad_tag());
            }
            check_tags(&items).map_err(|_| bad_tag())?
        }
    };
    if let Some(t) = &q.text {
        check_length(t, MAX_SEARCH_CHARS).map_err(|m| bad("text", m))?;
    }
    Ok(Some(TicketFilter {
        statuses,
        priorities,
        assignee_id,
        organization_id,
        requester_id: None,
        categories,
        tags,
        text: q.text.filter(|t| !t.trim().is_empty()),
    }))
}

/// The values of a comma-list filter (`P1,P2`), without the final newline a
/// pattern allows. Present means at least one value: `priority=` is `[""]`,
/// which every check refuses (see [`empty_item`]).
fn comma_list(v: &Option<String>) -> Vec<String> {
    v.as_deref().map_or(vec![], |l| without_final_newline(l).split(',').map(String::from).collect())
}

/// The 400 for an empty value in a comma list (`priority=` or `P1,`).
fn empty_item(field: &str, list: &[String]) -> Result<(), AppError> {
    if list.iter().any(String::is_empty) {
        return Err(AppError::BadRequest {
            field: Some(field.into()),
            detail: format!(
                "`{field}` has an empty value; leave the parameter out, or list values separated by commas"
            ),
        });
    }
    Ok(())
}

/// One ticket.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = TicketOut), (status = 404, body = crate::error::Problem)))]
pub async fn get_one(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TicketOut>> {
    let t = load_visible(&s, &caller, id).await?;
    let sla = crate::sla::of(&s, &t).await?;
    let (handoff, sentiment) = if caller.is_staff() {
        (
            super::handoff::latest_handoff(&s.store.list_events(id).await?),
            Some(triage_core::sentiment::thread_tone(&prioritize::customer_words(&s, &t).await?)),
        )
    } else {
        (None, None)
    };
    Ok(Json(ticket_out(&s.policy, &caller, TicketView { sla, handoff, sentiment, ..view(&s, &caller, t) })))
}

/// Fields to change; absent fields stay, `null` clears.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketUpdate {
    pub subject: Option<String>,
    pub body: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub impact: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub urgency: Option<Option<String>>,
    /// Override the computed level (with `priority_reason`); `null` returns to the computed level.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub priority: Option<Option<String>>,
    pub priority_reason: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub team: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Tier>)]
    pub tier: Option<Option<Tier>>,
    pub tags: Option<Vec<String>>,
    /// Merged into the ticket's custom fields; a `null` value removes that field.
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<BTreeMap<String, serde_json::Value>>,
    /// A status transition (see `POST /tickets/{id}/transition`).
    pub status: Option<Status>,
    /// Why: recorded in the event log.
    pub reason: Option<String>,
}

/// Change a ticket's fields (staff only). Every change lands in the event log.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", tag = "tickets", params(("id" = i64, Path)), request_body = TicketUpdate,
    responses((status = 200, body = TicketView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<TicketUpdate>,
) -> ApiResult<Json<TicketView>> {
    let current = load_visible(&s, &caller, id).await?;
    caller.require_staff()?;
    if current.status == Status::Closed {
        return Err(AppError::refused("id", "the ticket is closed and final; open a new ticket to follow up"));
    }
    let change = checked_update(&s, &caller, &current, req).await?;
    let t = crate::workflow::update_ticket(&s, caller.actor(), &current, change).await?;
    Ok(Json(view(&s, &caller, t)))
}

/// An update request checked field by field (every field is checked before
/// any is refused, so one answer names them all), as a [`Change`].
pub(crate) async fn checked_update(
    s: &AppState,
    caller: &Caller,
    current: &Ticket,
    req: TicketUpdate,
) -> ApiResult<Change> {
    let mut checks = Checks::default();
    let mut patch = TicketPatch {
        subject: req.subject.as_deref().map(|v| checks.take(validate_subject(v))).transpose()?.flatten(),
        body: req.body.as_deref().map(|v| checks.take(validate_body(v))).transpose()?.flatten(),
        category: req.category.clone(),
        impact: req.impact.clone(),
        urgency: req.urgency.clone(),
        assignee_id: req.assignee_id,
        team: req.team.clone(),
        tier: req.tier,
        tags: req.tags.as_deref().map(|v| checks.take(check_tags(v))).transpose()?.flatten(),
        ..Default::default()
    };
    if let Some(Some(c)) = &patch.category {
        checks.take(s.policy.check_category(c))?;
    }
    if let Some(Some(i)) = &patch.impact {
        checks.take(s.policy.check_impact(i))?;
    }
    if let Some(Some(u)) = &patch.urgency {
        checks.take(s.policy.check_urgency(u))?;
    }
    if let Some(Some(a)) = patch.assignee_id {
        checks.take(active_agent(s, "assignee_id", a).await)?;
    }
    if let Some(Some(team)) = &patch.team {
        if !s.policy.team_names().contains(&team.as_str()) {
            checks.fail("team", format!("no team `{team}`; the policy has: {}", s.policy.team_names().join(", ")));
        }
    }
    if let Some(r) = &req.reason {
        if let Err(m) = check_length(r, MAX_REASON_CHARS) {
            checks.fail("reason", m);
        }
    }
    if let Some(cf) = &req.custom_fields {
        let mut merged = current.custom_fields.clone();
        for (k, v) in cf {
            if v.is_null() {
                merged.remove(k);
            } else {
                merged.insert(k.clone(), v.clone());
            }
        }
        checks.all(s.policy.custom_field_errors(&merged));
        patch.custom_fields = Some(merged);
    }
    let requested = match &req.priority {
        Some(Some(level)) => checks.take(requested_override(s, caller, Some(level), req.priority_reason.as_deref()))?,
        Some(None) => Some(None),
        None => None,
    };
    checks.finish()?;
    let mut labelled: Vec<String> =
        [("category", req.category.is_some()), ("impact", req.impact.is_some()), ("urgency", req.urgency.is_some())]
            .into_iter()
            .filter(|(_, set)| *set)
            .map(|(f, _)| f.to_string())
            .collect();
    labelled.extend(req.custom_fields.iter().flat_map(|cf| cf.keys().cloned()));
    Ok(Change {
        patch,
        labelled,
        over: requested,
        status: req.status,
        reason: req.reason.clone().filter(|r| !r.trim().is_empty()),
    })
}
