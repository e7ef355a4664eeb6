//! Escalating and de-escalating a ticket with a hand-off note.

use super::tickets::{load_visible, view, TicketView};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Checks};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use triage_core::ticket::{validate_note, Event, EventData, Handoff, HandoffTo};

use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoffRequest {
    /// `next_tier`, `previous_tier` (de-escalation), `tier:L2` or `team:<name>`
    /// (e.g. `team:engineering_support`).
    pub to: String,
    /// What was tried already (required).
    pub what_was_tried: String,
    /// What is needed from the receiving side (required).
    pub what_is_needed: String,
}

/// Hand the ticket to the next tier, back to a lower one, or to another team
/// (staff). The note is required and shown first to the receiving side; the
/// ticket is unassigned and offered to them by their team's strategy. Where
/// nobody works, it goes to the nearest tier of that team with an agent, or
/// stays (with its assignee) and the team and its lead are told; the event's
/// `landing` says which.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/escalate", tag = "tickets", params(("id" = i64, Path)), request_body = HandoffRequest,
    responses((status = 200, body = TicketView), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn escalate(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<HandoffRequest>,
) -> ApiResult<Json<TicketView>> {
    let current = load_visible(&s, &caller, id).await?;
    caller.require_staff()?;
    let (to, tried, needed) = checked(&s, &req)?;
    let (after, landing) = crate::workflow::escalate(&s, caller.actor(), &current, &to, &tried, &needed).await?;
    let handoff = latest_handoff(&s.store.list_events(id).await?);
    Ok(Json(TicketView { handoff, landing: Some(landing), ..view(&s, &caller, after) }))
}

/// A hand-off request checked: where to, what was tried, what is needed.
pub(crate) fn checked(s: &AppState, req: &HandoffRequest) -> ApiResult<(HandoffTo, String, String)> {
    let mut checks = Checks::default();
    let to = checks.take(req.to.parse::<HandoffTo>())?;
    let note = checks.take(validate_note(&req.what_was_tried, &req.what_is_needed))?;
    if let Some(HandoffTo::Team(team)) = &to {
        if s.policy.team(team).is_none() && !s.policy.categories.iter().any(|c| &c.team == team) {
            let names: Vec<&str> = s.policy.teams.iter().map(|t| t.name.as_str()).collect();
            checks.fail("to", format!("no team `{team}`; use one of: {}", names.join(", ")));
        }
    }
    checks.finish()?;
    let (Some(to), Some((tried, needed))) = (to, note) else {
        return Err(AppError::Internal("a checked hand-off lost its destination".into()));
    };
    Ok((to, tried, needed))
}

/// The most recent hand-off note in a ticket's log.
pub(crate) fn latest_handoff(events: &[Event]) -> Option<Handoff> {
    events.iter().rev().find_map(|e| match &e.data {
        EventData::Escalated(h) | EventData::Deescalated(h) => Some(h.handoff.clone()),
        _ => None,
    })
}
