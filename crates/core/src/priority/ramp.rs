//! The strategies that move with time, age and SLA, as ramps: zero before a start
//! instant, rising in a straight line, flat at their height after an end instant.
//!
//! The engine and the queue index compute these points with the same functions,
//! so the order the index keeps is the order the engine's scores give. Between its
//! start and end every ticket's age ramp (and every SLA ramp) rises at the same
//! rate, which is what lets the index keep tickets sorted without re-sorting as
//! time passes.

use super::rules::{AgeRules, SlaRules};

const MS_PER_HOUR: f64 = 3_600_000.0;

/// Points that grow linearly from `start_ms` to `end_ms` up to `height`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ramp {
    pub start_ms: f64,
    pub end_ms: f64,
    pub height: f64,
}

impl Ramp {
    /// No points, ever.
    pub const FLAT: Ramp = Ramp { start_ms: f64::INFINITY, end_ms: f64::INFINITY, height: 0.0 };

    /// Age: `points_per_hour` from creation, capped at `max`.
    pub fn age(r: &AgeRules, created_ms: i64) -> Ramp {
        if r.points_per_hour <= 0.0 || r.max <= 0.0 {
            return Ramp::FLAT;
        }
        let start = created_ms as f64;
        Ramp { start_ms: start, end_ms: start + r.max / r.points_per_hour * MS_PER_HOUR, height: r.max }
    }

    /// SLA: from `horizon_seconds` before the due time up to `max` at the due time.
    pub fn sla(r: &SlaRules, due_ms: Option<i64>) -> Ramp {
        match due_ms {
            Some(due) if r.horizon_seconds > 0 && r.max > 0.0 => {
                let end = due as f64;
                Ramp { start_ms: end - r.horizon_seconds as f64 * 1000.0, end_ms: end, height: r.max }
            }
            _ => Ramp::FLAT,
        }
    }

    /// Points at `t_ms`.
    pub fn value(&self, t_ms: i64) -> f64 {
        let t = t_ms as f64;
        if t <= self.start_ms {
            0.0
        } else if t >= self.end_ms {
            self.height
        } else {
            self.height * ((t - self.start_ms) / (self.end_ms - self.start_ms))
        }
    }

    /// Whether the points are rising at `t_ms`.
    pub fn rising(&self, t_ms: i64) -> bool {
        let t = t_ms as f64;
        self.height != 0.0 && t >= self.start_ms && t < self.end_ms
    }

    /// Points per hour while rising.
    pub fn slope_per_hour(&self) -> f64 {
        if self.height == 0.0 || self.end_ms <= self.start_ms || self.end_ms.is_nan() {
            0.0
        } else {
            self.height / ((self.end_ms - self.start_ms) / MS_PER_HOUR)
        }
    }

    /// The first instant after `t_ms` where the ramp starts or stops rising.
    pub fn next_bend(&self, t_ms: i64) -> Option<i64> {
        if self.height == 0.0 {
            return None;
        }
        let t = t_ms as f64;
        [self.start_ms, self.end_ms].into_iter().find(|&b| b > t && b.is_finite()).map(|b| {
            let c = b.ceil() as i64;
            if c as f64 > t {
                c
            } else {
                t_ms + 1
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_rises_then_caps() {
        let r = Ramp::age(&AgeRules { points_per_hour: 2.0, max: 10.0 }, 0);
        assert_eq!(r.value(0), 0.0);
        assert_eq!(r.value(3_600_000), 2.0);
        assert_eq!(r.value(5 * 3_600_000), 10.0);
        assert_eq!(r.value(50 * 3_600_000), 10.0);
        assert_eq!(r.slope_per_hour(), 2.0);
        assert!(r.rising(1) && !r.rising(5 * 3_600_000));
        assert_eq!(r.next_bend(1), Some(5 * 3_600_000));
        assert_eq!(r.next_bend(5 * 3_600_000), None);
    }

    #[test]
    fn sla_rises_over_the_horizon() {
        let r = Ramp::sla(&SlaRules { horizon_seconds: 3600, max: 20.0 }, Some(7_200_000));
        assert_eq!(r.value(0), 0.0);
        assert_eq!(r.value(5_400_000), 10.0);
        assert_eq!(r.value(9_000_000), 20.0);
        assert_eq!(r.next_bend(0), Some(3_600_000));
        assert_eq!(r.next_bend(3_600_000), Some(7_200_000));
        assert_eq!(Ramp::sla(&SlaRules { horizon_seconds: 3600, max: 20.0 }, None), Ramp::FLAT);
    }
}
