//! Telling the customer: the acknowledgment at creation, and a notice in the
//! public thread when the promise moves (priority change, escalation, surge
//! mode, a pause), once per move, with the reason in plain words. The account's
//! owner of a VIP or enterprise organization gets a notification record too.

use super::SlaState;
use crate::error::ApiResult;
use crate::state::AppState;
use triage_core::policy::render;
use triage_core::sla::{when, Promise, TicketSla};
use triage_core::ticket::{CommentKind, Event, EventKind, Status, Ticket};
use triage_store::{Extras, NewEvent, NewNotification};

/// The acknowledgment text for a new ticket; `{ticket}` stays for the store to
/// fill in with the id it allocates. `expected` is the promise with the forecast
/// sentence, if the forecast differs enough to say.
pub(crate) fn acknowledgment(s: &AppState, subject: &str, level: &str, sla: &TicketSla, expected: &str) -> String {
    let due = sla.promised().map(|c| c.due.to_rfc3339()).unwrap_or_default();
    let forecast = expected.strip_prefix(sla.promise.as_deref().unwrap_or("")).unwrap_or("").trim();
    render(
        &s.policy.messages.acknowledgment,
        &[
            ("subject", subject),
            ("level", level),
            ("promise", sla.promise.as_deref().unwrap_or("")),
            ("due", &due),
            ("forecast", forecast),
        ],
    )
    .trim()
    .to_string()
}

/// What the customer was last told, from the event log (the `created` event
/// holds the acknowledgment's promise).
fn last_told(events: &[Event]) -> Option<Promise> {
    events.iter().rev().find_map(|e| match e.kind {
        EventKind::PromiseChanged | EventKind::Created => serde_json::from_value(e.data["promise"].clone()).ok(),
        _ => None,
    })
}

/// Why the last write can move the promise, in the customer's words; `None` for
/// writes that do not (a reply, a comment, a notice itself).
fn reason(e: &Event, paused_on: &[Status]) -> Option<String> {
    match e.kind {
        EventKind::PriorityChanged => {
            let to = e.data["to"].as_str()?;
            let why = e.reason.as_deref().unwrap_or_default();
            Some(if why.starts_with("SLA ") {
                format!("we escalated it; its priority is now {to}")
            } else if why.starts_with("surge mode") {
                format!("we are receiving an unusually high number of requests; its priority is now {to}")
            } else {
                match e.data["from"].as_str() {
                    Some(from) => format!("its priority changed from {from} to {to}"),
                    None => format!("its priority is now {to}"),
                }
            })
        }
        EventKind::StatusChanged => {
            let st = |k: &str| e.data[k].as_str().and_then(|x| x.parse::<Status>().ok());
            let (from, to) = (st("from"), st("to")?);
            let was_paused = from.is_some_and(|f| paused_on.contains(&f));
            match to {
                Status::PendingCustomer if paused_on.contains(&to) => Some("we are waiting for your answer".into()),
                Status::OnHold if paused_on.contains(&to) => Some("it is on hold".into()),
                Status::Open | Status::New if was_paused => Some("we are working on it again".into()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Tells the customer once if the ticket's last write moved their promise.
pub(crate) async fn tell_if_moved(s: &AppState, t: &Ticket, st: &SlaState) -> ApiResult<()> {
    let Some(before) = last_told(&st.events) else { return Ok(()) };
    let Some(now) = st.sla.promise_record() else { return Ok(()) };
    if !now.moved_from(&before) {
        return Ok(());
    }
    let paused_on = s.policy.sla_policy(&st.policy_name).map(|d| d.pause_on.clone()).unwrap_or_default();
    // What moved it: the latest change since the customer was last told.
    let since =
        st.events.iter().rev().take_while(|e| !matches!(e.kind, EventKind::PromiseChanged | EventKind::Created));
    let Some(why) = since.filter_map(|e| reason(e, &paused_on)).next() else { return Ok(()) };
    let text = render(
        &s.policy.messages.promise_changed,
        &[
            ("ticket", &t.id.to_string()),
            ("subject", &t.subject),
            ("level", t.priority.as_deref().unwrap_or("")),
            ("promise", st.sla.promise.as_deref().unwrap_or("")),
            ("due", &chrono::DateTime::from_timestamp_millis(now.due_ms).unwrap_or_default().to_rfc3339()),
            ("reason", &why),
        ],
    );
    let org = &st.customer.org;
    let mut extras = Extras::default();
    if let (true, Some(owner)) = (org.vip || org.account_type == "enterprise", org.owner_id) {
        let due = chrono::DateTime::from_timestamp_millis(now.due_ms).unwrap_or_default();
        extras.notifications.push(NewNotification {
            recipient: format!("agent:{owner}"),
            kind: "promise_changed".into(),
            body: format!(
                "{} ({}): the promise to {} moved to {} {} — {why}",
                t.subject,
                t.priority.as_deref().unwrap_or("-"),
                org.name,
                now.clock.words(),
                when(due, st.tz),
            ),
        });
    }
    let data = serde_json::json!({"promise": now, "before": before});
    let r = s
        .store
        .modify_ticket_with(
            t.id,
            triage_core::ticket::Actor::System,
            s.now(),
            Some((CommentKind::Public, text.trim().to_string())),
            &extras,
            |_| {
                Ok::<_, ()>(vec![NewEvent {
                    kind: EventKind::PromiseChanged,
                    data: data.clone(),
                    reason: Some(why.clone()),
                }])
            },
        )
        .await;
    match r {
        Ok(_) | Err(triage_store::ModifyError::Rejected(())) => Ok(()),
        Err(triage_store::ModifyError::Store(e)) => Err(e.into()),
    }
}
