//! Predictions on intake: every active model that maps onto the policy reads a
//! new ticket's text and says, per field, its value, how sure it is and why.

use super::features::{normalize, FeatureSpec, Sparse};
use super::model::Model;
use crate::policy::Policy;
use crate::ticket::{Driver, FieldPrediction, PredictionState, Predictions};

/// How many words or phrases explain a prediction.
pub const DRIVERS: usize = 5;

/// An active model ready for intake: its classes mapped to the policy's values.
#[derive(Debug, Clone)]
pub struct IntakeModel {
    pub target: String,
    pub model_id: i64,
    pub model: Model,
    /// The policy value of each class, by class index.
    values: Vec<String>,
    pub threshold: f32,
}

impl IntakeModel {
    /// Maps a model onto the policy. Fails (saying which labels) when the
    /// target is not a field the policy lets a model fill or some label has no
    /// policy value: such a model can be evaluated but not used on intake.
    pub fn new(target: &str, model_id: i64, model: Model, policy: &Policy) -> Result<IntakeModel, String> {
        if policy.predictable_values(target).is_none() {
            return Err(format!("`{target}` is not category, urgency, impact or an enum custom field of the policy"));
        }
        let mut unknown = Vec::new();
        let values: Vec<String> = model
            .labels
            .iter()
            .map(|l| {
                policy.policy_value(target, l).unwrap_or_else(|| {
                    unknown.push(l.clone());
                    String::new()
                })
            })
            .collect();
        if !unknown.is_empty() {
            unknown.truncate(5);
            return Err(format!(
                "labels {} are not {target} values of the policy; map them in [categorization.labels.{target}]",
                unknown.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        Ok(IntakeModel {
            target: target.into(),
            model_id,
            model,
            values,
            threshold: policy.categorization.threshold(target) as f32,
        })
    }

    /// Predicts from the text's raw counts (shared by models with the same features).
    fn predict(&self, text: &str, counts: &Sparse, given: bool, buf: &mut Vec<f32>) -> FieldPrediction {
        let mut x = counts.clone();
        normalize(&mut x, (!self.model.idf.is_empty()).then_some(&self.model.idf[..]));
        self.model.probabilities(&x, buf);
        let mut order: Vec<usize> = (0..buf.len()).collect();
        order.sort_by(|a, b| buf[*b].total_cmp(&buf[*a]));
        let (best, conf) = (order[0], buf[order[0]]);
        let runner_up = order.get(1).map(|i| (self.values[*i].clone(), buf[*i]));
        let drivers = self
            .model
            .explain(text, &x, best, DRIVERS)
            .into_iter()
            .map(|(phrase, weight)| Driver { phrase, weight: (weight * 1000.0).round() / 1000.0 })
            .collect();
        let state = if given {
            PredictionState::Given
        } else if conf >= self.threshold {
            PredictionState::Applied
        } else {
            PredictionState::Suggested
        };
        FieldPrediction {
            value: self.values[best].clone(),
            confidence: (conf * 1000.0).round() / 1000.0,
            drivers,
            runner_up,
            model_id: self.model_id,
            threshold: self.threshold,
            state,
        }
    }
}

/// The models used on intake, one per target.
#[derive(Debug, Clone, Default)]
pub struct Intake {
    pub models: Vec<IntakeModel>,
}

impl Intake {
    /// Every target's prediction for a text; `given(target)` says a person set
    /// that field already (the prediction is then kept for the record only).
    pub fn predict(&self, text: &str, given: impl Fn(&str) -> bool) -> Predictions {
        let mut out = Predictions::new();
        let mut shared: Vec<(FeatureSpec, Sparse)> = Vec::new();
        let mut buf = Vec::new();
        for m in &self.models {
            let counts = match shared.iter().position(|(f, _)| *f == m.model.features) {
                Some(i) => &shared[i].1,
                None => {
                    shared.push((m.model.features, m.model.features.counts(text, None)));
                    &shared.last().expect("just pushed").1
                }
            };
            out.insert(m.target.clone(), m.predict(text, counts, given(&m.target), &mut buf));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }
}
