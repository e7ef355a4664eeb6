//! A ticket's SLA clocks in the server: its organization's SLA policy (the
//! contract's, else the plan's), that policy's calendar (or the organization's
//! own), and the ticket's history from the event log and the public thread. The
//! rules are `triage_core::sla`; this module gathers what they need.
//!
//! - `follow`: after each write, record the outcomes it decided and store the
//!   next due time and the ticker's alarm.
//! - [`ticker`]: act on warnings and breaches as they fall (escalations).
//! - `settle`: record each clock run's outcome when it is decided, for good.

mod follow;
pub(crate) mod forecast;
pub mod notice;
mod settle;
pub mod ticker;

pub(crate) use follow::refresh;
pub use settle::settle_backlog;

use crate::error::ApiResult;
use crate::prioritize;
use crate::state::AppState;
use triage_core::sla::{ticket_sla, History, Outcome, TicketSla};
use triage_core::ticket::{Comment, Event, EventData, EventKind, Ticket};

pub(crate) use triage_core::intake::Terms;

/// The SLA terms in force for a customer (see [`triage_core::intake::terms`]).
pub(crate) fn terms<'p>(s: &'p AppState, c: &prioritize::Customer) -> Option<Terms<'p>> {
    triage_core::intake::terms(&s.policy, c)
}

/// A ticket's history as the clocks read it, from its events and public thread.
pub(crate) async fn history(s: &AppState, t: &Ticket) -> ApiResult<(History, Vec<Event>)> {
    let events = s.store.list_events(t.id).await?;
    let comments = s.store.list_comments(t.id, false).await?;
    Ok((history_of(t, &events, &comments), events))
}

/// [`history`] from the events and public comments in hand.
pub(crate) fn history_of(t: &Ticket, events: &[Event], public: &[Comment]) -> History {
    let mut h = History::new(t.created_at.timestamp_millis(), t.solved_at.map(|x| x.timestamp_millis()));
    for e in events {
        if let Some(st) = e.data.status_entered() {
            h.status(e.at.timestamp_millis(), st, e.kind != EventKind::StatusChanged);
        }
    }
    for c in public {
        h.reply(c.created_at.timestamp_millis(), c.author);
    }
    h
}

/// A ticket's next due time at any level, from its history: re-prioritizing
/// asks it with the level the score gives without SLA points, so the SLA
/// strategy counts the targets of the level the ticket is moving to (a priority
/// change re-targets the running clocks), not the stored due time.
pub(crate) struct DueAt<'p> {
    terms: Terms<'p>,
    history: History,
    now_ms: i64,
}

impl DueAt<'_> {
    pub fn due(&self, level: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        ticket_sla(self.terms.def, &self.terms.cal, level, &self.history, self.now_ms).next_due()
    }
}

pub(crate) async fn due_at<'p>(s: &'p AppState, c: &prioritize::Customer, t: &Ticket) -> ApiResult<Option<DueAt<'p>>> {
    let Some(terms) = terms(s, c) else { return Ok(None) };
    let (history, _) = history(s, t).await?;
    Ok(Some(DueAt { terms, history, now_ms: s.now().timestamp_millis() }))
}

/// The time zone a ticket's customer reads their promise in: the requester's
/// own, else their organization's, else the SLA calendar's.
pub(crate) async fn customer_tz(
    s: &AppState,
    t: &Ticket,
    c: &prioritize::Customer,
    cal: chrono_tz::Tz,
) -> chrono_tz::Tz {
    let contact = s.contacts.by_id(&s.store, t.requester_id).await.ok().and_then(|c| c.timezone);
    reading_tz(contact.as_deref(), &c.org.timezone, cal)
}

/// [`customer_tz`] from the requester's and the organization's zones in hand.
pub(crate) fn reading_tz(contact: Option<&str>, org: &str, cal: chrono_tz::Tz) -> chrono_tz::Tz {
    contact.and_then(|z| z.parse().ok()).or_else(|| org.parse().ok()).unwrap_or(cal)
}

/// Everything about a ticket's SLA at one instant.
pub(crate) struct SlaState {
    pub customer: prioritize::Customer,
    pub policy_name: String,
    /// The clocks, with the outcomes on record made final.
    pub sla: TicketSla,
    /// The outcomes on record.
    pub outcomes: Vec<Outcome>,
    pub events: Vec<Event>,
    pub tz: chrono_tz::Tz,
}

/// The ticket's clocks now, with what they were computed from; `None` when its
/// organization has no SLA policy or the ticket has no level. Runs whose
/// outcome is on record keep it, whatever the level or policy says now.
pub(crate) async fn status(s: &AppState, t: &Ticket) -> ApiResult<Option<SlaState>> {
    if t.priority.is_none() {
        return Ok(None);
    }
    let customer = prioritize::customer(s, t.organization_id).await?;
    if terms(s, &customer).is_none() {
        return Ok(None);
    }
    let events = s.store.list_events(t.id).await?;
    let public = s.store.list_comments(t.id, false).await?;
    let outcomes = s.store.outcomes(t.id).await?;
    status_of(s, t, customer, events, &public, outcomes).await
}

/// [`status`] from the ticket's customer, events, public comments and
/// outcomes on record in hand (the ticker reads them for a whole batch at once).
pub(crate) async fn status_of(
    s: &AppState,
    t: &Ticket,
    customer: prioritize::Customer,
    events: Vec<Event>,
    public: &[Comment],
    outcomes: Vec<Outcome>,
) -> ApiResult<Option<SlaState>> {
    let Some(level) = t.level() else { return Ok(None) };
    let Some(terms) = terms(s, &customer) else { return Ok(None) };
    let h = history_of(t, &events, public);
    let mut sla = ticket_sla(terms.def, &terms.cal, level, &h, s.now().timestamp_millis());
    let tz = customer_tz(s, t, &customer, terms.cal.tz).await;
    sla.apply_outcomes(&outcomes, &s.policy.version, tz);
    Ok(Some(SlaState { policy_name: terms.name, tz, sla, outcomes, events, customer }))
}

/// The ticket's clocks now; `None` when its organization has no SLA policy or
/// the ticket has no level.
pub(crate) async fn of(s: &AppState, t: &Ticket) -> ApiResult<Option<TicketSla>> {
    Ok(status(s, t).await?.map(|x| x.sla))
}

/// A ticket's clocks as they read at `at` (now or in the past): its history up
/// to then, the level it had then, the plan then in force. Returns the level too.
pub(crate) async fn at(
    s: &AppState,
    t: &Ticket,
    at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Option<(String, String, TicketSla)>> {
    let customer = prioritize::customer_at(s, t.organization_id, at).await?;
    let Some(terms) = terms(s, &customer) else { return Ok(None) };
    let (h, events) = history(s, t).await?;
    let at_ms = at.timestamp_millis();
    let mut level = None;
    for e in events.iter().filter(|e| e.at.timestamp_millis() <= at_ms) {
        match &e.data {
            EventData::Created(o) | EventData::Imported(o) => level = o.priority.clone(),
            EventData::PriorityChanged(p) => level = p.to.clone().or(level),
            _ => {}
        }
    }
    let Some(level) = level.or_else(|| t.level().map(String::from)) else { return Ok(None) };
    let mut sla = ticket_sla(terms.def, &terms.cal, &level, &h.as_of(at_ms), at_ms);
    let decided: Vec<Outcome> = s.store.outcomes(t.id).await?.into_iter().filter(|o| o.decided_ms <= at_ms).collect();
    let tz = customer_tz(s, t, &customer, terms.cal.tz).await;
    sla.apply_outcomes(&decided, &s.policy.version, tz);
    Ok(Some((terms.name, level, sla)))
}
