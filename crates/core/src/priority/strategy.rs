//! The strategies a priority is made of, and their weights.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every strategy the engine combines. Each adds weighted points to the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Impact x urgency matrix cell (ITIL).
    Severity,
    /// Account type, VIP, customer category, persona.
    Customer,
    /// Emotional and escalation signals in the customer's words.
    Emotion,
    /// Time waiting: first come, first served, so nothing starves.
    Age,
    /// Request type / skill area.
    Category,
    /// The classifier's predicted urgency, scaled by its confidence.
    AiUrgency,
    /// The support plan's (or contract's) priority boost.
    Plan,
    /// Time left before the next SLA target: the closer, the higher.
    Sla,
    /// Typed custom fields declared in the policy.
    CustomFields,
    /// Organization value and seats.
    BusinessImpact,
}

impl Strategy {
    pub const ALL: [Strategy; 10] = [
        Strategy::Severity,
        Strategy::Customer,
        Strategy::Emotion,
        Strategy::Age,
        Strategy::Category,
        Strategy::AiUrgency,
        Strategy::Plan,
        Strategy::Sla,
        Strategy::CustomFields,
        Strategy::BusinessImpact,
    ];
    pub const COUNT: usize = 10;

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Severity => "severity",
            Strategy::Customer => "customer",
            Strategy::Emotion => "emotion",
            Strategy::Age => "age",
            Strategy::Category => "category",
            Strategy::AiUrgency => "ai_urgency",
            Strategy::Plan => "plan",
            Strategy::Sla => "sla",
            Strategy::CustomFields => "custom_fields",
            Strategy::BusinessImpact => "business_impact",
        }
    }

    /// Whether the strategy speaks of who the customer is, so it may raise a
    /// ticket's level (by at most `[priority] max_raise`). The others only order
    /// the queue: severity is the level itself, age and SLA move with time, and
    /// category and the predicted urgency are ordering hints.
    pub fn raises_level(self) -> bool {
        matches!(
            self,
            Strategy::Customer | Strategy::Emotion | Strategy::Plan | Strategy::CustomFields | Strategy::BusinessImpact
        )
    }

    pub fn parse(s: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A weight per strategy (1.0 = as configured, 0 = off); shown as `{"severity": 1.0, ...}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights(pub [f64; Strategy::COUNT]);

impl Serialize for Weights {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(Strategy::COUNT))?;
        for st in Strategy::ALL {
            m.serialize_entry(st.as_str(), &self.get(st))?;
        }
        m.end()
    }
}

impl Default for Weights {
    fn default() -> Self {
        Weights([1.0; Strategy::COUNT])
    }
}

impl Weights {
    pub fn get(&self, s: Strategy) -> f64 {
        self.0[s.index()]
    }
    pub fn set(&mut self, s: Strategy, w: f64) {
        self.0[s.index()] = w;
    }
}
