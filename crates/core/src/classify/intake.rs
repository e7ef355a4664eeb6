//! Predictions on intake: every active model that maps onto the policy reads a
//! new ticket's text and says, per field, its value, how sure it is and why.
//!
//! The models' numbers are laid out together for speed: per feature setting,
//! one table whose row for a bucket holds every model's class weights for it
//! and then every model's IDF weight. A feature of a ticket then costs one read
//! of one row for all targets, instead of an IDF read and a weight read per
//! target: a ticket's few hundred features are scattered reads over megabytes,
//! and those reads are what prediction time is made of. The weights are stored
//! already multiplied by their IDF (so one multiplier, the feature's count,
//! serves the whole row) and centred per bucket (a softmax does not change when
//! every class's score moves alike, and a centred weight is the feature's pull
//! towards its class, see [`Model::pulls`]). The weights move into the table
//! (they are not copied), so the memory held is still the models'.

use super::features::{FeatureSpec, Sparse};
use super::model::{argmax, calibrated, phrases, strongest, Model};
use crate::policy::Policy;
use crate::ticket::{fill, CustomFields, Driver, FieldPrediction, PredictionState, Predictions};

/// How many words or phrases explain a prediction.
pub const DRIVERS: usize = 5;

/// An active model ready for intake: its classes mapped to the policy's values.
#[derive(Debug, Clone)]
pub struct IntakeModel {
    pub target: String,
    pub model_id: i64,
    /// Labels, bias, temperature and features; the weights and IDF move into
    /// the [`Intake`]'s table.
    model: Model,
    /// The policy value of each class, by class index.
    values: Vec<String>,
    pub threshold: f32,
    /// Where this model's class weights start in its table's rows.
    offset: usize,
    /// Where its IDF weight sits in those rows.
    idf_at: usize,
}

impl IntakeModel {
    /// Maps a model onto the policy. Fails (saying which labels) when the
    /// target is not a field the policy lets a model fill or some label has no
    /// policy value: such a model can be evaluated but not used on intake.
    pub fn new(target: &str, model_id: i64, model: Model, policy: &Policy) -> Result<IntakeModel, String> {
        let values = IntakeModel::values(target, &model, policy)?;
        Ok(IntakeModel {
            target: target.into(),
            model_id,
            model,
            values,
            threshold: policy.categorization.threshold(target) as f32,
            offset: 0,
            idf_at: 0,
        })
    }

    /// Whether intake could use `model` for `target` under `policy` (and if
    /// not, why), without taking the model.
    pub fn usable(target: &str, model: &Model, policy: &Policy) -> Result<(), String> {
        IntakeModel::values(target, model, policy).map(|_| ())
    }

    /// The policy value of each of the model's classes.
    fn values(target: &str, model: &Model, policy: &Policy) -> Result<Vec<String>, String> {
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
        Ok(values)
    }

    /// How many classes the model tells apart.
    pub fn classes(&self) -> usize {
        self.model.labels.len()
    }

    pub fn features(&self) -> FeatureSpec {
        self.model.features
    }

    /// Calibrated probabilities from the table's sums for this model (`acc`:
    /// a row's worth of raw class scores, then squared norms) for a text of
    /// which it knows the share `known` of the words (mixed with the prior by
    /// it, see [`super::model::mix_prior`]), into `out`; the features' norm is returned.
    fn probabilities(&self, acc: &[f32], known: f32, out: &mut Vec<f32>) -> f32 {
        let o = self.offset;
        let norm = acc[self.idf_at].sqrt().max(f32::MIN_POSITIVE);
        out.clear();
        out.extend(acc[o..o + self.classes()].iter().zip(&self.model.bias).map(|(s, b)| b + s / norm));
        let m = &self.model;
        calibrated(out, m.temperature, &m.prior, known, m.top);
        norm
    }

    /// The prediction (without its drivers) from its probabilities, for a
    /// text of which it knew the share `known` of the words.
    fn prediction(&self, probs: &[f32], given: bool, known: f32) -> (usize, FieldPrediction) {
        let (mut best, mut second) = (0, usize::MAX);
        for i in 1..probs.len() {
            if probs[i] > probs[best] {
                second = best;
                best = i;
            } else if second == usize::MAX || probs[i] > probs[second] {
                second = i;
            }
        }
        let conf = probs[best];
        let runner_up = (second != usize::MAX).then(|| (self.values[second].clone(), round(probs[second])));
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
            known_words: Some(round(known)),
        };
        (best, prediction)
    }
}

fn round(p: f32) -> f32 {
    (p * 1000.0).round() / 1000.0
}

/// The models reading texts one way, their numbers side by side.
#[derive(Clone)]
struct Group {
    features: FeatureSpec,
    /// Numbers per bucket: every model's class weights (IDF-weighed,
    /// centred), zeros to a multiple of [`LANES`], then every model's squared
    /// IDF weight, zeros to a multiple of [`LANES`] again.
    stride: usize,
    /// Where the squared IDF weights start in a row (a multiple of [`LANES`]).
    idf_from: usize,
    table: Vec<f32>,
    /// Indexes into the intake's models.
    models: Vec<usize>,
}

/// Numbers added side by side in one step: rows are laid out in blocks of
/// four so each block is one vector multiply and add (`wide`'s `f32x4`: SSE,
/// the baseline of every x86-64, through a safe API — the workspace forbids
/// unsafe code), and a row of a few models' classes fits a few registers.
/// Left to itself the compiler added a row number by number with checks
/// between; blocks make batched labelling faster (the measurement is in
/// `docs/decisions/2026-12-01-top-label-calibration-and-row-blocks.md`), for a
/// row padded by at most three numbers per part.
const LANES: usize = 4;

fn lanes(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

impl Group {
    fn row(&self, b: u32) -> &[f32] {
        &self.table[b as usize * self.stride..(b as usize + 1) * self.stride]
    }

    /// One pass over a text's raw counts for every model of the group: the
    /// raw class scores (not yet divided by the norm) and, per model at its
    /// `idf_at`, the squared norm of its IDF-weighed features.
    fn accumulate(&self, counts: &Sparse, acc: &mut Vec<f32>) {
        acc.clear();
        // A row of up to 8 blocks (32 numbers: three targets of ten classes)
        // is summed in registers; wider ones in memory.
        match self.stride / LANES {
            1 => self.sum_blocks::<1>(counts, acc),
            2 => self.sum_blocks::<2>(counts, acc),
            3 => self.sum_blocks::<3>(counts, acc),
            4 => self.sum_blocks::<4>(counts, acc),
            5 => self.sum_blocks::<5>(counts, acc),
            6 => self.sum_blocks::<6>(counts, acc),
            7 => self.sum_blocks::<7>(counts, acc),
            8 => self.sum_blocks::<8>(counts, acc),
            _ => self.sum_wide(counts, acc),
        }
    }

    /// [`Group::accumulate`] for rows of any width, the sums in memory.
    fn sum_wide(&self, counts: &Sparse, acc: &mut Vec<f32>) {
        acc.resize(self.stride, 0.0);
        let (scores, norms) = acc.split_at_mut(self.idf_from);
        for &(b, c) in counts {
            let (w, idf2) = self.row(b).split_at(self.idf_from);
            add_scaled(scores, w, c);
            add_scaled(norms, idf2, c * c);
        }
    }

    /// [`Group::accumulate`] for rows of `N` blocks, the sums held in
    /// registers (the row's width known to the compiler).
    #[inline(always)]
    fn sum_blocks<const N: usize>(&self, counts: &Sparse, acc: &mut Vec<f32>) {
        let scores = self.idf_from / LANES;
        let mut sum = [wide::f32x4::ZERO; N];
        for &(b, c) in counts {
            let at = b as usize * self.stride;
            let row = &self.table[at..at + N * LANES];
            let (c, c2) = (wide::f32x4::splat(c), wide::f32x4::splat(c * c));
            for (j, s) in sum.iter_mut().enumerate() {
                let w: [f32; LANES] = row[j * LANES..(j + 1) * LANES].try_into().unwrap_or([0.0; LANES]);
                *s += wide::f32x4::new(w) * if j < scores { c } else { c2 };
            }
        }
        let sum = sum.map(|s| s.to_array());
        acc.extend(sum.iter().flatten());
    }

    /// The `n` features pulling model `m` most towards class `c`: its centred
    /// weight times the feature's normalized value (see [`Model::pulls`]);
    /// `norm` as [`IntakeModel::probabilities`] returned it.
    fn pulls(&self, counts: &Sparse, m: &IntakeModel, c: usize, norm: f32, n: usize) -> Vec<(u32, f32)> {
        strongest(counts.iter().map(|&(b, v)| (b, self.row(b)[m.offset + c] * v / norm)), n)
    }
}

/// `a += f * w`, a block at a time (both a multiple of [`LANES`] long).
fn add_scaled(a: &mut [f32], w: &[f32], f: f32) {
    for (a, w) in a.chunks_exact_mut(LANES).zip(w.chunks_exact(LANES)) {
        for (a, w) in a.iter_mut().zip(w) {
            *a += f * w;
        }
    }
}

/// The models used on intake, one per target.
#[derive(Clone, Default)]
pub struct Intake {
    models: Vec<IntakeModel>,
    groups: Vec<Group>,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let targets: Vec<(&str, i64)> = self.models.iter().map(|m| (m.target.as_str(), m.model_id)).collect();
        f.debug_struct("Intake").field("models", &targets).field("tables", &self.groups.len()).finish()
    }
}

impl Intake {
    /// Intake with these models; their weights move into one table per
    /// feature setting.
    pub fn new(mut models: Vec<IntakeModel>) -> Intake {
        let mut groups: Vec<Group> = Vec::new();
        for (i, m) in models.iter_mut().enumerate() {
            let g = match groups.iter().position(|g| g.features == m.model.features) {
                Some(g) => g,
                None => {
                    let features = m.model.features;
                    groups.push(Group { features, stride: 0, idf_from: 0, table: Vec::new(), models: Vec::new() });
                    groups.len() - 1
                }
            };
            m.offset = groups[g].idf_from;
            groups[g].idf_from += m.classes();
            groups[g].models.push(i);
        }
        for g in &mut groups {
            g.idf_from = lanes(g.idf_from);
            g.stride = g.idf_from + lanes(g.models.len());
            let (buckets, stride) = (g.features.buckets(), g.stride);
            g.table = vec![0.0; buckets * stride];
            for (j, &i) in g.models.iter().enumerate() {
                let m = &mut models[i];
                m.idf_at = g.idf_from + j;
                let (o, k) = (m.offset, m.classes());
                let weights = std::mem::take(&mut m.model.weights);
                let idf = std::mem::take(&mut m.model.idf);
                for (b, row) in g.table.chunks_exact_mut(stride).enumerate() {
                    let idf = idf.get(b).copied().unwrap_or(1.0);
                    let w = &weights[b * k..(b + 1) * k];
                    let mean = w.iter().sum::<f32>() / k as f32;
                    for (t, w) in row[o..o + k].iter_mut().zip(w) {
                        *t = (w - mean) * idf;
                    }
                    row[m.idf_at] = idf * idf;
                }
            }
        }
        Intake { models, groups }
    }

    pub fn models(&self) -> &[IntakeModel] {
        &self.models
    }

    /// Every target's prediction for a text; `given(target)` says a person set
    /// that field already (the prediction is then kept for the record only).
    /// The text is turned into features once per feature setting, keeping where
    /// each came from, and scored for all its models in one pass; only the
    /// features behind the predictions are turned back into words.
    pub fn predict(&self, text: &str, given: impl Fn(&str) -> bool) -> Predictions {
        let mut out = Predictions::new();
        let (mut acc, mut probs) = (Vec::new(), Vec::new());
        for g in &self.groups {
            let (counts, trace) = g.features.counts_traced(text);
            g.accumulate(&counts, &mut acc);
            let mut scored = Vec::with_capacity(g.models.len());
            for &i in &g.models {
                let m = &self.models[i];
                let known = m.model.known.share(&trace.words);
                let norm = m.probabilities(&acc, known, &mut probs);
                let (best, p) = m.prediction(&probs, given(&m.target), known);
                // As [`Model::predict`]: the words speak for the share known.
                scored.push((m, p, g.pulls(&counts, m, best, norm / known, DRIVERS * 4)));
            }
            let mut wanted: Vec<u32> = scored.iter().flat_map(|(_, _, pulls)| pulls.iter().map(|(b, _)| *b)).collect();
            wanted.sort_unstable();
            wanted.dedup();
            let origins = trace.origins(&counts, &wanted);
            for (m, mut p, pulls) in scored {
                p.drivers = phrases(&pulls, &origins, DRIVERS)
                    .into_iter()
                    .map(|(phrase, weight)| Driver { phrase, weight: round(weight) })
                    .collect();
                out.insert(m.target.clone(), p);
            }
        }
        out
    }

    /// Every target's class index and confidence (in the order of
    /// [`Intake::models`]), without explanations (the batch path: re-scoring,
    /// replays, benchmarks).
    pub fn classify(&self, text: &str) -> Vec<(usize, f32)> {
        let mut out = vec![(0, 0.0); self.models.len()];
        let (mut acc, mut probs) = (Vec::new(), Vec::new());
        for g in &self.groups {
            let (counts, words) = g.features.counts_words(text);
            g.accumulate(&counts, &mut acc);
            for &i in &g.models {
                let m = &self.models[i];
                m.probabilities(&acc, m.model.known.share(&words), &mut probs);
                out[i] = argmax(&probs);
            }
        }
        out
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row width sums what the plain formula gives: the class scores
    /// `sum c * w` and the squared norms `sum c^2 * idf^2`, in registers (up
    /// to eight blocks) or in memory.
    #[test]
    fn rows_of_every_width_sum_alike() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        };
        for blocks in 2..=10usize {
            let idf_from = (blocks - 1) * LANES;
            let stride = blocks * LANES;
            let buckets = 64;
            let table: Vec<f32> = (0..buckets * stride).map(|_| next()).collect();
            let g = Group { features: FeatureSpec::default(), stride, idf_from, table, models: Vec::new() };
            let counts: Sparse = (0..buckets as u32).step_by(3).map(|b| (b, 1.0 + next())).collect();
            let want: Vec<f32> = (0..stride)
                .map(|i| counts.iter().map(|&(b, c)| if i < idf_from { c } else { c * c } * g.row(b)[i]).sum::<f32>())
                .collect();
            let (mut fast, mut wide) = (Vec::new(), Vec::new());
            g.accumulate(&counts, &mut fast);
            g.sum_wide(&counts, &mut wide);
            for got in [&fast, &wide] {
                assert_eq!(got.len(), stride, "{blocks} blocks");
                for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                    assert!((a - b).abs() < 1e-4, "{blocks} blocks, number {i}: {a} vs {b}");
                }
            }
        }
    }
}
