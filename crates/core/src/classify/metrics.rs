//! How good predictions are: accuracy, macro and weighted F1, per-class
//! precision/recall/F1, the most confused pairs, and expected calibration error.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassScore {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// True rows of this class.
    pub support: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub rows: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub weighted_f1: f64,
    /// Expected calibration error of the top confidence (15 equal-width bins).
    pub ece: f64,
    pub per_class: Vec<ClassScore>,
    /// (true label, predicted label, rows), the most frequent confusions first.
    pub confused: Vec<(String, String, usize)>,
}

/// Scores `(true, predicted, confidence)` triples over `labels` (indices into it).
/// Macro-F1 averages the classes present in the truth or the predictions.
pub fn evaluate(labels: &[String], rows: &[(usize, usize, f32)]) -> Evaluation {
    let k = labels.len();
    let mut matrix = vec![vec![0usize; k]; k];
    for &(t, p, _) in rows {
        matrix[t][p] += 1;
    }
    let n = rows.len().max(1) as f64;
    let correct: usize = (0..k).map(|i| matrix[i][i]).sum();
    let mut per_class = Vec::new();
    let (mut macro_sum, mut macro_n, mut weighted) = (0.0, 0, 0.0);
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
        macro_sum += f1;
        macro_n += 1;
        weighted += f1 * support as f64;
        per_class.push(ClassScore { label: labels[c].clone(), precision, recall, f1, support });
    }
    let mut confused: Vec<(String, String, usize)> = Vec::new();
    for (t, row) in matrix.iter().enumerate() {
        for (p, &m) in row.iter().enumerate() {
            if t != p && m > 0 {
                confused.push((labels[t].clone(), labels[p].clone(), m));
            }
        }
    }
    confused.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    confused.truncate(10);
    // ECE: |accuracy - confidence| per bin, weighted by the bin's share.
    let bins = 15;
    let mut acc = vec![(0usize, 0.0f64, 0.0f64); bins];
    for &(t, p, conf) in rows {
        let b = ((conf as f64 * bins as f64) as usize).min(bins - 1);
        acc[b].0 += 1;
        acc[b].1 += f64::from(u8::from(t == p));
        acc[b].2 += conf as f64;
    }
    // Per bin |accuracy - confidence| times its share of rows: |hits - confidence sum| / n.
    let ece = acc.iter().filter(|b| b.0 > 0).map(|(_, a, c)| (a - c).abs() / n).sum();
    Evaluation {
        rows: rows.len(),
        accuracy: correct as f64 / n,
        macro_f1: if macro_n > 0 { macro_sum / macro_n as f64 } else { 0.0 },
        weighted_f1: weighted / n,
        ece,
        per_class,
        confused,
    }
}
