//! Escalating and de-escalating a ticket with a hand-off note.

use super::tickets::{load_visible, view, TicketView};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Checks};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use triage_core::routing::Landing;
use triage_core::ticket::{destination, validate_note, CommentKind, Event, EventKind, Handoff, HandoffTo, Status};
use triage_store::{Extras, NewEvent, NewNotification};
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
    // Never into a void: where nobody works, the nearest tier with an agent, or stay.
    let here = (current.team.clone(), current.tier);
    let (asked_team, asked_tier, up) =
        destination(&to, here.0.as_deref(), here.1).map_err(|e| AppError::refused(e.field, e.message))?;
    let landing = s.routing.landing((here.0.as_deref(), here.1), (asked_team.as_deref(), asked_tier));
    let (to_team, to_tier) = match &landing {
        Landing::AsAsked { team, tier } => (team.clone(), *tier),
        Landing::NearestTier { team, tier, .. } => (team.clone(), Some(*tier)),
        Landing::Stayed { .. } => here.clone(),
    };
    let stayed = matches!(landing, Landing::Stayed { .. });
    let extras = Extras {
        notifications: if stayed {
            let body = format!(
                "#{} {}: {} asked to hand it to {}/{}, but {}. Tried: {tried}. Needed: {needed}",
                current.id,
                current.subject,
                caller.actor(),
                asked_team.as_deref().unwrap_or("no team"),
                asked_tier.map_or("-".to_string(), |t| t.to_string()),
                landing_why(&landing)
            );
            crate::routing::stuck_recipients(&s, here.0.as_deref())
                .await
                .into_iter()
                .map(|recipient| NewNotification { recipient, kind: "handoff_stuck".into(), body: body.clone() })
                .collect()
        } else {
            Vec::new()
        },
        ..Default::default()
    };
    let now = s.now();
    let by = caller.actor();
    let note = format!("Hand-off from {by}.\nTried: {tried}\nNeeded: {needed}");
    let (after, _) = s
        .store
        .modify_ticket_with(id, by, now, Some((CommentKind::Internal, note)), &extras, |t| {
            if matches!(t.status, Status::Solved | Status::Closed) {
                return Err(AppError::Conflict("the ticket is solved or closed; reopen it first".into()));
            }
            if (t.team.clone(), t.tier) != here {
                return Err(AppError::Conflict("the ticket moved meanwhile; look again and retry".into()));
            }
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
            data["asked"] = serde_json::json!({"team": asked_team, "tier": asked_tier});
            data["landing"] = serde_json::json!(landing);
            if !stayed {
                t.team = to_team.clone();
                t.tier = to_tier;
                t.assignee_id = None;
            }
            let mut reason = format!("{}; needed: {}", tried, needed);
            if !matches!(landing, Landing::AsAsked { .. }) {
                reason.push_str(&format!(" ({})", landing_why(&landing)));
            }
            Ok(vec![NewEvent {
                kind: if up { EventKind::Escalated } else { EventKind::Deescalated },
                data,
                reason: Some(reason),
            }])
        })
        .await
        .map_err(|e| match e {
            triage_store::ModifyError::Rejected(e) => e,
            triage_store::ModifyError::Store(e) => e.into(),
        })?
        .expect("nothing to claim, so the change is never refused as done before");
    let handoff = latest_handoff(&s.store.list_events(id).await?);
    Ok(Json(TicketView { handoff, landing: Some(landing), ..view(&s, &caller, after) }))
}

/// Why a move did not land where asked, in words.
pub(crate) fn landing_why(l: &Landing) -> String {
    match l {
        Landing::AsAsked { .. } => String::new(),
        Landing::NearestTier { why, .. } | Landing::Stayed { why } => why.clone(),
    }
}

/// The most recent hand-off note in a ticket's log.
pub(crate) fn latest_handoff(events: &[Event]) -> Option<Handoff> {
    events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Escalated | EventKind::Deescalated))
        .and_then(|e| serde_json::from_value(e.data.clone()).ok())
}
