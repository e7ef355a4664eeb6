//! Recording each clock run's outcome (met or breached) when it is decided,
//! once and for good: after every write that may decide one (a reply, a
//! resolution, a change of level), by the process that wrote it; and at start,
//! for tickets written by a process that stopped before it could.
//!
//! A breach is recorded with its `sla_breached` event and escalations (the
//! ticker's [`super::ticker::fire`]), so reports, which count recorded outcomes,
//! agree with the event log. A met run needs no event: it is the reply or the
//! resolution the log already holds.

use super::SlaState;
use crate::error::ApiResult;
use crate::state::AppState;
use triage_core::sla::Verdict;
use triage_core::ticket::Ticket;

/// Records the outcomes `st` shows decided and not yet on record, then notes
/// the ticket settled at its version. Returns how many were recorded.
pub(crate) async fn settle(s: &AppState, t: &Ticket, st: Option<&SlaState>) -> ApiResult<usize> {
    let mut n = 0;
    if let Some(st) = st {
        let level = t.level().map(String::from).unwrap_or_default();
        let claimed = s.store.fired_triggers(t.id).await?;
        let mut records = Vec::new();
        for o in st.sla.unrecorded(&st.outcomes, &level, &st.policy_name, &s.policy.version) {
            if o.verdict == Verdict::Met {
                records.push(o);
                continue;
            }
            let trig = super::ticker::breach_of(&o);
            if claimed.contains(&trig.key()) {
                // Acted on before outcomes were kept: only the record is missing.
                records.push(o);
            } else if super::ticker::fire(s, t, st, &trig).await? {
                n += 1;
                // Logged as the ticker logs what it acts on: each process says what it did.
                tracing::info!(ticket = t.id, fired = 1, "SLA warnings and breaches found late");
            }
        }
        n += s.store.record_outcomes(t.id, &records, s.now()).await?;
    }
    s.store.mark_sla_settled(t.id, t.version).await?;
    Ok(n)
}

/// At start: settles every ticket written since it was last settled (a
/// process that stopped between a write and its follow-up leaves such
/// tickets), oldest first. Returns how many it looked at.
pub async fn settle_backlog(state: &AppState) -> ApiResult<usize> {
    let mut after = 0;
    let mut n = 0;
    loop {
        let ids = state.store.unsettled_tickets(after, 500).await?;
        let Some(last) = ids.last() else { break };
        after = *last;
        for id in ids {
            n += 1;
            if let Err(e) = super::follow::refresh(state, id).await {
                tracing::warn!(ticket = id, error = ?e, "cannot settle SLA outcomes");
            }
        }
    }
    Ok(n)
}
