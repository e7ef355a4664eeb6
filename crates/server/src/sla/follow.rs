//! Keeping each ticket's stored SLA times in step with its history (the
//! follow-up after each write, `workflow::followup`, calls [`refresh`]).

use crate::error::ApiResult;
use crate::state::AppState;
use triage_core::sla::due_triggers;
use triage_core::ticket::Status;

/// Records the outcomes the ticket's clocks have decided (see [`super::settle`]),
/// stores its next due time and alarm from its history now. (Telling the
/// customer is [`super::notice::deliver_due`], after the coalescing window.)
/// Returns the ticket as it read it.
pub(crate) async fn refresh(s: &AppState, id: i64) -> ApiResult<triage_core::ticket::Ticket> {
    let mut t = s.store.get_ticket(id).await?;
    let open = !matches!(t.status, Status::Solved | Status::Closed);
    // A closed ticket's clocks matter only while its last writes are unsettled.
    let unsettled = |t: &triage_core::ticket::Ticket| t.sla_settled < t.version;
    let mut state = if open || unsettled(&t) { super::status(s, &t).await? } else { None };
    // A breach recorded here writes the ticket (its event and escalations): read
    // it and its clocks again, until nothing more is decided.
    for _ in 0..3 {
        if !unsettled(&t) || super::settle::settle(s, &t, state.as_ref()).await? == 0 {
            break;
        }
        t = s.store.get_ticket(id).await?;
        state = super::status(s, &t).await?;
    }
    let state = if open { state } else { None };
    let (mut next, mut alarm) = (None, None);
    if let Some(st) = &state {
        next = st.sla.next_due();
        let fired = s.store.fired_triggers(id).await?;
        alarm = due_triggers(&st.sla, &fired, s.now().timestamp_millis()).1;
    }
    let ms = |d: Option<chrono::DateTime<chrono::Utc>>| d.map(|d| d.timestamp_millis());
    let alarm_at = alarm.and_then(chrono::DateTime::from_timestamp_millis);
    let stored_alarm = s.store.sla_alarm(id).await?;
    if ms(next) != ms(t.sla_due_at) || ms(alarm_at) != stored_alarm {
        s.store.set_sla_due(id, next, alarm_at).await?;
    }
    if ms(next) != ms(t.sla_due_at) {
        t.sla_due_at = next.and_then(|d| chrono::DateTime::from_timestamp_millis(d.timestamp_millis()));
        s.queue.put(&t);
    }
    Ok(t)
}
