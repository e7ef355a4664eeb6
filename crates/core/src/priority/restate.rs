//! A stored priority restated for another instant: the same level and reasons,
//! the time-driven points (waiting, SLA time left) and the weights in force
//! (surge mode) as they are then. What every view of a ticket shows, so the
//! ticket, its priority and the queue agree on the score at one instant.

use super::engine::{age_reason, sla_reason};
use super::ramp::Ramp;
use super::rules::SurgeRule;
use super::strategy::Strategy;
use super::{Contribution, Explanation};
use crate::policy::Policy;
use chrono::{DateTime, Utc};

/// `stored` as of `now` under `surge`, for a ticket created at `created_at`
/// whose next SLA target falls due at `sla_due`. Explanations stored before
/// contributions kept their points come back unchanged.
pub fn restate(
    policy: &Policy,
    stored: &Explanation,
    created_at: DateTime<Utc>,
    sla_due: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    surge: Option<&SurgeRule>,
) -> Explanation {
    if stored.contributions.iter().any(|c| c.points.is_none()) {
        return stored.clone();
    }
    let r = &policy.priority;
    let weights = r.weights_for(surge);
    let now_ms = now.timestamp_millis();
    let mut contributions = Vec::with_capacity(Strategy::COUNT);
    for s in Strategy::ALL {
        let w = weights.get(s);
        match s {
            Strategy::Age => {
                let p = Ramp::age(&r.age, created_at.timestamp_millis()).value(now_ms);
                if p != 0.0 {
                    contributions.push(Contribution::weighted(s.as_str(), p, w, age_reason(created_at, now)));
                }
            }
            Strategy::Sla => {
                let p = Ramp::sla(&r.sla, sla_due.map(|d| d.timestamp_millis())).value(now_ms);
                if p != 0.0 {
                    contributions.push(Contribution::weighted(s.as_str(), p, w, sla_reason(sla_due, now)));
                }
            }
            _ => {
                // Severity's place may be held by an override or an imported level.
                let mine = |c: &&Contribution| match Strategy::parse(&c.strategy) {
                    Some(x) => x == s,
                    None => s == Strategy::Severity,
                };
                if let Some(c) = stored.contributions.iter().find(mine) {
                    let p = c.points.unwrap_or_default();
                    contributions.push(Contribution::weighted(&c.strategy, p, w, c.reason.clone()));
                }
            }
        }
    }
    Explanation { contributions, surge: surge.map(|s| s.name.clone()), ..stored.clone() }
}

/// Whether two explanations say the same apart from what time moves (waiting,
/// SLA time left): the same level decision, override and, for every other
/// strategy, the same points and reason.
pub fn same_apart_from_time(a: &Explanation, b: &Explanation) -> bool {
    let timeless = |e: &Explanation| -> Vec<(String, Option<f64>, String)> {
        e.contributions
            .iter()
            .filter(|c| c.strategy != Strategy::Age.as_str() && c.strategy != Strategy::Sla.as_str())
            .map(|c| (c.strategy.clone(), c.points, c.reason.clone()))
            .collect()
    };
    a.level == b.level && a.override_ == b.override_ && a.matrix_cell == b.matrix_cell && timeless(a) == timeless(b)
}
