//! Opening a ticket, for every channel: predict the fields nobody set, decide
//! the priority and start the SLA clocks (the pure part is
//! [`triage_core::intake::open`]), push it to an agent, forecast the first
//! response, word the acknowledgment, store it.
//!
//! The API's `POST /api/v1/tickets` and `triage import` both call
//! [`open_ticket`] (import through [`prepare`], to store its rows in batches).
//! What an import of history does differently is one named option,
//! [`Arrival::Historic`].

use crate::error::ApiResult;
use crate::prioritize;
use crate::sla::forecast::ExpectedResponse;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use triage_core::contact::Contact;
use triage_core::intake::{text_of, Request};
use triage_core::priority::{recorded_priority, severity_priority, Override, Priority};
use triage_core::sla::TicketSla;
use triage_core::ticket::{Actor, Channel, CustomFields, Idempotency, NewTicket, Predictions, Status, Ticket};

/// A new ticket as a channel hands it over, each field already checked.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub subject: String,
    pub body: String,
    pub channel: Channel,
    pub requester: Contact,
    pub category: Option<String>,
    pub impact: Option<String>,
    pub urgency: Option<String>,
    pub tags: Vec<String>,
    pub custom_fields: CustomFields,
    /// A level an agent set, with why.
    pub over: Option<Override>,
    /// An agent named for it; nobody named, routing may push it to one.
    pub assignee_id: Option<i64>,
    pub external_id: Option<String>,
    /// What the customer suggested for fields they may not set.
    pub suggested: BTreeMap<String, String>,
    pub idempotency: Option<Idempotency>,
    /// The categorization models' predictions when the channel has them
    /// already (an exported ticket); `None`: predict now.
    pub predictions: Option<Predictions>,
    /// When it arrived: now for a live channel, the source's time for an import.
    pub created_at: DateTime<Utc>,
    pub status: Status,
    pub actor: Actor,
}

/// How a ticket arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    /// A request someone waits on: prioritized on everything known about the
    /// customer, SLA clocks started from `created_at`, pushed to an agent by
    /// its team's strategy, acknowledged with its promise. Every channel, and
    /// an import's rows that are still open.
    Live,
    /// History from another system (an import's solved and closed rows, or a
    /// Triage export): nobody waits on it, so no SLA clocks, no routing and no
    /// acknowledgment. Its priority is the level the source recorded, else its
    /// severity (impact × urgency): the customer's segments then are unknown.
    Historic { recorded_level: Option<String> },
}

/// A ticket ready to store, with what its channel may tell the requester.
#[derive(Debug)]
pub struct Prepared {
    pub ticket: NewTicket,
    /// Its clocks, in the requester's time zone (live tickets with SLA terms).
    pub sla: Option<TicketSla>,
    /// When the requester can expect a first response, in words.
    pub expected: Option<ExpectedResponse>,
}

/// A ticket stored by [`open_ticket`].
#[derive(Debug)]
pub struct Opened {
    pub ticket: Ticket,
    /// False when an `Idempotency-Key` replayed an earlier request: `ticket` is
    /// the one that request created, and nothing else happened.
    pub created: bool,
    pub sla: Option<TicketSla>,
    pub expected: Option<ExpectedResponse>,
}

/// Opens a ticket: [`prepare`]s it, stores it and counts the work given to
/// its agent.
pub async fn open_ticket(s: &AppState, req: NewRequest, arrival: Arrival) -> ApiResult<Opened> {
    let p = prepare(s, req, arrival).await?;
    let level = p.ticket.level().map(String::from);
    let (ticket, created) = s.store.create_ticket(p.ticket).await?;
    if !created {
        return Ok(Opened { ticket, created, sla: None, expected: None });
    }
    metrics::counter!("triage_tickets_created_total").increment(1);
    s.followup.wrote(s, &ticket);
    if let Some(agent) = ticket.assignee_id {
        s.routing.assigned(&s.policy, agent, level.as_deref(), s.now().timestamp_millis());
    }
    Ok(Opened { ticket, created, sla: p.sla, expected: p.expected })
}

/// Everything [`open_ticket`] decides before it stores: the new ticket with
/// its predictions, priority, clocks, first alarm, agent and acknowledgment.
/// Reads the customer; writes nothing.
pub async fn prepare(s: &AppState, mut req: NewRequest, arrival: Arrival) -> ApiResult<Prepared> {
    let now = s.now();
    let customer = prioritize::customer(s, req.requester.organization_id).await?;
    let text = text_of(&req.subject, &req.body);
    // The models read the text: confident predictions fill the fields nobody
    // set, doubtful ones wait for a person (needs triage).
    let predictions = match req.predictions.take() {
        Some(p) => p,
        None => s.models.intake().predict_and_fill(
            &text,
            &mut req.category,
            &mut req.impact,
            &mut req.urgency,
            &mut req.custom_fields,
        ),
    };
    let category = req.category.as_deref().and_then(|c| s.policy.category(c));
    let team = category.map(|c| (c.team.clone(), c.tier));
    let (priority, live) = match &arrival {
        Arrival::Historic { recorded_level } => {
            let (i, u) = (req.impact.as_deref(), req.urgency.as_deref());
            let pr = match recorded_level {
                Some(level) => recorded_priority(&s.policy, level, i, u),
                None => severity_priority(&s.policy, i, u),
            };
            (pr, None)
        }
        Arrival::Live => {
            let request = Request {
                impact: req.impact.as_deref(),
                urgency: req.urgency.as_deref(),
                category: req.category.as_deref(),
                created_at: req.created_at,
                custom_fields: &req.custom_fields,
                text: &text,
                sla_due: None,
                ai_urgency: crate::categorize::ai_urgency(&predictions),
            };
            let terms = crate::sla::terms(s, &customer);
            // The customer reads the promise in their own time zone.
            let tz = terms
                .as_ref()
                .map(|t| crate::sla::reading_tz(req.requester.timezone.as_deref(), &customer.org.timezone, t.cal.tz));
            let terms_tz = terms.as_ref().zip(tz);
            let o =
                triage_core::intake::open(&s.policy, &customer, &request, terms_tz, now, s.surge(), req.over.as_ref());
            (o.priority.clone(), Some((o, terms, tz)))
        }
    };
    // Push: the team's strategy offers a live ticket to the best qualified
    // agent with room (unless someone was named, the team is pull-only, or
    // nobody has room: then it waits in the team's queue).
    let pushed = match (&live, req.assignee_id, category) {
        (Some(_), None, Some(c)) => {
            s.routing.choose(&s.policy, &crate::routing::Work { category: c, level: Some(&priority.level) })
        }
        _ => None,
    };
    let assigned = req.assignee_id.is_some() || pushed.is_some();
    let mut out = Prepared { ticket: new_ticket(req, priority, predictions, team), sla: None, expected: None };
    out.ticket.assignee_id = out.ticket.assignee_id.or(pushed.as_ref().map(|c| c.agent_id));
    out.ticket.routing = pushed.map(|c| c.reason);
    if let Some((o, Some(terms), Some(tz))) = live {
        if let Some(sla) = &o.sla {
            // With an agent already, the queue ahead does not apply: the promise alone.
            let expected = crate::sla::forecast::expected(s, sla, &terms.cal, tz, o.priority.score, now, assigned);
            let t = &mut out.ticket;
            t.acknowledgment = Some(crate::sla::notice::acknowledgment(s, &t.subject, sla, &expected.text));
            t.sla_due_at = o.sla_due();
            t.sla_alarm_at = o.alarm_ms.and_then(DateTime::from_timestamp_millis);
            t.promise = sla.promise_record();
            out.expected = Some(expected);
        }
        out.sla = o.sla;
    }
    Ok(out)
}

/// The ticket to store from a checked request and what was decided about it;
/// clocks, alarm, promise, acknowledgment and routing are filled by the caller.
fn new_ticket(
    req: NewRequest,
    priority: Priority,
    predictions: Predictions,
    team: Option<(String, triage_core::agent::Tier)>,
) -> NewTicket {
    NewTicket {
        subject: req.subject,
        body: req.body,
        channel: req.channel,
        requester_id: req.requester.id,
        organization_id: req.requester.organization_id,
        category: req.category,
        impact: req.impact,
        urgency: req.urgency,
        priority: Some(priority),
        sla_due_at: None,
        sla_alarm_at: None,
        promise: None,
        routing: None,
        acknowledgment: None,
        status: req.status,
        assignee_id: req.assignee_id,
        team: team.as_ref().map(|t| t.0.clone()),
        tier: team.map(|t| t.1),
        tags: req.tags,
        custom_fields: req.custom_fields,
        external_id: req.external_id,
        predictions,
        suggested: req.suggested,
        created_at: req.created_at,
        actor: req.actor,
        idempotency: req.idempotency,
    }
}
