//! An agent takes the next ticket from the queue (pull).

use crate::error::ApiResult;
use crate::state::AppState;
use triage_core::queue::QueueFilter;
use triage_core::ticket::event_data::{FieldsChanged, StatusChanged};
use triage_core::ticket::{Actor, Status, Ticket, TicketPatch};
use triage_store::{ModifyError, NewEvent};

/// Most tickets one take tries before it gives up: each miss is a ticket
/// another agent or process took first.
const TRIES: usize = 32;

/// Assigns agent `me` the most urgent unassigned ticket they may take and
/// opens it; `None` when there is none. What they may take: their queues (the
/// categories of their team they qualify for, narrowed to `team`'s queues when
/// given) and tickets nobody categorized, within the view `f` (its
/// categories wherever those tickets sit).
pub async fn take_next(
    s: &AppState,
    me: i64,
    mut f: QueueFilter,
    team: Option<Vec<String>>,
) -> ApiResult<Option<Ticket>> {
    let agent = s.store.get_agent(me).await?;
    let mut mine = s.routing.qualified_categories(&s.policy, &agent);
    if let Some(theirs) = team {
        mine.retain(|c| theirs.contains(c));
    }
    f.queues = Some(mine);
    f.uncategorized = true;
    let f = &f;
    let mut level = None;
    for _ in 0..TRIES {
        let now = s.now();
        // The index marks the ticket taken, so a concurrent caller here gets
        // another; the store's version check settles races with other processes.
        let Some(r) = s.queue.lock().take_next(now.timestamp_millis(), f) else { break };
        let taken = super::write::modify(s, r.id, Actor::Agent(me), now, None, |t| {
            if t.assignee_id.is_some() || !matches!(t.status, Status::New | Status::Open) {
                return Err(()); // someone else was faster
            }
            let changes = t.apply(&TicketPatch { assignee_id: Some(Some(me)), ..Default::default() });
            let why = Some("taken from the queue".to_string());
            let mut events = vec![NewEvent { data: FieldsChanged::of(changes), reason: why.clone() }];
            level = t.level().map(String::from);
            if t.status == Status::New {
                let from = t.transition(Status::Open, now).map_err(|_| ())?;
                events.push(NewEvent { data: StatusChanged::of(from, Status::Open), reason: why });
            }
            Ok(events)
        })
        .await;
        match taken {
            Ok((t, _)) => {
                s.routing.assigned(&s.policy, me, level.as_deref(), now.timestamp_millis());
                return Ok(Some(t));
            }
            Err(ModifyError::Rejected(())) => s.queue.refresh(&s.store, r.id).await,
            Err(ModifyError::Store(e)) => {
                s.queue.refresh(&s.store, r.id).await;
                return Err(e.into());
            }
        }
    }
    Ok(None)
}
