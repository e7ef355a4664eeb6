//! What each kind of event says: one typed payload per [`EventKind`],
//! serialized as the `data` object the event API has always shown (and read
//! back from rows stored before these types existed).

use super::{Channel, CommentKind, EventKind, Handoff, Status, Tier};
use crate::priority::Contribution;
use crate::routing::Landing;
use crate::sla::{ClockName, Promise};
use crate::ticket::Predictions;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// An event's payload, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum EventData {
    Created(Opened),
    Imported(Opened),
    FieldsChanged(FieldsChanged),
    StatusChanged(StatusChanged),
    CommentAdded(CommentAdded),
    PriorityChanged(PriorityChanged),
    SlaWarning(SlaFell),
    SlaBreached(SlaFell),
    PromiseChanged(PromiseChanged),
    Escalated(HandedOff),
    Deescalated(HandedOff),
    Labelled(Label),
}

impl EventData {
    pub fn kind(&self) -> EventKind {
        match self {
            EventData::Created(_) => EventKind::Created,
            EventData::Imported(_) => EventKind::Imported,
            EventData::FieldsChanged(_) => EventKind::FieldsChanged,
            EventData::StatusChanged(_) => EventKind::StatusChanged,
            EventData::CommentAdded(_) => EventKind::CommentAdded,
            EventData::PriorityChanged(_) => EventKind::PriorityChanged,
            EventData::SlaWarning(_) => EventKind::SlaWarning,
            EventData::SlaBreached(_) => EventKind::SlaBreached,
            EventData::PromiseChanged(_) => EventKind::PromiseChanged,
            EventData::Escalated(_) => EventKind::Escalated,
            EventData::Deescalated(_) => EventKind::Deescalated,
            EventData::Labelled(_) => EventKind::Labelled,
        }
    }

    /// Reads a stored payload of `kind`.
    pub fn read(kind: EventKind, v: Value) -> Result<EventData, serde_json::Error> {
        use serde_json::from_value as f;
        Ok(match kind {
            EventKind::Created => EventData::Created(f(v)?),
            EventKind::Imported => EventData::Imported(f(v)?),
            EventKind::FieldsChanged => EventData::FieldsChanged(f(v)?),
            EventKind::StatusChanged => EventData::StatusChanged(f(v)?),
            EventKind::CommentAdded => EventData::CommentAdded(f(v)?),
            EventKind::PriorityChanged => EventData::PriorityChanged(f(v)?),
            EventKind::SlaWarning => EventData::SlaWarning(f(v)?),
            EventKind::SlaBreached => EventData::SlaBreached(f(v)?),
            EventKind::PromiseChanged => EventData::PromiseChanged(f(v)?),
            EventKind::Escalated => EventData::Escalated(f(v)?),
            EventKind::Deescalated => EventData::Deescalated(f(v)?),
            EventKind::Labelled => EventData::Labelled(f(v)?),
        })
    }

    /// The status a ticket entered by this event (created, imported or changed).
    pub fn status_entered(&self) -> Option<Status> {
        match self {
            EventData::Created(o) | EventData::Imported(o) => o.status,
            EventData::StatusChanged(c) => c.to,
            _ => None,
        }
    }

    /// The field changes, for a `fields_changed` event.
    pub fn changes(&self) -> &[FieldChange] {
        match self {
            EventData::FieldsChanged(f) => &f.changes,
            _ => &[],
        }
    }
}

impl Serialize for EventData {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EventData::Created(x) | EventData::Imported(x) => x.serialize(s),
            EventData::FieldsChanged(x) => x.serialize(s),
            EventData::StatusChanged(x) => x.serialize(s),
            EventData::CommentAdded(x) => x.serialize(s),
            EventData::PriorityChanged(x) => x.serialize(s),
            EventData::SlaWarning(x) | EventData::SlaBreached(x) => x.serialize(s),
            EventData::PromiseChanged(x) => x.serialize(s),
            EventData::Escalated(x) | EventData::Deescalated(x) => x.serialize(s),
            EventData::Labelled(x) => x.serialize(s),
        }
    }
}

/// A present key keeps its value, `null` included; an absent key is `None`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// `created` and `imported`: the ticket as it was opened.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Opened {
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub priority_score: Option<f64>,
    #[serde(default)]
    pub policy_version: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub assignee_id: Option<i64>,
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub tier: Option<Tier>,
    /// What the customer was told to expect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promise: Option<Promise>,
    /// Why it went to its agent (or waits), in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub predictions: Predictions,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub suggested: BTreeMap<String, String>,
}

/// One field a change set, with its value before and after (either left out
/// where it is not recorded, e.g. erased personal data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub from: Option<Value>,
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub to: Option<Value>,
}

impl FieldChange {
    /// `field` went from `from` to `to`.
    pub fn new(field: &str, from: impl Serialize, to: impl Serialize) -> FieldChange {
        FieldChange {
            field: field.to_string(),
            from: Some(serde_json::to_value(from).unwrap_or_default()),
            to: Some(serde_json::to_value(to).unwrap_or_default()),
        }
    }

    /// `field` was set to `to` (what it was before is not recorded).
    pub fn set(field: &str, to: impl Serialize) -> FieldChange {
        FieldChange { field: field.to_string(), from: None, to: Some(serde_json::to_value(to).unwrap_or_default()) }
    }

    /// The value before, as an agent id (assignee changes).
    pub fn from_id(&self) -> Option<i64> {
        self.from.as_ref().and_then(Value::as_i64)
    }

    /// The value after, as an agent id (assignee changes).
    pub fn to_id(&self) -> Option<i64> {
        self.to.as_ref().and_then(Value::as_i64)
    }

    /// The value after, as text (team, tier).
    pub fn to_str(&self) -> Option<&str> {
        self.to.as_ref().and_then(Value::as_str)
    }
}

/// A requester's personal data erased from the ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Erased {
    pub contact_id: i64,
    pub replies: u64,
    pub by: String,
}

/// `fields_changed`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FieldsChanged {
    #[serde(default)]
    pub changes: Vec<FieldChange>,
    /// Made by an SLA escalation rule (not a person).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sla_escalation: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased: Option<Erased>,
}

impl FieldsChanged {
    pub fn of(changes: Vec<FieldChange>) -> EventData {
        EventData::FieldsChanged(FieldsChanged { changes, ..Default::default() })
    }
}

/// `status_changed`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StatusChanged {
    #[serde(default)]
    pub from: Option<Status>,
    #[serde(default)]
    pub to: Option<Status>,
}

impl StatusChanged {
    pub fn of(from: Status, to: Status) -> EventData {
        EventData::StatusChanged(StatusChanged { from: Some(from), to: Some(to) })
    }
}

/// `comment_added`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentAdded {
    pub comment_id: i64,
    pub kind: CommentKind,
}

/// The next SLA due time before and after a change of level re-targeted it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueMoved {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// `priority_changed`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PriorityChanged {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub score: Option<f64>,
    #[serde(default)]
    pub contributions: Vec<Contribution>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_due: Option<DueMoved>,
}

/// One escalation rule's move and where it landed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moved {
    pub escalation: String,
    pub landing: Landing,
}

/// `sla_warning` and `sla_breached`: which clock, its target, and what the
/// escalation rules did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaFell {
    pub clock: ClockName,
    pub due: Option<DateTime<Utc>>,
    pub target_seconds: i64,
    pub level: String,
    pub run_started: Option<DateTime<Utc>>,
    /// The trigger's key: one event per kind and run of a clock.
    pub trigger: String,
    pub policy: String,
    #[serde(default)]
    pub escalations: Vec<String>,
    #[serde(default)]
    pub notified: Vec<String>,
    #[serde(default)]
    pub reassign: Vec<Moved>,
}

/// `promise_changed`: what the customer is told now, and before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromiseChanged {
    pub promise: Promise,
    pub before: Promise,
}

/// Where a hand-off was asked to go.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Asked {
    pub team: Option<String>,
    pub tier: Option<Tier>,
}

/// `escalated` and `deescalated`: the hand-off note, who had it, where it was
/// asked to go and where it landed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandedOff {
    #[serde(flatten)]
    pub handoff: Handoff,
    #[serde(default)]
    pub from_assignee_id: Option<i64>,
    #[serde(default)]
    pub asked: Asked,
    pub landing: Option<Landing>,
}

/// `labelled`: a person set a field a model predicts (a label for the next
/// training), with the prediction it confirmed or corrected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    pub target: String,
    /// The value set (`None`: cleared).
    pub label: Option<String>,
    /// The field's value before.
    pub previous: Option<String>,
    /// What the model had predicted, its confidence and model, and the
    /// prediction's state before (`applied` or `suggested`, ...).
    pub predicted: Option<String>,
    pub confidence: Option<f64>,
    pub model_id: Option<i64>,
    pub prediction_state: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Rows stored before the types existed read back and write out the same.
    #[test]
    fn stored_payloads_round_trip_unchanged() {
        let rows = [
            (EventKind::FieldsChanged, json!({"changes": [{"field": "assignee_id", "from": null, "to": 4}]})),
            (EventKind::FieldsChanged, json!({"changes": [{"field": "policy_version", "to": "v2"}]})),
            (
                EventKind::FieldsChanged,
                json!({"changes": [{"field": "subject"}, {"field": "body"}],
                       "erased": {"contact_id": 3, "replies": 2, "by": "agent:1"}}),
            ),
            (
                EventKind::FieldsChanged,
                json!({"changes": [{"field": "tier", "from": "L1", "to": "L2"}], "sla_escalation": true}),
            ),
            (EventKind::StatusChanged, json!({"from": "new", "to": "open"})),
            (EventKind::CommentAdded, json!({"comment_id": 9, "kind": "public"})),
            (EventKind::PriorityChanged, json!({"from": null, "to": "P2", "score": 41.5, "contributions": []})),
            (
                EventKind::Labelled,
                json!({"target": "category", "label": "cards", "previous": null, "predicted": "fees",
                       "confidence": 0.4, "model_id": 2, "prediction_state": "suggested"}),
            ),
        ];
        for (kind, v) in rows {
            let data = EventData::read(kind, v.clone()).unwrap();
            assert_eq!(data.kind(), kind);
            assert_eq!(serde_json::to_value(&data).unwrap(), v, "{kind:?}");
        }
    }

    #[test]
    fn a_payload_of_the_wrong_shape_is_refused() {
        assert!(EventData::read(EventKind::CommentAdded, json!({"comment_id": "x"})).is_err());
        assert!(EventData::read(EventKind::SlaBreached, json!({})).is_err());
    }
}
