//! Priority: the strategies the policy combines, the engine that scores a
//! ticket, and the explanation every priority carries.

mod emotion;
mod engine;
mod level;
mod ramp;
mod restate;
mod rules;
mod strategy;

pub use emotion::EmotionSignals;
pub use engine::{decide, decide_with_due, level, points, score, Facts, Points};
pub use level::{levels_raised, raise_points, LevelDecision, LevelRule, LevelSource};
pub use ramp::Ramp;
pub use restate::{restate, same_apart_from_time};
pub use rules::{
    AgeRules, BusinessImpactRules, CustomFieldRule, CustomerRules, EmotionRules, PriorityRules, SlaRules, SurgeRule,
    Volume,
};
pub use strategy::{Strategy, Weights};

use crate::policy::Policy;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One strategy's share of a priority score, with the reason in words:
/// `contribution = points x weight`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contribution {
    pub strategy: String,
    pub contribution: f64,
    pub reason: String,
    /// The strategy's points before its weight (absent on scores stored before
    /// points were kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    /// The weight in force (the policy's, times a surge rule's multiplier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

impl Contribution {
    pub(crate) fn weighted(strategy: &str, points: f64, weight: f64, reason: String) -> Contribution {
        Contribution {
            strategy: strategy.into(),
            contribution: points * weight,
            reason,
            points: Some(points),
            weight: Some(weight),
        }
    }
}

/// Why a ticket has its priority: contributions sum to the score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Explanation {
    pub contributions: Vec<Contribution>,
    /// `impact x urgency` cell used, when the matrix decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix_cell: Option<MatrixCell>,
    /// Set when an agent overrode the computed level.
    #[serde(default, rename = "override", skip_serializing_if = "Option::is_none")]
    pub override_: Option<Override>,
    /// How the level was decided (absent on priorities stored before levels
    /// came from criteria).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<LevelDecision>,
    /// The surge rule whose multipliers weighed the score, when one was in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surge: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MatrixCell {
    pub impact: String,
    pub urgency: String,
    pub level: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Override {
    pub level: String,
    pub by: String,
    pub reason: String,
}

/// A level, its score and the explanation, as the engine hands it to storage.
#[derive(Debug, Clone, PartialEq)]
pub struct Priority {
    pub level: String,
    pub score: f64,
    pub explanation: Explanation,
    /// Each strategy's unweighted points; `None` when an agent fixed the level.
    pub points: Option<Points>,
    pub policy_version: String,
}

impl Explanation {
    /// The sum of the contributions.
    pub fn score(&self) -> f64 {
        self.contributions.iter().map(|c| c.contribution).sum()
    }
}

/// The priority a ticket gets from severity alone: the matrix cell when both
/// impact and urgency are known, else the policy's default level. (Imported
/// history, which has no customer facts to weigh.)
pub fn severity_priority(policy: &Policy, impact: Option<&str>, urgency: Option<&str>) -> Priority {
    let cell = match (impact, urgency) {
        (Some(i), Some(u)) => policy.matrix_level(i, u).map(|l| MatrixCell {
            impact: i.to_string(),
            urgency: u.to_string(),
            level: l.to_string(),
        }),
        _ => None,
    };
    let (level_name, source, reason) = match &cell {
        Some(c) => (c.level.clone(), LevelSource::Matrix, level::matrix_reason(&c.impact, &c.urgency, &c.level)),
        None => (policy.default_level.clone(), LevelSource::Default, level::default_reason(&policy.default_level)),
    };
    let level = policy.level(&level_name).expect("validated policy: matrix and default levels exist");
    let weight = policy.priority.weights.get(Strategy::Severity);
    let explanation = Explanation {
        contributions: vec![Contribution::weighted("severity", level.base_score, weight, reason.clone())],
        matrix_cell: cell,
        override_: None,
        level: Some(LevelDecision {
            base: level.name.clone(),
            source,
            rule: None,
            raise_points: 0.0,
            raised: 0,
            level: level.name.clone(),
            reason,
        }),
        surge: None,
    };
    let mut points = [0.0; Strategy::COUNT];
    points[Strategy::Severity.index()] = level.base_score;
    Priority {
        level: level.name.clone(),
        score: explanation.score(),
        explanation,
        points: Some(Points(points)),
        policy_version: policy.version.clone(),
    }
}

/// The priority a historic ticket had in the system it comes from: `level`,
/// with that level's base score, and the matrix cell of its impact and urgency
/// for reference. `level` must be one of the policy's.
pub fn recorded_priority(policy: &Policy, level: &str, impact: Option<&str>, urgency: Option<&str>) -> Priority {
    let mut pr = severity_priority(policy, impact, urgency);
    let base = policy.level(level).map_or(0.0, |l| l.base_score);
    let reason = format!("priority {level} as recorded in the source system");
    pr.explanation.contributions = vec![Contribution {
        strategy: "imported".into(),
        contribution: base,
        reason: reason.clone(),
        points: Some(base),
        weight: Some(1.0),
    }];
    pr.explanation.level = Some(LevelDecision {
        base: level.to_string(),
        source: LevelSource::Override,
        rule: None,
        raise_points: 0.0,
        raised: 0,
        level: level.to_string(),
        reason,
    });
    if let Some(points) = pr.points.as_mut() {
        points.0[Strategy::Severity.index()] = base;
    }
    pr.level = level.to_string();
    pr.score = base;
    pr
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_decides_when_both_inputs_known() {
        let p = Policy::builtin();
        let pr = severity_priority(&p, Some("extensive"), Some("critical"));
        assert_eq!(pr.level, "P1");
        assert_eq!(pr.score, pr.explanation.score());
        assert_eq!(pr.explanation.matrix_cell.as_ref().unwrap().level, "P1");
        let low = severity_priority(&p, Some("minor"), Some("low"));
        assert_eq!(low.level, "P4");
        assert!(low.score < pr.score);
    }

    use proptest::prelude::*;

    fn rank(p: &Policy, level: &str) -> usize {
        p.levels.iter().position(|l| l.name == level).unwrap()
    }

    proptest! {
        /// The explanation always adds up to the score, and the level is the policy's.
        #[test]
        fn contributions_sum_to_the_score(i in 0usize..4, u in 0usize..4, known in any::<(bool, bool)>()) {
            let p = Policy::builtin();
            let impact = known.0.then(|| p.matrix.impact[i].clone());
            let urgency = known.1.then(|| p.matrix.urgency[u].clone());
            let pr = severity_priority(&p, impact.as_deref(), urgency.as_deref());
            prop_assert_eq!(pr.score, pr.explanation.score());
            prop_assert!(p.level(&pr.level).is_some());
            prop_assert_eq!(pr.policy_version, p.version.clone());
        }

        /// Raising impact or urgency (lists are most severe first) never lowers the level.
        #[test]
        fn more_severe_inputs_never_lower_the_priority(i in 1usize..4, u in 1usize..4) {
            let p = Policy::builtin();
            let m = &p.matrix;
            let base = severity_priority(&p, Some(&m.impact[i]), Some(&m.urgency[u]));
            let worse_impact = severity_priority(&p, Some(&m.impact[i - 1]), Some(&m.urgency[u]));
            let worse_urgency = severity_priority(&p, Some(&m.impact[i]), Some(&m.urgency[u - 1]));
            prop_assert!(rank(&p, &worse_impact.level) <= rank(&p, &base.level));
            prop_assert!(rank(&p, &worse_urgency.level) <= rank(&p, &base.level));
            prop_assert!(worse_impact.score >= base.score && worse_urgency.score >= base.score);
        }
    }

    #[test]
    fn default_level_when_inputs_missing() {
        let p = Policy::builtin();
        let pr = severity_priority(&p, Some("minor"), None);
        assert_eq!(pr.level, p.default_level);
        assert!(pr.explanation.matrix_cell.is_none());
        assert!(pr.explanation.contributions[0].reason.contains("default"));
    }
}

#[cfg(test)]
mod engine_tests;
