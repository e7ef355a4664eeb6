//! A message on a ticket's thread: a reply to the customer, an internal note,
//! or the customer's own reply.

use crate::error::{ApiResult, AppError};
use crate::state::AppState;
use triage_core::ticket::event_data::StatusChanged;
use triage_core::ticket::{Actor, Comment, CommentKind, Status};
use triage_store::NewEvent;

/// Adds `body` (already checked) to ticket `id` as `by`. The reply rule of
/// `Ticket::on_message` moves the status (an agent's first public reply opens
/// it, a customer's reply reopens it); a customer's reply is read for tone
/// and the ticket prioritized again.
pub async fn add_message(s: &AppState, by: Actor, id: i64, kind: CommentKind, body: String) -> ApiResult<Comment> {
    let staff = !matches!(by, Actor::Contact(_));
    let rescore = if staff {
        None
    } else {
        let t = s.store.get_ticket(id).await?;
        Some(super::rescore::Rescoring::load(s, &t).await?.with_reply(&body))
    };
    let now = s.now();
    let (_, comment) = super::write::modify(s, id, by, now, Some((kind, body)), |t| {
        if t.status == Status::Closed {
            return Err(AppError::refused("id", "the ticket is closed; open a new ticket to follow up"));
        }
        let mut events = Vec::new();
        let moved = t.on_message(staff, kind, now).map_err(|e| AppError::refused("status", e.to_string()))?;
        if let Some((from, to, why)) = moved {
            events.push(NewEvent { data: StatusChanged::of(from, to), reason: Some(why.into()) });
        }
        if let Some(r) = &rescore {
            events.extend(r.apply(s, t, None, Some("the customer's reply".into())));
        }
        Ok(events)
    })
    .await?;
    comment.ok_or_else(|| AppError::Internal("comment was not stored".into()))
}
