//! Tickets: the customer request, its lifecycle, its thread and its event log.

mod actor;
mod channel;
mod comment;
mod event;
pub mod event_data;
mod fields;
mod handoff;
mod prediction;
mod status;

pub use actor::Actor;
pub use channel::Channel;
pub use comment::{Comment, CommentKind};
pub use event::{Event, EventKind};
pub use event_data::{EventData, FieldChange};
pub use fields::{
    check_tags, validate_body, validate_subject, validate_tags, MAX_BODY_CHARS, MAX_SUBJECT_CHARS, MAX_TAGS,
    TAG_PATTERN,
};
pub use handoff::{destination, validate_note, Handoff, HandoffTo, MAX_NOTE_CHARS};
pub use prediction::{applied, fill, needs_triage, settle, Driver, FieldPrediction, PredictionState, Predictions};
pub use status::{Status, TransitionError};

use crate::agent::Tier;
use crate::priority::{Explanation, Priority};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Typed custom-field values keyed by the field name declared in the policy.
pub type CustomFields = BTreeMap<String, serde_json::Value>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Ticket {
    pub id: i64,
    pub subject: String,
    pub body: String,
    pub channel: Channel,
    pub requester_id: i64,
    pub organization_id: i64,
    /// Request type / category, one of the policy's categories.
    pub category: Option<String>,
    pub impact: Option<String>,
    pub urgency: Option<String>,
    /// The priority decided: level, score, explanation and the policy version
    /// (shown as the flat fields `priority`, `priority_score`,
    /// `priority_explanation` and `policy_version`, null before one is decided).
    #[serde(flatten, with = "priority_fields")]
    #[schema(value_type = priority_fields::PriorityFields)]
    pub priority: Option<Priority>,
    pub status: Status,
    pub assignee_id: Option<i64>,
    pub team: Option<String>,
    pub tier: Option<Tier>,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub custom_fields: CustomFields,
    /// Identifier in the system the ticket was imported from.
    pub external_id: Option<String>,
    /// Optimistic-concurrency version, bumped by every change.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub solved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the next running SLA clock falls due (none while paused or met).
    pub sla_due_at: Option<DateTime<Utc>>,
    /// The version up to which the SLA outcomes its writes decided are on
    /// record (internal: the server settles every write).
    #[serde(skip)]
    #[schema(ignore)]
    pub sla_settled: i64,
    /// What the categorization models predicted on intake, per field (staff only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(value_type = Object)]
    pub predictions: Predictions,
    /// What the customer suggested for fields customers may not set (impact,
    /// urgency, category by default), until a person sets them (staff only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub suggested: BTreeMap<String, String>,
}

/// A validated ticket about to be stored. Build it with the policy's checks
/// ([`crate::policy::Policy::check_category`] and the like) and the field validators.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    pub subject: String,
    pub body: String,
    pub channel: Channel,
    pub requester_id: i64,
    pub organization_id: i64,
    pub category: Option<String>,
    pub impact: Option<String>,
    pub urgency: Option<String>,
    /// The priority decided on intake (or recorded by an import).
    pub priority: Option<Priority>,
    /// When the first SLA clock falls due (computed at creation).
    pub sla_due_at: Option<DateTime<Utc>>,
    /// When its first SLA warning falls, for the ticker.
    pub sla_alarm_at: Option<DateTime<Utc>>,
    /// What the customer is promised, recorded with the `created` event so a
    /// later change can be told.
    pub promise: Option<crate::sla::Promise>,
    /// Why routing gave it to `assignee_id`, when it did (kept in the `created` event).
    pub routing: Option<String>,
    /// Posted in the public thread as the first message from support; `{ticket}`
    /// in it becomes the new ticket's id.
    pub acknowledgment: Option<String>,
    pub status: Status,
    pub assignee_id: Option<i64>,
    pub team: Option<String>,
    pub tier: Option<Tier>,
    pub tags: Vec<String>,
    pub custom_fields: CustomFields,
    pub external_id: Option<String>,
    /// What the categorization models predicted (also logged in the `created` event).
    pub predictions: Predictions,
    /// What the customer suggested for fields they may not set.
    pub suggested: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    /// Who created it, for the event log.
    pub actor: Actor,
    /// `(scope, key)` of an `Idempotency-Key`: a second create with the same pair
    /// returns the first ticket instead of a new one.
    pub idempotency: Option<Idempotency>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    pub scope: String,
    pub key: String,
    /// Fingerprint of the request, to refuse a reused key with a different body.
    pub fingerprint: String,
}

/// A change to a ticket's editable fields; `None` leaves a field alone,
/// `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketPatch {
    pub subject: Option<String>,
    pub body: Option<String>,
    pub category: Option<Option<String>>,
    pub impact: Option<Option<String>>,
    pub urgency: Option<Option<String>>,
    pub assignee_id: Option<Option<i64>>,
    pub team: Option<Option<String>>,
    pub tier: Option<Option<Tier>>,
    pub tags: Option<Vec<String>>,
    pub custom_fields: Option<CustomFields>,
}

/// How a ticket's [`Priority`] reads in JSON: four flat fields, as the API has
/// always shown them (the engine's points stay internal).
pub mod priority_fields {
    use super::*;

    #[derive(Serialize, Deserialize, ToSchema)]
    pub struct PriorityFields {
        /// Priority level name (e.g. P2), from the policy's levels.
        pub priority: Option<String>,
        pub priority_score: Option<f64>,
        pub priority_explanation: Option<Explanation>,
        /// Version of the policy that scored this ticket.
        pub policy_version: Option<String>,
    }

    pub fn serialize<S: serde::Serializer>(p: &Option<Priority>, s: S) -> Result<S::Ok, S::Error> {
        PriorityFields {
            priority: p.as_ref().map(|p| p.level.clone()),
            priority_score: p.as_ref().map(|p| p.score),
            priority_explanation: p.as_ref().map(|p| p.explanation.clone()),
            policy_version: p.as_ref().map(|p| p.policy_version.clone()),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Priority>, D::Error> {
        let f = PriorityFields::deserialize(d)?;
        Ok(f.priority.map(|level| Priority {
            level,
            score: f.priority_score.unwrap_or_default(),
            explanation: f.priority_explanation.unwrap_or_default(),
            points: None,
            policy_version: f.policy_version.unwrap_or_default(),
        }))
    }
}

impl Ticket {
    /// The priority level's name, once one is decided.
    pub fn level(&self) -> Option<&str> {
        self.priority.as_ref().map(|p| p.level.as_str())
    }

    /// The priority score, once one is decided.
    pub fn score(&self) -> Option<f64> {
        self.priority.as_ref().map(|p| p.score)
    }

    /// How the priority was reached, once one is decided.
    pub fn explanation(&self) -> Option<&Explanation> {
        self.priority.as_ref().map(|p| &p.explanation)
    }
}

impl NewTicket {
    /// The priority level's name, once one is decided.
    pub fn level(&self) -> Option<&str> {
        self.priority.as_ref().map(|p| p.level.as_str())
    }
}

impl TicketPatch {
    pub fn is_empty(&self) -> bool {
        *self == TicketPatch::default()
    }
}

impl Ticket {
    /// Moves the ticket to `to` if the lifecycle allows it, keeping the
    /// solved/closed timestamps right (a reopened ticket is no longer solved).
    pub fn transition(&mut self, to: Status, at: DateTime<Utc>) -> Result<Status, TransitionError> {
        let from = self.status;
        self.status = from.transition(to)?;
        match to {
            Status::Solved => self.solved_at = Some(at),
            Status::Closed => {
                self.closed_at = Some(at);
                self.solved_at.get_or_insert(at);
            }
            _ => self.solved_at = None,
        }
        Ok(from)
    }

    /// A new message on the ticket at `at`: an agent's public reply is its first
    /// response (once) and opens a new ticket; a customer's reply reopens one
    /// waiting on them or solved. Returns the status it left and why it moved.
    pub fn on_message(
        &mut self,
        from_staff: bool,
        kind: CommentKind,
        at: DateTime<Utc>,
    ) -> Result<Option<(Status, Status, &'static str)>, TransitionError> {
        let public_answer = from_staff && kind == CommentKind::Public;
        if public_answer && self.first_response_at.is_none() {
            self.first_response_at = Some(at);
        }
        let to = match (from_staff, self.status) {
            (true, Status::New) if public_answer => (Status::Open, "first public reply"),
            (false, Status::PendingCustomer | Status::Solved) => (Status::Open, "the customer replied"),
            _ => return Ok(None),
        };
        let from = self.transition(to.0, at)?;
        Ok(Some((from, to.0, to.1)))
    }

    /// Applies `patch`, returning the changed fields (empty when nothing changed).
    pub fn apply(&mut self, patch: &TicketPatch) -> Vec<FieldChange> {
        let mut changes = Vec::new();
        fn set<T: PartialEq + Clone + Serialize>(
            changes: &mut Vec<FieldChange>,
            field: &'static str,
            slot: &mut T,
            new: &Option<T>,
        ) {
            if let Some(v) = new {
                if slot != v {
                    changes.push(FieldChange::new(field, &*slot, v));
                    *slot = v.clone();
                }
            }
        }
        set(&mut changes, "subject", &mut self.subject, &patch.subject);
        set(&mut changes, "body", &mut self.body, &patch.body);
        set(&mut changes, "category", &mut self.category, &patch.category);
        set(&mut changes, "impact", &mut self.impact, &patch.impact);
        set(&mut changes, "urgency", &mut self.urgency, &patch.urgency);
        set(&mut changes, "assignee_id", &mut self.assignee_id, &patch.assignee_id);
        set(&mut changes, "team", &mut self.team, &patch.team);
        set(&mut changes, "tier", &mut self.tier, &patch.tier);
        set(&mut changes, "tags", &mut self.tags, &patch.tags);
        set(&mut changes, "custom_fields", &mut self.custom_fields, &patch.custom_fields);
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn sample() -> Ticket {
        let t = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
        Ticket {
            id: 1,
            subject: "Card not arrived".into(),
            body: "Still waiting".into(),
            channel: Channel::Email,
            requester_id: 1,
            organization_id: 1,
            category: None,
            impact: None,
            urgency: None,
            priority: None,
            status: Status::New,
            assignee_id: None,
            team: None,
            tier: None,
            tags: vec![],
            custom_fields: CustomFields::new(),
            external_id: None,
            version: 1,
            created_at: t,
            updated_at: t,
            first_response_at: None,
            solved_at: None,
            closed_at: None,
            sla_due_at: None,
            sla_settled: 0,
            predictions: Predictions::new(),
            suggested: BTreeMap::new(),
        }
    }

    #[test]
    fn apply_reports_only_real_changes() {
        let mut t = sample();
        let patch = TicketPatch {
            subject: Some("Card not arrived".into()),
            category: Some(Some("cards".into())),
            tags: Some(vec!["vip".into()]),
            ..Default::default()
        };
        let changes = t.apply(&patch);
        let names: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(names, ["category", "tags"]);
        assert_eq!(t.category.as_deref(), Some("cards"));
        assert_eq!(changes[0].from, Some(serde_json::Value::Null));
        assert!(t.apply(&patch).is_empty(), "re-applying is a no-op");
    }

    #[test]
    fn reopening_clears_solved_and_closing_is_final() {
        let mut t = sample();
        let at = t.created_at;
        t.transition(Status::Solved, at).unwrap();
        assert_eq!(t.solved_at, Some(at));
        assert_eq!(t.transition(Status::Open, at).unwrap(), Status::Solved);
        assert_eq!(t.solved_at, None);
        t.transition(Status::Solved, at).unwrap();
        t.transition(Status::Closed, at).unwrap();
        assert!(t.transition(Status::Open, at).is_err());
        assert_eq!(t.status, Status::Closed, "a refused transition changes nothing");
    }

    #[test]
    fn clearing_a_field_is_a_change() {
        let mut t = sample();
        t.category = Some("cards".into());
        let changes = t.apply(&TicketPatch { category: Some(None), ..Default::default() });
        assert_eq!(changes.len(), 1);
        assert_eq!(t.category, None);
    }
}

#[cfg(test)]
mod reply_tests;
