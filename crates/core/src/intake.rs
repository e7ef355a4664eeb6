//! A new ticket's priority and SLA clocks, decided together: the pure part of
//! intake. Every channel (the API, imports, later e-mail and the portal) asks
//! [`open`] through the server's one `open_ticket`; nothing here reads a
//! database or the system clock.
//!
//! The level picks the SLA targets and the targets give the SLA points of the
//! score. [`open`] settles that in two plain steps: the level is decided from
//! criteria (time plays no part in it), the clocks start at that level, and
//! the score counts the due time those clocks give.

use crate::organization::Organization;
use crate::plan::SupportPlan;
use crate::policy::{Policy, SlaPolicyDef};
use crate::priority::{decide_with_due, EmotionSignals, Facts, Override, Priority, SurgeRule};
use crate::sla::{due_triggers, ticket_sla, Calendar, History, TicketSla};
use crate::ticket::{CustomFields, PredictionState, Predictions, Ticket};
use chrono::{DateTime, Utc};
use std::borrow::Cow;

/// The customer side of a ticket: its organization and the plan in force.
#[derive(Debug, Clone)]
pub struct Customer {
    pub org: Organization,
    pub plan: Option<SupportPlan>,
}

/// The ticket side: what the requester and agents said about it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub impact: Option<&'a str>,
    pub urgency: Option<&'a str>,
    pub category: Option<&'a str>,
    pub created_at: DateTime<Utc>,
    pub custom_fields: &'a CustomFields,
    /// The customer's words: subject and body (and their replies, later).
    pub text: &'a str,
    /// When the next SLA clock falls due.
    pub sla_due: Option<DateTime<Utc>>,
    /// The predicted urgency and its confidence, unless a person set the urgency.
    pub ai_urgency: Option<(&'a str, f64)>,
}

impl<'a> Request<'a> {
    /// A stored ticket as the engine reads it, with the customer's words `text`.
    pub fn of(t: &'a Ticket, text: &'a str) -> Self {
        Request {
            impact: t.impact.as_deref(),
            urgency: t.urgency.as_deref(),
            category: t.category.as_deref(),
            created_at: t.created_at,
            custom_fields: &t.custom_fields,
            text,
            sla_due: t.sla_due_at,
            ai_urgency: ai_urgency(&t.predictions),
        }
    }
}

/// The AI urgency a ticket's score counts: the predicted urgency and its
/// confidence, unless a person has set the urgency.
pub fn ai_urgency(p: &Predictions) -> Option<(&str, f64)> {
    p.get("urgency")
        .filter(|f| matches!(f.state, PredictionState::Applied | PredictionState::Suggested))
        .map(|f| (f.value.as_str(), f64::from(f.confidence)))
}

/// Subject and body: the text the emotion strategy reads.
pub fn text_of(subject: &str, body: &str) -> String {
    format!("{subject}\n{body}")
}

impl Customer {
    /// The facts the priority engine weighs for request `r` from this customer
    /// (`emotion`: what [`EmotionSignals::scan`] found in `r.text`).
    pub fn facts<'a>(&'a self, r: &Request<'a>, emotion: &'a EmotionSignals) -> Facts<'a> {
        let boost = self.org.contract.priority_boost.or(self.plan.as_ref().map(|p| p.priority_boost));
        Facts {
            impact: r.impact,
            urgency: r.urgency,
            category: r.category,
            created_at: r.created_at,
            account_type: &self.org.account_type,
            vip: self.org.vip,
            customer_category: &self.org.customer_category,
            persona: self.org.persona.as_deref(),
            annual_value: self.org.annual_value,
            seats: self.org.seats,
            plan: self.plan.as_ref().map(|p| (p.name.as_str(), boost.unwrap_or(0.0))),
            emotion,
            ai_urgency: r.ai_urgency,
            sla_due: r.sla_due,
            custom_fields: r.custom_fields,
        }
    }
}

/// The SLA policy in force for a customer, with its name and the calendar it
/// counts on (the organization's contract may name its own calendar).
pub struct Terms<'p> {
    pub name: String,
    pub def: &'p SlaPolicyDef,
    /// The policy's calendar, borrowed; or one made for this customer.
    pub cal: Cow<'p, Calendar>,
}

/// The customer's SLA terms: the contract's SLA policy, else the plan's; `None`
/// when neither names one the policy has.
pub fn terms<'p>(policy: &'p Policy, c: &Customer) -> Option<Terms<'p>> {
    let name = c.org.contract.sla_policy.clone().or_else(|| c.plan.as_ref().map(|p| p.sla_policy.clone()))?;
    let def = policy.sla_policy(&name)?;
    let cal_name = c.org.contract.calendar.as_deref().or(def.calendar.as_deref());
    let cal = match cal_name.and_then(|c| policy.calendar(c)) {
        Some(c) => Cow::Borrowed(&c.compiled),
        // Around the clock: time counts the same everywhere, so the customer's
        // own zone words the promise.
        None => c
            .org
            .timezone
            .parse::<chrono_tz::Tz>()
            .ok()
            .and_then(|tz| Calendar::new(tz, None, vec![]).ok())
            .map_or_else(|| Cow::Owned(Calendar::always()), Cow::Owned),
    };
    Some(Terms { name, def, cal })
}

impl Terms<'_> {
    /// The clocks of a ticket created at `created` at `level`, read at `now`,
    /// with nothing happened yet.
    pub fn new_ticket(&self, level: &str, created: DateTime<Utc>, now: DateTime<Utc>) -> TicketSla {
        let history = History::new(created.timestamp_millis(), None);
        ticket_sla(self.def, &self.cal, level, &history, now.timestamp_millis())
    }
}

/// A new ticket's priority, its clocks and the ticker's first alarm.
#[derive(Debug, Clone)]
pub struct Opening {
    pub priority: Priority,
    /// The clocks at the level decided, worded in the customer's zone; `None`
    /// when the customer has no SLA terms.
    pub sla: Option<TicketSla>,
    /// When the ticker first looks at the ticket (its first warning or breach).
    pub alarm_ms: Option<i64>,
}

impl Opening {
    /// When the next SLA clock falls due.
    pub fn sla_due(&self) -> Option<DateTime<Utc>> {
        self.sla.as_ref().and_then(TicketSla::next_due)
    }
}

/// Decides a new ticket's priority and starts its SLA clocks at `now`.
///
/// `terms` with the zone the customer reads their promise in; `over` is an
/// agent's level, which picks the targets like a computed one. The level comes
/// first (criteria only); the clocks start at it; the score then counts the
/// due time of those clocks, so the SLA strategy and the promise agree.
pub fn open(
    policy: &Policy,
    customer: &Customer,
    request: &Request,
    terms: Option<(&Terms, chrono_tz::Tz)>,
    now: DateTime<Utc>,
    surge: Option<&SurgeRule>,
    over: Option<&Override>,
) -> Opening {
    let emotion = EmotionSignals::scan(request.text, &policy.priority.emotion);
    let facts = customer.facts(&Request { sla_due: None, ..*request }, &emotion);
    let created = request.created_at;
    let due_at = |level: &str| terms.and_then(|(t, _)| t.new_ticket(level, created, now).next_due());
    let (priority, _) = decide_with_due(policy, &facts, now, surge, over, due_at);
    let sla = terms.map(|(t, tz)| {
        let mut sla = t.new_ticket(&priority.level, created, now);
        sla.reword(tz);
        sla
    });
    let alarm_ms = sla.as_ref().and_then(|s| due_triggers(s, &[], now.timestamp_millis()).1);
    Opening { priority, sla, alarm_ms }
}

#[cfg(test)]
mod tests;
