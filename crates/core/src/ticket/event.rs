//! The append-only event log of a ticket: who changed what, when, and why.

use super::Actor;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    FieldsChanged,
    StatusChanged,
    CommentAdded,
    Imported,
    /// The priority level changed (or an override was set or cleared).
    PriorityChanged,
    /// An SLA clock spent its warning fraction (with the escalations it set off).
    SlaWarning,
    /// An SLA clock missed its target (with the escalations it set off).
    SlaBreached,
    /// The customer was told of a new expected time, and why.
    PromiseChanged,
    /// Handed to a higher tier or another team, with a hand-off note.
    Escalated,
    /// Handed back to a lower tier, with a hand-off note.
    Deescalated,
    /// A person set a field a model predicts: a label for the next training,
    /// with the prediction it confirmed or corrected.
    Labelled,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::FieldsChanged => "fields_changed",
            EventKind::StatusChanged => "status_changed",
            EventKind::CommentAdded => "comment_added",
            EventKind::Imported => "imported",
            EventKind::PriorityChanged => "priority_changed",
            EventKind::SlaWarning => "sla_warning",
            EventKind::SlaBreached => "sla_breached",
            EventKind::PromiseChanged => "promise_changed",
            EventKind::Escalated => "escalated",
            EventKind::Deescalated => "deescalated",
            EventKind::Labelled => "labelled",
        }
    }
    pub fn parse(s: &str) -> Option<EventKind> {
        [
            Self::Created,
            Self::FieldsChanged,
            Self::StatusChanged,
            Self::CommentAdded,
            Self::Imported,
            Self::PriorityChanged,
            Self::SlaWarning,
            Self::SlaBreached,
            Self::PromiseChanged,
            Self::Escalated,
            Self::Deescalated,
            Self::Labelled,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Event {
    pub id: i64,
    pub ticket_id: i64,
    pub at: DateTime<Utc>,
    #[schema(value_type = String, example = "agent:3")]
    pub actor: Actor,
    pub kind: EventKind,
    /// What changed, e.g. `{"changes":[{"field":"category","from":null,"to":"cards"}]}`.
    #[schema(value_type = Object)]
    pub data: super::EventData,
    /// Why, when the actor said.
    pub reason: Option<String>,
}
