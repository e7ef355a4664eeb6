//! Choosing training settings by cross-validation on the training rows only:
//! logistic regression or linear SVM and its step or C, how strongly rare
//! classes are weighted, and whether character n-grams help, by k-fold
//! macro-F1.

use super::{fit_texts, score_macro_f1, FeatureSpec, Loss, TrainSpec};

/// Macro-F1 of `spec` by `folds`-fold cross-validation (row `i` is in fold
/// `i % folds`), the folds trained on two threads.
pub fn cv_macro_f1(texts: &[&str], labels: &[&str], features: FeatureSpec, spec: TrainSpec, folds: usize) -> f64 {
    let fold = |f: usize| {
        let (mut fx, mut fy, mut held) = (Vec::new(), Vec::new(), Vec::new());
        for (i, (x, y)) in texts.iter().zip(labels).enumerate() {
            if i % folds == f {
                held.push((*x, *y));
            } else {
                fx.push(*x);
                fy.push(*y);
            }
        }
        // Calibration moves no prediction, so the folds' models skip it.
        score_macro_f1(&fit_texts(&fx, &fy, features, spec), &held)
    };
    let total: f64 = std::thread::scope(|s| {
        let odd = s.spawn(|| (1..folds).step_by(2).map(fold).sum::<f64>());
        (0..folds).step_by(2).map(fold).sum::<f64>() + odd.join().unwrap_or(0.0)
    });
    total / folds as f64
}

/// The grid searched: character n-grams or not; logistic regression by its
/// learning rate, or the linear SVM by its C; how strongly rare classes are
/// weighted.
pub fn grid(bits: u8) -> Vec<(FeatureSpec, TrainSpec)> {
    let mut out = Vec::new();
    for (char_min, char_max) in [(3u8, 4u8), (0, 0)] {
        let features = FeatureSpec { bits, char_min, char_max, ..FeatureSpec::default() };
        for balance in [0.5f32, 1.0] {
            for rate in [0.5f32, 2.0, 8.0] {
                out.push((features, TrainSpec { rate, balance, ..TrainSpec::default() }));
            }
            for c in [0.5f32, 2.0] {
                out.push((features, TrainSpec { c, balance, loss: Loss::SquaredHinge, ..TrainSpec::default() }));
            }
        }
    }
    out
}

/// The grid's best settings by 3-fold cross-validated macro-F1, and that
/// score; `progress(done, of)` after each setting.
pub fn choose(
    texts: &[&str],
    labels: &[&str],
    bits: u8,
    mut progress: impl FnMut(usize, usize),
) -> (FeatureSpec, TrainSpec, f64) {
    let grid = grid(bits);
    let mut best = (grid[0].0, grid[0].1, f64::MIN);
    for (i, (features, spec)) in grid.iter().enumerate() {
        let f1 = cv_macro_f1(texts, labels, *features, *spec, 3);
        if f1 > best.2 {
            best = (*features, *spec, f1);
        }
        progress(i + 1, grid.len());
    }
    best
}
