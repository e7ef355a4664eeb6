//! The priority rules of a policy (its `[priority]` table), compiled for fast
//! scoring: small lists scanned in place, no maps to hash on the hot path.

use super::strategy::{Strategy, Weights};
use serde::Serialize;
use utoipa::ToSchema;

/// Points for named values (e.g. account types): `(name, points)`.
pub type Points = Vec<(String, f64)>;

pub(crate) fn lookup(points: &Points, key: &str) -> f64 {
    points.iter().find(|(k, _)| k == key).map_or(0.0, |(_, v)| *v)
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PriorityRules {
    #[schema(value_type = Object)]
    pub weights: Weights,
    /// How many levels who the customer is may raise a ticket (default 1).
    pub max_raise: usize,
    /// Rules that set a level, checked in order before the matrix.
    pub rules: Vec<super::LevelRule>,
    pub customer: CustomerRules,
    pub emotion: EmotionRules,
    pub age: AgeRules,
    #[schema(value_type = Vec<(String, f64)>)]
    pub category: Points,
    /// Points per predicted urgency, scaled by the prediction's confidence.
    #[schema(value_type = Vec<(String, f64)>)]
    pub ai_urgency: Points,
    pub sla: SlaRules,
    pub custom_fields: Vec<CustomFieldRule>,
    pub business_impact: BusinessImpactRules,
    /// Weight switches for high volume, checked in order; the first that applies wins.
    pub surge: Vec<SurgeRule>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct CustomerRules {
    #[schema(value_type = Vec<(String, f64)>)]
    pub account_type: Points,
    pub vip: f64,
    #[schema(value_type = Vec<(String, f64)>)]
    pub customer_category: Points,
    #[schema(value_type = Vec<(String, f64)>)]
    pub persona: Points,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct EmotionRules {
    /// Escalation words (lower case) and their points.
    #[schema(value_type = Vec<(String, f64)>)]
    pub words: Points,
    pub shouting: f64,
    pub exclamations: f64,
    /// Points for a negative tone at full strength (scaled by its strength).
    pub negative: f64,
    /// Points when the latest message reads worse than the earlier ones.
    pub worsening: f64,
    /// Points per customer message beyond the first without an answer.
    pub follow_up: f64,
    /// Cap on the strategy's points.
    pub max: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct AgeRules {
    pub points_per_hour: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct SlaRules {
    /// Points start to grow this long before the next SLA target.
    pub horizon_seconds: i64,
    /// Points when the target is due now or breached.
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CustomFieldRule {
    pub field: String,
    /// Numeric fields: points per unit, capped at `max`.
    pub per_unit: Option<f64>,
    pub max: Option<f64>,
    /// Enum and string fields: points per value.
    #[schema(value_type = Vec<(String, f64)>)]
    pub values: Points,
    /// Bool fields: points when true.
    pub when_true: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct BusinessImpactRules {
    pub per_10k_annual_value: f64,
    pub per_100_seats: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SurgeRule {
    pub name: String,
    /// Applies when the open backlog is above this.
    pub open_backlog_above: Option<u64>,
    /// Or when more tickets than this arrived in the last hour.
    pub arrivals_per_hour_above: Option<u64>,
    /// Multipliers of the normal weights while the surge lasts (1 for a
    /// strategy it does not name). They order the queue; they never change a level.
    #[schema(value_type = Object)]
    pub weights: Weights,
}

impl Default for PriorityRules {
    fn default() -> Self {
        PriorityRules {
            weights: Weights::default(),
            max_raise: 1,
            rules: Vec::new(),
            customer: CustomerRules::default(),
            emotion: EmotionRules::default(),
            age: AgeRules::default(),
            category: Points::new(),
            ai_urgency: Points::new(),
            sla: SlaRules::default(),
            custom_fields: Vec::new(),
            business_impact: BusinessImpactRules::default(),
            surge: Vec::new(),
        }
    }
}

/// Queue volume, for deciding whether a surge rule applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Volume {
    pub open_backlog: u64,
    pub arrivals_last_hour: u64,
}

impl PriorityRules {
    /// The surge rule in force at this volume, if any.
    pub fn surge_for(&self, v: Volume) -> Option<&SurgeRule> {
        self.surge.iter().find(|s| {
            s.open_backlog_above.is_some_and(|n| v.open_backlog > n)
                || s.arrivals_per_hour_above.is_some_and(|n| v.arrivals_last_hour > n)
        })
    }

    /// The weights in force: the normal ones, times the surge rule's multipliers.
    pub fn weights_for(&self, surge: Option<&SurgeRule>) -> Weights {
        let mut w = self.weights;
        if let Some(s) = surge {
            for (x, m) in w.0.iter_mut().zip(s.weights.0.iter()) {
                *x *= m;
            }
        }
        w
    }

    /// A strategy's weight under the normal rules.
    pub fn weight(&self, s: Strategy) -> f64 {
        self.weights.get(s)
    }
}
