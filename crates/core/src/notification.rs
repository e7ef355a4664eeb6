//! Notification records for internal stakeholders: an escalation's `notify`, a
//! VIP or enterprise account's changed promise.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    /// `agent:<id>` or `team:<name>`.
    pub recipient: String,
    pub ticket_id: Option<i64>,
    /// `sla_warning`, `sla_breach`, `promise_changed`.
    pub kind: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}
