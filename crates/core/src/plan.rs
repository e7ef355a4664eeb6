//! Support plans: support sold as a product (price, channels, SLA, priority boost).

use crate::ticket::Channel;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SupportPlan {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// Monthly price in minor currency units (cents).
    pub price_cents: i64,
    pub currency: String,
    /// Channels through which customers on this plan may open tickets.
    pub channels: Vec<Channel>,
    /// Name of the SLA policy (in the policy file) that applies to this plan.
    pub sla_policy: String,
    /// Added to a ticket's priority score for customers on this plan.
    pub priority_boost: f64,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}
