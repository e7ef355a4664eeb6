//! Handing a ticket to another tier or team with a note: escalation and
//! de-escalation, for every channel.

use crate::error::{ApiResult, AppError};
use crate::state::AppState;
use triage_core::routing::Landing;
use triage_core::ticket::event_data::{Asked, HandedOff};
use triage_core::ticket::EventData;
use triage_core::ticket::{destination, Actor, CommentKind, Handoff, HandoffTo, Status, Ticket};
use triage_store::{Extras, NewEvent, NewNotification};

/// Hands `current` to `to` with what was tried and what is needed, by `by`.
/// Never into a void: where nobody works, the nearest tier of that team with
/// an agent, else it stays (with its assignee) and the team and its lead are
/// told. The note is an internal comment; the event records where it landed.
pub async fn escalate(
    s: &AppState,
    by: Actor,
    current: &Ticket,
    to: &HandoffTo,
    tried: &str,
    needed: &str,
) -> ApiResult<(Ticket, Landing)> {
    // Never into a void: where nobody works, the nearest tier with an agent, or stay.
    let here = (current.team.clone(), current.tier);
    let (asked_team, asked_tier, up) =
        destination(to, here.0.as_deref(), here.1).map_err(|e| AppError::refused(e.field, e.message))?;
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
                by,
                asked_team.as_deref().unwrap_or("no team"),
                asked_tier.map_or("-".to_string(), |t| t.to_string()),
                landing_why(&landing)
            );
            crate::routing::stuck_recipients(s, here.0.as_deref())
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
    let note = format!("Hand-off from {by}.\nTried: {tried}\nNeeded: {needed}");
    let (after, _) = crate::workflow::write::modify_with(
        s,
        current.id,
        by,
        now,
        Some((CommentKind::Internal, note)),
        &extras,
        |t| {
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
                what_was_tried: tried.to_string(),
                what_is_needed: needed.to_string(),
            };
            let handed = HandedOff {
                handoff,
                from_assignee_id: t.assignee_id,
                asked: Asked { team: asked_team.clone(), tier: asked_tier },
                landing: Some(landing.clone()),
            };
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
                data: if up { EventData::Escalated(handed) } else { EventData::Deescalated(handed) },
                reason: Some(reason),
            }])
        },
    )
    .await
    .map_err(|e| match e {
        triage_store::ModifyError::Rejected(e) => e,
        triage_store::ModifyError::Store(e) => e.into(),
    })?
    .expect("nothing to claim, so the change is never refused as done before");
    if current.assignee_id.is_some() && after.assignee_id.is_none() {
        // Its agent has room again: routing reads the open work afresh.
        s.routing.refresh(s).await?;
    }
    Ok((after, landing))
}

/// Why a move did not land where asked, in words.
pub(crate) fn landing_why(l: &Landing) -> String {
    match l {
        Landing::AsAsked { .. } => String::new(),
        Landing::NearestTier { why, .. } | Landing::Stayed { why } => why.clone(),
    }
}
