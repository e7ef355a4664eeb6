//! A ticket's SLA clocks for the API: its organization's SLA policy (the
//! contract's, else the plan's), that policy's calendar, and the ticket's history
//! from the event log and the public thread. The rules are `triage_core::sla`.

use crate::error::ApiResult;
use crate::prioritize;
use crate::state::AppState;
use triage_core::sla::{ticket_sla, Calendar, History, TicketSla};
use triage_core::ticket::{Actor, EventKind, Status, Ticket};

/// The SLA policy and calendar in force for a customer.
fn policy_for<'p>(
    s: &'p AppState,
    c: &prioritize::Customer,
) -> Option<(&'p triage_core::policy::SlaPolicyDef, Calendar)> {
    let name = c.org.contract.sla_policy.clone().or_else(|| c.plan.as_ref().map(|p| p.sla_policy.clone()))?;
    let def = s.policy.sla_policy(&name)?;
    let cal = match def.calendar.as_deref().and_then(|c| s.policy.calendar(c)) {
        Some(c) => c.compiled.clone(),
        None => Calendar::always(),
    };
    Some((def, cal))
}

/// When a ticket created `now` at `level` is next due: no history yet, so no queries.
pub(crate) fn at_creation(
    s: &AppState,
    c: &prioritize::Customer,
    level: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let (def, cal) = policy_for(s, c)?;
    let at = now.timestamp_millis();
    let h = History { created_ms: at, statuses: vec![(at, Status::New)], ..Default::default() };
    ticket_sla(def, &cal, level, &h, at).next_due()
}

/// The ticket's clocks now; `None` when its organization has no SLA policy or
/// the ticket has no level.
pub(crate) async fn of(s: &AppState, t: &Ticket) -> ApiResult<Option<TicketSla>> {
    let Some(level) = t.priority.as_deref() else { return Ok(None) };
    let customer = prioritize::customer(s, t.organization_id).await?;
    let name =
        customer.org.contract.sla_policy.clone().or_else(|| customer.plan.as_ref().map(|p| p.sla_policy.clone()));
    let Some(def) = name.as_deref().and_then(|n| s.policy.sla_policy(n)) else { return Ok(None) };
    let cal = match def.calendar.as_deref().and_then(|c| s.policy.calendar(c)) {
        Some(c) => c.compiled.clone(),
        None => Calendar::always(),
    };
    let mut h = History {
        created_ms: t.created_at.timestamp_millis(),
        statuses: vec![(t.created_at.timestamp_millis(), Status::New)],
        solved_ms: t.solved_at.map(|x| x.timestamp_millis()),
        ..Default::default()
    };
    for e in s.store.list_events(t.id).await? {
        let at = e.at.timestamp_millis();
        match e.kind {
            EventKind::Created | EventKind::Imported => {
                if let Some(st) = e.data["status"].as_str().and_then(|x| x.parse::<Status>().ok()) {
                    h.statuses[0] = (h.created_ms, st);
                }
            }
            EventKind::StatusChanged => {
                if let Some(st) = e.data["to"].as_str().and_then(|x| x.parse::<Status>().ok()) {
                    h.statuses.push((at, st));
                }
            }
            _ => {}
        }
    }
    for c in s.store.list_comments(t.id, false).await? {
        match c.author {
            Actor::Contact(_) => h.customer_replies.push(c.created_at.timestamp_millis()),
            Actor::Agent(_) => h.agent_replies.push(c.created_at.timestamp_millis()),
            Actor::System => {}
        }
    }
    Ok(Some(ticket_sla(def, &cal, level, &h, s.now().timestamp_millis())))
}

/// Most tickets looked at in one round of [`follow`].
const ROUND: usize = 500;

/// Keeps each ticket's `sla_due_at` in step with its history: every ticket this
/// process writes is looked at again right after, and its next due time stored
/// (without a new version) and handed to the queue index, where the SLA
/// strategy's points grow as it nears.
pub(crate) async fn follow(state: AppState, mut rx: tokio::sync::mpsc::UnboundedReceiver<i64>) {
    let mut ids = Vec::with_capacity(ROUND);
    while rx.recv_many(&mut ids, ROUND).await > 0 {
        ids.sort_unstable();
        ids.dedup();
        for id in ids.drain(..) {
            if let Err(e) = refresh(&state, id).await {
                tracing::warn!(ticket = id, error = ?e, "cannot compute the SLA due time");
            }
        }
    }
}

async fn refresh(s: &AppState, id: i64) -> ApiResult<()> {
    let mut t = s.store.get_ticket(id).await?;
    let open = !matches!(t.status, Status::Solved | Status::Closed);
    let next = if open { of(s, &t).await?.and_then(|sla| sla.next_due()) } else { None };
    let next = next.map(|d| chrono::DateTime::from_timestamp_millis(d.timestamp_millis()).unwrap_or(d));
    if next != t.sla_due_at {
        s.store.set_sla_due(id, next).await?;
        t.sla_due_at = next;
        s.queue.put(&t);
    }
    Ok(())
}
