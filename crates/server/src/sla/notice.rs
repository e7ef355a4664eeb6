//! Telling the customer: the acknowledgment at creation, and a notice in the
//! public thread when the promise moved (a change of urgency, a pause or its
//! end), with the reason in plain words and never a word of priority (levels
//! are internal). Changes gather for the policy's coalescing window from the
//! first (`tickets.notice_from`, set by the store with every change that can move
//! a promise); then the customer is told once where they left it, and nothing
//! when it is back where it was (an override and its undo). The account's owner
//! of a VIP or enterprise organization gets a notification record too.

use super::SlaState;
use crate::error::ApiResult;
use crate::state::AppState;
use triage_core::policy::{customer_text, render};
use triage_core::sla::{when, Promise, TicketSla};
use triage_core::ticket::event_data::PromiseChanged;
use triage_core::ticket::EventData;
use triage_core::ticket::{CommentKind, Event, EventKind, Status, Ticket};
use triage_store::{Extras, NewEvent, NewNotification};

/// The acknowledgment text for a new ticket; `{ticket}` stays for the store to
/// fill in with the id it allocates. `expected` is the promise with the forecast
/// sentence, if the forecast differs enough to say; both in the customer's zone.
pub(crate) fn acknowledgment(s: &AppState, subject: &str, sla: &TicketSla, expected: &str) -> String {
    let due = sla.promised().map(|c| c.due.to_rfc3339()).unwrap_or_default();
    let forecast = expected.strip_prefix(sla.promise.as_deref().unwrap_or("")).unwrap_or("").trim();
    customer_text(&render(
        &s.policy.messages.acknowledgment,
        &[
            ("subject", subject),
            ("promise", sla.promise.as_deref().unwrap_or("")),
            ("due", &due),
            ("forecast", forecast),
        ],
    ))
}

/// What the customer was last told, from the event log (the `created` event
/// holds the acknowledgment's promise).
fn last_told(events: &[Event]) -> Option<Promise> {
    events.iter().rev().find_map(|e| match &e.data {
        EventData::PromiseChanged(p) => Some(p.promise),
        EventData::Created(o) => o.promise,
        _ => None,
    })
}

/// Why a change can move the promise, in the customer's words (no levels);
/// `None` for changes that do not (a reply, a comment, a notice itself).
fn reason(s: &AppState, e: &Event, paused_on: &[Status]) -> Option<String> {
    match &e.data {
        EventData::PriorityChanged(p) => {
            let rank = |l: &Option<String>| l.as_deref().and_then(|l| s.policy.levels.iter().position(|x| x.name == l));
            Some(match (rank(&p.from), rank(&p.to)?) {
                (Some(from), to) if to < from => "we now treat it as more urgent".into(),
                (Some(_), _) => "we looked again at how urgent it is".into(),
                (None, _) => "we assessed how urgent it is".into(),
            })
        }
        EventData::StatusChanged(c) => {
            let (from, to) = (c.from, c.to?);
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

/// Tells the customers whose changes have gathered for the coalescing window,
/// each once (and exactly once across server processes: the notice's claim).
/// Returns how many were told. The ticker calls it every tick; tests drive it.
pub async fn deliver_due(s: &AppState) -> ApiResult<usize> {
    let window_ms = s.policy.messages.coalesce_seconds * 1000;
    let before = s.now().timestamp_millis() - window_ms;
    let mut told = 0;
    for (id, from) in s.store.notices_due(before, 200).await? {
        let t = s.store.get_ticket(id).await?;
        let open = !matches!(t.status, Status::Solved | Status::Closed);
        let mut version = t.version;
        if let (true, Some(st)) = (open, super::status(s, &t).await?) {
            if let Some(v) = tell_if_moved(s, &t, &st, from).await? {
                told += 1;
                version = v;
            }
        }
        s.store.clear_notice(id, from, version).await?;
    }
    Ok(told)
}

/// Tells the customer once if the changes since they were last told moved
/// their promise, under the claim `notice:<from>`. Returns the ticket's version
/// after the notice, when it was told.
async fn tell_if_moved(s: &AppState, t: &Ticket, st: &SlaState, from: i64) -> ApiResult<Option<i64>> {
    let Some(before) = last_told(&st.events) else { return Ok(None) };
    let Some(now) = st.sla.promise_record() else { return Ok(None) };
    if !now.moved_from(&before) {
        return Ok(None);
    }
    let paused_on = s.policy.sla_policy(&st.policy_name).map(|d| d.pause_on.clone()).unwrap_or_default();
    // What moved it: the latest change since the customer was last told.
    let since =
        st.events.iter().rev().take_while(|e| !matches!(e.kind, EventKind::PromiseChanged | EventKind::Created));
    let Some(why) = since.filter_map(|e| reason(s, e, &paused_on)).next() else { return Ok(None) };
    let text = customer_text(&render(
        &s.policy.messages.promise_changed,
        &[
            ("ticket", &t.id.to_string()),
            ("subject", &t.subject),
            ("promise", st.sla.promise.as_deref().unwrap_or("")),
            ("due", &chrono::DateTime::from_timestamp_millis(now.due_ms).unwrap_or_default().to_rfc3339()),
            ("reason", &why),
        ],
    ));
    let org = &st.customer.org;
    let mut extras = Extras { claim: Some(format!("notice:{from}")), ..Extras::default() };
    if let (true, Some(owner)) = (org.vip || org.account_type == "enterprise", org.owner_id) {
        let due = chrono::DateTime::from_timestamp_millis(now.due_ms).unwrap_or_default();
        extras.notifications.push(NewNotification {
            recipient: format!("agent:{owner}"),
            kind: "promise_changed".into(),
            body: format!(
                "{} ({}): the promise to {} moved to {} {} — {why}",
                t.subject,
                t.level().unwrap_or("-"),
                org.name,
                now.clock.words(),
                when(due, st.tz),
            ),
        });
    }
    let data = EventData::PromiseChanged(PromiseChanged { promise: now, before });
    let r = crate::workflow::write::modify_with(
        s,
        t.id,
        triage_core::ticket::Actor::System,
        s.now(),
        Some((CommentKind::Public, text)),
        &extras,
        |_| Ok::<_, ()>(vec![NewEvent { data: data.clone(), reason: Some(why.clone()) }]),
    )
    .await;
    match r {
        Ok(Some((after, _))) => Ok(Some(after.version)),
        Ok(None) | Err(triage_store::ModifyError::Rejected(())) => Ok(None),
        Err(triage_store::ModifyError::Store(e)) => Err(e.into()),
    }
}
