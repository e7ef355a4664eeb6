//! What the queue index needs to know about a ticket, and what a queue shows.

use crate::priority::Points;
use crate::ticket::{Status, Ticket};

/// A ticket as the queue index sees it.
#[derive(Debug, Clone, Copy)]
pub struct QueueItem<'a> {
    pub id: i64,
    /// Newer versions replace older ones; older ones are ignored.
    pub version: i64,
    /// New or open: in the queue. Anything else leaves it.
    pub open: bool,
    pub assigned: bool,
    pub created_ms: i64,
    pub category: Option<&'a str>,
    /// The team and tier that hold it now. When they are not its category's (an
    /// escalation moved it), it is filed in that team and tier's own queue.
    pub team: Option<&'a str>,
    pub tier: Option<crate::agent::Tier>,
    pub tags: &'a [String],
    /// The engine's unweighted points; without them the score is fixed.
    pub points: Option<&'a Points>,
    /// The stored score (used as the fixed score when there are no points).
    pub score: Option<f64>,
    /// The stored level name.
    pub level: Option<&'a str>,
    /// When the next SLA target is due.
    pub sla_due_ms: Option<i64>,
}

impl<'a> QueueItem<'a> {
    pub fn of(t: &'a Ticket) -> Self {
        QueueItem {
            id: t.id,
            version: t.version,
            open: matches!(t.status, Status::New | Status::Open),
            assigned: t.assignee_id.is_some(),
            created_ms: t.created_at.timestamp_millis(),
            category: t.category.as_deref(),
            team: t.team.as_deref(),
            tier: t.tier,
            tags: &t.tags,
            points: t.priority.as_ref().and_then(|p| p.points.as_ref()),
            score: t.score(),
            level: t.level(),
            sla_due_ms: t.sla_due_at.map(|d| d.timestamp_millis()),
        }
    }
}

/// Which open tickets a queue shows (a named view of the policy, or all).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueFilter {
    /// Only tickets of these categories, wherever they sit: with their category's
    /// team or escalated to another team or tier (a named view; empty: all).
    pub categories: Vec<String>,
    /// Only tickets sitting in these queues: a category's own (its name) or the
    /// one of a team and tier tickets were escalated to ([`escalated_queue`]);
    /// `None`: everywhere (a team's queue, what an agent may take).
    pub queues: Option<Vec<String>>,
    /// Only these priority levels (empty: all).
    pub levels: Vec<String>,
    pub tag: Option<String>,
    /// Only tickets nobody is assigned to.
    pub unassigned: bool,
    /// With `queues` given: tickets without a (known) category or team too.
    pub uncategorized: bool,
}

/// A position in the queue: after this (score, id).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueCursor {
    pub score: f64,
    pub id: i64,
}

/// The name of the queue holding tickets escalated to `team` at `tier` (filed
/// there, not under their category, until they go back).
pub fn escalated_queue(team: &str, tier: crate::agent::Tier) -> String {
    format!("@{team}@{tier}")
}
