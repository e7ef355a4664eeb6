//! Support plans: support sold as a product (price, channels, SLA, priority boost).

use crate::ticket::Channel;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The highest price a plan may have, in cents (a hundred million in the
/// currency's units).
pub const MAX_PRICE_CENTS: i64 = 10_000_000_000;
/// The most points a plan or a contract may add to (or take from) a ticket's
/// priority score.
pub const MAX_PRIORITY_BOOST: f64 = 100.0;

/// Whether a plan's or contract's priority boost is within
/// ±[`MAX_PRIORITY_BOOST`] (and a number).
pub fn boost_in_range(b: f64) -> bool {
    b.is_finite() && (-MAX_PRIORITY_BOOST..=MAX_PRIORITY_BOOST).contains(&b)
}

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
