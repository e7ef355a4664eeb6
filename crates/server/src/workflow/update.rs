//! A person changes a ticket: fields, an override of its priority, its status.

use crate::error::{ApiResult, AppError};
use crate::state::AppState;
use triage_core::priority::Override;
use triage_core::ticket::event_data::{FieldsChanged, StatusChanged};
use triage_core::ticket::{Actor, Status, Ticket, TicketPatch};
use triage_store::NewEvent;

/// A checked change to a ticket (the caller has validated every field).
#[derive(Debug, Default)]
pub struct Change {
    pub patch: TicketPatch,
    /// Fields a model predicts that the person set (each a label for the next
    /// training, even when unchanged: a confirmation).
    pub labelled: Vec<String>,
    /// `Some(Some(o))`: set an override; `Some(None)`: clear it.
    pub over: Option<Option<Override>>,
    pub status: Option<Status>,
    /// Why, for the event log.
    pub reason: Option<String>,
}

/// Applies `change` to ticket `current` as `by`: a new category routes like
/// intake (its team and entry tier, unless the change names them; an assignee
/// of another team lets go), the ticket is prioritized again, and a status
/// move follows its lifecycle. One write, its events in order.
pub async fn update_ticket(s: &AppState, by: Actor, current: &Ticket, mut change: Change) -> ApiResult<Ticket> {
    if current.status == Status::Closed {
        return Err(AppError::refused("id", "the ticket is closed and final; open a new ticket to follow up"));
    }
    let patch = &mut change.patch;
    if let Some(Some(c)) = &patch.category {
        if let Some(cat) = s.policy.category(c).filter(|_| current.category.as_deref() != Some(c.as_str())) {
            if patch.team.is_none() && patch.tier.is_none() {
                patch.team = Some(Some(cat.team.clone()));
                patch.tier = Some(Some(cat.tier));
            }
            if let (None, Some(a)) = (patch.assignee_id, current.assignee_id) {
                let theirs = s.store.get_agent(a).await.map(|x| x.team).unwrap_or_default();
                if Some(&theirs) != patch.team.as_ref().and_then(|t| t.as_ref()) {
                    patch.assignee_id = Some(None);
                }
            }
        }
    }
    let Change { patch, labelled, over: requested, status, reason } = change;
    let labelled: Vec<&str> = labelled.iter().map(String::as_str).collect();
    let now = s.now();
    let rescoring = super::rescore::Rescoring::load(s, current).await?;
    let (t, _) = super::write::modify(s, current.id, by, now, None, |t| {
        let mut events = Vec::new();
        // The ticket as it was, for the labels (only when a predictable field is set).
        let was = (!labelled.is_empty()).then(|| t.clone());
        let changes = t.apply(&patch);
        // A person set what the customer suggested: settled, out of triage.
        for (field, set) in [
            ("category", patch.category.is_some()),
            ("impact", patch.impact.is_some()),
            ("urgency", patch.urgency.is_some()),
        ] {
            if set {
                t.suggested.remove(field);
            }
        }
        if !changes.is_empty() {
            events.push(NewEvent { data: FieldsChanged::of(changes), reason: reason.clone() });
        }
        if let Some(was) = &was {
            events.extend(crate::categorize::labels_for(s, was, t, &labelled));
        }
        // Re-prioritize: new inputs, time passed, or an override set or cleared.
        let kept = t.explanation().and_then(|e| e.override_.clone());
        let over = requested.clone().unwrap_or(kept);
        let why = over.map(|o| o.reason).or_else(|| reason.clone());
        events.extend(rescoring.apply(s, t, requested.clone(), why));
        if let Some(to) = status.filter(|to| *to != t.status) {
            let from = t.transition(to, now).map_err(|e| AppError::refused("status", e.to_string()))?;
            events.push(NewEvent { data: StatusChanged::of(from, to), reason: reason.clone() });
        }
        Ok::<_, AppError>(events)
    })
    .await?;
    Ok(t)
}

/// Moves ticket `id` to status `to` as `by`, if its lifecycle allows it.
pub async fn set_status(s: &AppState, by: Actor, id: i64, to: Status, reason: Option<String>) -> ApiResult<Ticket> {
    let now = s.now();
    let (t, _) = super::write::modify(s, id, by, now, None, |t| {
        let from = t.transition(to, now).map_err(|e| AppError::refused("status", e.to_string()))?;
        Ok::<_, AppError>(vec![NewEvent { data: StatusChanged::of(from, to), reason: reason.clone() }])
    })
    .await?;
    Ok(t)
}
