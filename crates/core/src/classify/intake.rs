//! Predictions on intake: every active model that maps onto the policy reads a
//! new ticket's text and says, per field, its value, how sure it is and why.

use super::features::{normalize, FeatureSpec, Sparse};
use super::model::{phrases, Model};
use crate::policy::Policy;
use crate::ticket::{fill, CustomFields, Driver, FieldPrediction, PredictionState, Predictions};

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

    /// Raw counts weighed by this model's IDF, unit length.
    fn normalized(&self, counts: &Sparse) -> Sparse {
        let mut x = counts.clone();
        normalize(&mut x, (!self.model.idf.is_empty()).then_some(&self.model.idf[..]));
        x
    }

    /// Scores the text's raw counts (shared by models with the same features):
    /// the prediction without its drivers, and the buckets that would explain it.
    fn score(&self, counts: &Sparse, given: bool, buf: &mut Vec<f32>) -> (FieldPrediction, Vec<(u32, f32)>) {
        let x = self.normalized(counts);
        self.model.probabilities(&x, buf);
        let (mut best, mut second) = (0, usize::MAX);
        for i in 1..buf.len() {
            if buf[i] > buf[best] {
                second = best;
                best = i;
            } else if second == usize::MAX || buf[i] > buf[second] {
                second = i;
            }
        }
        let conf = buf[best];
        let runner_up = (second != usize::MAX).then(|| (self.values[second].clone(), round(buf[second])));
        let state = if given {
            PredictionState::Given
        } else if conf >= self.threshold {
            PredictionState::Applied
        } else {
            PredictionState::Suggested
        };
        let prediction = FieldPrediction {
            value: self.values[best].clone(),
            confidence: round(conf),
            drivers: Vec::new(),
            runner_up,
            model_id: self.model_id,
            threshold: self.threshold,
            state,
        };
        (prediction, self.model.pulls(&x, best, DRIVERS * 4))
    }
}

fn round(p: f32) -> f32 {
    (p * 1000.0).round() / 1000.0
}

/// A model's counts among those made once per feature setting.
fn counts_for<'a>(shared: &'a [(FeatureSpec, Sparse)], m: &IntakeModel) -> &'a Sparse {
    &shared.iter().find(|(f, _)| *f == m.model.features).expect("counted for every model's features").1
}

/// The models used on intake, one per target.
#[derive(Debug, Clone, Default)]
pub struct Intake {
    pub models: Vec<IntakeModel>,
}

impl Intake {
    /// Every target's prediction for a text; `given(target)` says a person set
    /// that field already (the prediction is then kept for the record only).
    /// The text is turned into features once per feature setting, and walked
    /// once more to name the words behind every target's prediction.
    pub fn predict(&self, text: &str, given: impl Fn(&str) -> bool) -> Predictions {
        let mut out = Predictions::new();
        let shared = self.counts(text);
        let mut buf = Vec::new();
        let mut scored = Vec::with_capacity(self.models.len());
        for m in &self.models {
            scored.push(m.score(counts_for(&shared, m), given(&m.target), &mut buf));
        }
        // One walk per feature setting finds the origins of every model's pulls.
        for (spec, _) in &shared {
            let mut wanted: Vec<u32> = self
                .models
                .iter()
                .zip(&scored)
                .filter(|(m, _)| m.model.features == *spec)
                .flat_map(|(_, (_, pulls))| pulls.iter().map(|(b, _)| *b))
                .collect();
            wanted.sort_unstable();
            wanted.dedup();
            let origins = spec.origins_of(text, &wanted);
            for (m, (p, pulls)) in self.models.iter().zip(scored.iter_mut()) {
                if m.model.features == *spec {
                    p.drivers = phrases(pulls, &origins, DRIVERS)
                        .into_iter()
                        .map(|(phrase, weight)| Driver { phrase, weight: round(weight) })
                        .collect();
                }
            }
        }
        for (m, (p, _)) in self.models.iter().zip(scored) {
            out.insert(m.target.clone(), p);
        }
        out
    }

    /// Every target's class index and confidence, without explanations (the
    /// batch path: re-scoring, replays, benchmarks).
    pub fn classify(&self, text: &str) -> Vec<(usize, f32)> {
        let shared = self.counts(text);
        let mut buf = Vec::new();
        self.models.iter().map(|m| m.model.classify(&m.normalized(counts_for(&shared, m)), &mut buf)).collect()
    }

    /// The text's raw counts once per feature setting the models use.
    fn counts(&self, text: &str) -> Vec<(FeatureSpec, Sparse)> {
        let mut shared: Vec<(FeatureSpec, Sparse)> = Vec::new();
        for m in &self.models {
            if !shared.iter().any(|(f, _)| *f == m.model.features) {
                shared.push((m.model.features, m.model.features.counts(text, None)));
            }
        }
        shared
    }

    /// [`Intake::predict`] for a new ticket's fields: a field already set is
    /// `given`; the confident predictions fill the others.
    pub fn predict_and_fill(
        &self,
        text: &str,
        category: &mut Option<String>,
        impact: &mut Option<String>,
        urgency: &mut Option<String>,
        custom: &mut CustomFields,
    ) -> Predictions {
        if self.is_empty() {
            return Predictions::new();
        }
        let p = self.predict(text, |field| match field {
            "category" => category.is_some(),
            "impact" => impact.is_some(),
            "urgency" => urgency.is_some(),
            other => custom.contains_key(other),
        });
        fill(&p, category, impact, urgency, custom);
        p
    }

    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }
}
