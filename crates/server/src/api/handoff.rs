//! Escalating and de-escalating a ticket with a hand-off note.

use super::tickets::{load_visible, view, TicketView};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use triage_core::ticket::{destination, validate_note, CommentKind, Event, EventKind, Handoff, HandoffTo, Status};
use triage_store::NewEvent;
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
/// ticket is unassigned and offered to them by their team's strategy.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/escalate", tag = "tickets", params(("id" = i64, Path)), request_body = HandoffRequest,
    responses((status = 200, body = TicketView), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn escalate(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<HandoffRequest>,
) -> ApiResult<Json<TicketView>> {
    load_visible(&s, &caller, id).await?;
    caller.require_staff()?;
    let to: HandoffTo = req.to.parse()?;
    let (tried, needed) = validate_note(&req.what_was_tried, &req.what_is_needed)?;
    if let HandoffTo::Team(team) = &to {
        if s.policy.team(team).is_none() && !s.policy.categories.iter().any(|c| &c.team == team) {
            let names: Vec<&str> = s.policy.teams.iter().map(|t| t.name.as_str()).collect();
            return Err(AppError::invalid("to", format!("no team `{team}`; use one of: {}", names.join(", "))));
        }
    }
    let now = s.now();
    let by = caller.actor();
    let note = format!("Hand-off from {by}.\nTried: {tried}\nNeeded: {needed}");
    let (after, _) = s
        .store
        .modify_ticket(id, by, now, Some((CommentKind::Internal, note)), |t| {
            if matches!(t.status, Status::Solved | Status::Closed) {
                return Err(AppError::Conflict("the ticket is solved or closed; reopen it first".into()));
            }
            let (to_team, to_tier, up) = destination(&to, t.team.as_deref(), t.tier)?;
            let handoff = Handoff {
                by: by.to_string(),
                at: now,
                direction: if up { "escalated" } else { "deescalated" }.into(),
                from_team: t.team.clone(),
                to_team: to_team.clone(),
                from_tier: t.tier,
                to_tier,
                what_was_tried: tried.clone(),
                what_is_needed: needed.clone(),
            };
            let mut data = serde_json::json!(handoff);
            data["from_assignee_id"] = serde_json::json!(t.assignee_id);
            t.team = to_team;
            t.tier = to_tier;
            t.assignee_id = None;
            Ok(vec![NewEvent {
                kind: if up { EventKind::Escalated } else { EventKind::Deescalated },
                data,
                reason: Some(format!("{}; needed: {}", tried, needed)),
            }])
        })
        .await
        .map_err(|e| match e {
            triage_store::ModifyError::Rejected(e) => e,
            triage_store::ModifyError::Store(e) => e.into(),
        })?;
    let handoff = latest_handoff(&s.store.list_events(id).await?);
    Ok(Json(TicketView { handoff, ..view(&s, &caller, after) }))
}

/// The most recent hand-off note in a ticket's log.
pub(crate) fn latest_handoff(events: &[Event]) -> Option<Handoff> {
    events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Escalated | EventKind::Deescalated))
        .and_then(|e| serde_json::from_value(e.data.clone()).ok())
}
