//! Gathers what the priority engine needs about a ticket and its customer, and
//! asks the engine. The rules themselves live in `triage_core::priority`.

use crate::error::ApiResult;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use triage_core::organization::effective_plan;
use triage_core::priority::{decide, decide_with_due, EmotionSignals, Facts, Override, Priority};
use triage_core::ticket::event_data::{DueMoved, PriorityChanged};
use triage_core::ticket::EventData;
use triage_core::ticket::{Actor, Ticket};
use triage_store::{NewEvent, StoreError};

pub(crate) use triage_core::intake::{text_of, Customer, Request};

pub(crate) async fn customer(s: &AppState, org_id: i64) -> ApiResult<Customer> {
    customer_at(s, org_id, s.now()).await
}

/// The customer as it stood at `at`: the plan then in force.
pub(crate) async fn customer_at(s: &AppState, org_id: i64, at: DateTime<Utc>) -> ApiResult<Customer> {
    let rec = s.orgs.org(&s.store, org_id).await?;
    let plan = match effective_plan(&rec.plan_changes, at) {
        Some(change) => s.orgs.plans(&s.store).await?.into_iter().find(|p| p.id == change.plan_id),
        None => None,
    };
    Ok(Customer { org: rec.org, plan })
}

/// The priority of a stored ticket now, its SLA points counted on the targets
/// of the level it lands on (`due` from [`crate::sla::due_at`]).
pub(crate) fn reprioritize(
    s: &AppState,
    c: &Customer,
    r: &Request,
    override_: Option<&Override>,
    due: Option<&crate::sla::DueAt>,
) -> (Priority, Option<DateTime<Utc>>) {
    match due {
        Some(d) => priority_with_sla(s, c, r, override_, Some(|level: &str| d.due(level))),
        None => (priority(s, c, r, override_), r.sla_due),
    }
}

/// [`apply`] for a re-prioritized stored ticket: the next due time its score
/// counted is stored with it, and a level change also records how it
/// re-targeted the SLA clocks (`sla_due`: the next due time before and after).
pub(crate) fn apply_retargeted(
    t: &mut Ticket,
    (pr, due): (Priority, Option<DateTime<Utc>>),
    reason: Option<String>,
    force: bool,
) -> Option<NewEvent> {
    let before = t.sla_due_at;
    t.sla_due_at = due;
    let mut event = apply(t, pr, reason, force);
    if let Some(NewEvent { data: EventData::PriorityChanged(p), .. }) = event.as_mut() {
        if due != before {
            p.sla_due = Some(DueMoved { from: before, to: due });
        }
    }
    event
}

/// The ticket's priority now, under the surge rule in force, if any.
pub(crate) fn priority(s: &AppState, c: &Customer, r: &Request, override_: Option<&Override>) -> Priority {
    priority_with_sla(s, c, r, override_, None::<fn(&str) -> Option<DateTime<Utc>>>).0
}

/// [`priority`] for a ticket whose SLA due time depends on its level:
/// `due_for(level)` is asked with the level decided (see
/// [`triage_core::priority::decide_with_due`]). Without `due_for`, the
/// request's own due time counts. One text scan and one pass over the facts.
pub(crate) fn priority_with_sla(
    s: &AppState,
    c: &Customer,
    r: &Request,
    override_: Option<&Override>,
    due_for: Option<impl FnOnce(&str) -> Option<DateTime<Utc>>>,
) -> (Priority, Option<DateTime<Utc>>) {
    let emotion = EmotionSignals::scan(r.text, &s.policy.priority.emotion);
    let facts = c.facts(&Request { sla_due: None, ..*r }, &emotion);
    let (now, surge) = (s.now(), s.surge());
    match due_for {
        None => (decide(&s.policy, &Facts { sla_due: r.sla_due, ..facts }, now, surge, override_), r.sla_due),
        Some(due_for) => decide_with_due(&s.policy, &facts, now, surge, override_, due_for),
    }
}

/// The customer's public replies on a ticket, each after a message break, and
/// where an agent answered in public between them (what the tone reading needs
/// to see a trend and follow-ups without an answer).
pub(crate) async fn customer_replies(s: &AppState, ticket_id: i64) -> Result<String, StoreError> {
    use triage_core::sentiment::{MESSAGE_BREAK, SUPPORT_REPLY};
    let mut text = String::new();
    for c in s.store.list_comments(ticket_id, false).await? {
        match c.author {
            Actor::Contact(_) => {
                text.push(MESSAGE_BREAK);
                text.push_str(&c.body);
            }
            Actor::Agent(_) => text.push(SUPPORT_REPLY),
            _ => {}
        }
    }
    Ok(text)
}

/// Everything the customer wrote on a ticket: subject, body and their public replies.
pub(crate) async fn customer_words(s: &AppState, t: &Ticket) -> Result<String, StoreError> {
    Ok(text_of(&t.subject, &t.body) + &customer_replies(s, t.id).await?)
}

/// Stores `pr` on the ticket; when its level moves (or `force`), the
/// `priority_changed` event that says so, with `reason`.
pub(crate) fn apply(t: &mut Ticket, pr: Priority, reason: Option<String>, force: bool) -> Option<NewEvent> {
    let event = (force || t.level() != Some(pr.level.as_str())).then(|| NewEvent {
        data: EventData::PriorityChanged(PriorityChanged {
            from: t.level().map(String::from),
            to: Some(pr.level.clone()),
            score: Some(pr.score),
            contributions: pr.explanation.contributions.clone(),
            sla_due: None,
        }),
        reason,
    });
    t.priority = Some(pr);
    event
}
