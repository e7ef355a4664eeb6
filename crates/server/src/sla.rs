//! A ticket's SLA clocks for the API: its organization's SLA policy (the
//! contract's, else the plan's), that policy's calendar, and the ticket's history
//! from the event log and the public thread. The rules are `triage_core::sla`.

use crate::error::ApiResult;
use crate::prioritize;
use crate::state::AppState;
use triage_core::sla::{ticket_sla, Calendar, History, TicketSla};
use triage_core::ticket::{Actor, EventKind, Status, Ticket};

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
