//! How good predictions are: accuracy, macro and weighted F1, per-class
//! precision/recall/F1, the most confused pairs, and expected calibration error.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassScore {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// True rows of this class.
    pub support: usize,
}

/// Stored with each model (and read back: the fields added since default
/// when an older model's evaluation lacks them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub rows: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub weighted_f1: f64,
    /// Expected calibration error of the top confidence (15 equal-width bins).
    pub ece: f64,
    /// The ECE that perfectly calibrated confidences would show on these rows
    /// by chance alone: the mean over simulated outcomes where each row is
    /// right with exactly its confidence. On a few hundred rows this is several
    /// hundredths, so an `ece` near it says "calibrated as far as these rows
    /// can tell", and only an `ece` well above it says the confidences are off.
    #[serde(default)]
    pub ece_floor: f64,
    /// The 95th percentile of that chance ECE: a measured `ece` below it is
    /// within what sampling alone produces.
    #[serde(default)]
    pub ece_floor_p95: f64,
    pub per_class: Vec<ClassScore>,
    /// (true label, predicted label, rows), the most frequent confusions first.
    #[serde(default)]
    pub confused: Vec<(String, String, usize)>,
    /// The confusion matrix of the most confused classes.
    #[serde(default)]
    pub confusion_matrix: ConfusionMatrix,
}

/// Rows by true class (`counts[i]`) and predicted class (`counts[i][j]`) over
/// the classes of the most frequent confusions (at most [`MATRIX_CLASSES`]),
/// in order of first appearance among them; rows of other classes are left out.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    pub labels: Vec<String>,
    pub counts: Vec<Vec<usize>>,
}

/// Classes at most in [`Evaluation::confusion_matrix`].
pub const MATRIX_CLASSES: usize = 6;

/// Scores `(true, predicted, confidence)` triples over `labels` (indices into it).
/// Macro-F1 averages the classes present in the truth or the predictions.
pub fn evaluate(labels: &[String], rows: &[(usize, usize, f32)]) -> Evaluation {
    let k = labels.len();
    let mut matrix = vec![vec![0usize; k]; k];
    for &(t, p, _) in rows {
        matrix[t][p] += 1;
    }
    let n = rows.len().max(1) as f64;
    let (macro_f1, accuracy) = macro_f1_accuracy(rows.iter().map(|&(t, p, _)| (t, p)), k);
    let mut per_class = Vec::new();
    let mut weighted = 0.0;
    for c in 0..k {
        let tp = matrix[c][c] as f64;
        let support: usize = matrix[c].iter().sum();
        let predicted: usize = (0..k).map(|t| matrix[t][c]).sum();
        if support == 0 && predicted == 0 {
            continue;
        }
        let precision = if predicted > 0 { tp / predicted as f64 } else { 0.0 };
        let recall = if support > 0 { tp / support as f64 } else { 0.0 };
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        weighted += f1 * support as f64;
        per_class.push(ClassScore { label: labels[c].clone(), precision, recall, f1, support });
    }
    // (true, predicted, rows) off the diagonal, the most frequent first.
    let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
    for (t, row) in matrix.iter().enumerate() {
        for (p, &m) in row.iter().enumerate() {
            if t != p && m > 0 {
                pairs.push((t, p, m));
            }
        }
    }
    pairs.sort_by(|a, b| b.2.cmp(&a.2).then(labels[a.0].cmp(&labels[b.0])));
    pairs.truncate(10);
    let confused = pairs.iter().map(|&(t, p, m)| (labels[t].clone(), labels[p].clone(), m)).collect();
    // The classes of the most frequent confusions, each once, in that order.
    let mut chosen: Vec<usize> = Vec::new();
    for c in pairs.iter().flat_map(|&(t, p, _)| [t, p]) {
        if !chosen.contains(&c) && chosen.len() < MATRIX_CLASSES {
            chosen.push(c);
        }
    }
    let confusion_matrix = ConfusionMatrix {
        labels: chosen.iter().map(|&c| labels[c].clone()).collect(),
        counts: chosen.iter().map(|&t| chosen.iter().map(|&p| matrix[t][p]).collect()).collect(),
    };
    let ece = ece(rows.iter().map(|&(t, p, conf)| (t == p, conf)));
    let (ece_floor, ece_floor_p95) = ece_by_chance(rows);
    Evaluation {
        rows: rows.len(),
        accuracy,
        macro_f1,
        weighted_f1: weighted / n,
        ece,
        ece_floor,
        ece_floor_p95,
        per_class,
        confused,
        confusion_matrix,
    }
}

/// Macro-F1 and accuracy of `(true, predicted)` class indices below `k`: what
/// [`evaluate`] reports, alone, for scoring many folds or resamples. Macro-F1
/// averages F1 = 2 TP / (rows of the class + predictions of it) over the
/// classes present in the truth or the predictions (as scikit-learn does).
pub fn macro_f1_accuracy(pairs: impl Iterator<Item = (usize, usize)>, k: usize) -> (f64, f64) {
    let (mut tp, mut support, mut predicted) = (vec![0usize; k], vec![0usize; k], vec![0usize; k]);
    let mut n = 0usize;
    for (t, p) in pairs {
        support[t] += 1;
        predicted[p] += 1;
        tp[t] += usize::from(t == p);
        n += 1;
    }
    let present = (0..k).filter(|&c| support[c] + predicted[c] > 0);
    let (sum, classes) =
        present.fold((0.0, 0usize), |(s, m), c| (s + 2.0 * tp[c] as f64 / (support[c] + predicted[c]) as f64, m + 1));
    (if classes > 0 { sum / classes as f64 } else { 0.0 }, tp.iter().sum::<usize>() as f64 / n.max(1) as f64)
}

/// Bins of the calibration error.
const ECE_BINS: usize = 15;

/// Expected calibration error of `(right, confidence)` rows: per bin of
/// confidence, |accuracy - mean confidence| weighted by the bin's share of rows.
fn ece(rows: impl Iterator<Item = (bool, f32)>) -> f64 {
    let mut bins = [(0.0f64, 0.0f64); ECE_BINS];
    let mut n = 0usize;
    for (right, conf) in rows {
        let b = ((conf as f64 * ECE_BINS as f64) as usize).min(ECE_BINS - 1);
        bins[b].0 += f64::from(u8::from(right));
        bins[b].1 += conf as f64;
        n += 1;
    }
    // |hits - confidence sum| / n per bin is |accuracy - confidence| x share.
    bins.iter().map(|(hits, conf)| (hits - conf).abs()).sum::<f64>() / n.max(1) as f64
}

/// Simulated outcomes behind [`Evaluation::ece_floor`].
const CHANCE_DRAWS: usize = 400;

/// The mean and 95th percentile of the ECE of these confidences when each row
/// is right with exactly its confidence (see [`ece_by_chance_draws`]).
fn ece_by_chance(rows: &[(usize, usize, f32)]) -> (f64, f64) {
    let draws = ece_by_chance_draws(rows.iter().map(|&(_, _, conf)| conf));
    if draws.is_empty() {
        return (0.0, 0.0);
    }
    let mean = draws.iter().sum::<f64>() / draws.len() as f64;
    (mean, draws[draws.len() * 95 / 100])
}

/// The ECE of these confidences in each of `CHANCE_DRAWS` simulated
/// outcomes where every row is right with exactly its confidence, sorted (a
/// fixed seed, so the same confidences always give the same figures; none for
/// no rows). What share of them falls under a bar says how often confidences
/// that are exactly right would meet it on rows like these.
pub fn ece_by_chance_draws(confidences: impl Iterator<Item = f32> + Clone) -> Vec<f64> {
    if confidences.clone().next().is_none() {
        return Vec::new();
    }
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut draws: Vec<f64> =
        (0..CHANCE_DRAWS).map(|_| ece(confidences.clone().map(|conf| (uniform() < conf as f64, conf)))).collect();
    draws.sort_by(f64::total_cmp);
    draws
}
