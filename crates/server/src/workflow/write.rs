//! Every change this process makes to a stored ticket goes through here: the
//! store's read-change-write (optimistic, retried), then the follow-up told.

use crate::state::AppState;
use chrono::{DateTime, Utc};
use triage_core::ticket::{Actor, Comment, CommentKind, Ticket};
use triage_store::{Extras, ModifyError, NewEvent};

/// Reads ticket `id`, lets `change` edit it and say which events that makes,
/// writes it with `comment` (see `Store::modify_ticket`) and tells the
/// follow-up. An empty change writes nothing and returns the ticket as stored.
pub async fn modify<E>(
    s: &AppState,
    id: i64,
    actor: Actor,
    now: DateTime<Utc>,
    comment: Option<(CommentKind, String)>,
    change: impl FnMut(&mut Ticket) -> Result<Vec<NewEvent>, E>,
) -> Result<(Ticket, Option<Comment>), ModifyError<E>> {
    let out = modify_with(s, id, actor, now, comment, &Extras::default(), change).await?;
    Ok(out.expect("nothing to claim, so the change is never refused as done before"))
}

/// [`modify`] with a claim and notifications in the same transaction (`None`
/// back: the claim was taken before and nothing was written).
pub async fn modify_with<E>(
    s: &AppState,
    id: i64,
    actor: Actor,
    now: DateTime<Utc>,
    comment: Option<(CommentKind, String)>,
    extras: &Extras,
    mut change: impl FnMut(&mut Ticket) -> Result<Vec<NewEvent>, E>,
) -> Result<Option<(Ticket, Option<Comment>)>, ModifyError<E>> {
    // Whether the last attempt's change wrote anything (it runs again on a retry).
    let mut changed = false;
    let extra =
        comment.is_some() || extras.claim.is_some() || extras.outcome.is_some() || !extras.notifications.is_empty();
    let out = s
        .store
        .modify_ticket_with(id, actor, now, comment, extras, |t| {
            let events = change(t)?;
            changed = extra || !events.is_empty();
            Ok(events)
        })
        .await?;
    if let Some((t, _)) = &out {
        if changed {
            s.followup.wrote(s, t);
        }
    }
    Ok(out)
}
