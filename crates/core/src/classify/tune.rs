//! Choosing training settings by cross-validation on the training rows only:
//! logistic regression over words and character n-grams, over words alone, or
//! linear SVMs over both, by k-fold macro-F1.

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

/// The settings searched: the defaults (logistic regression, rare classes
/// weighted by inverse frequency^0.5, words, word pairs and character
/// 4-grams), the same over words and word pairs alone, and linear SVMs (C 1)
/// over everything. Three, because choosing among more on a few thousand
/// tickets chooses noise: against the grid of twenty used before (learning
/// rates 0.5-8, C 0.5-2, weights^0.5 or ^1, characters on or off),
/// cross-validation inside each fold of an outer cross-validation (so the
/// choosing is judged too) scored these three higher in accuracy on all six
/// targets tried and in macro-F1 on five (synthetic queue 0.440 against 0.407,
/// Endava impact 0.609 against 0.562; Endava category level), and they take a
/// seventh of the time (BENCHMARKS.md).
pub fn grid(bits: u8) -> Vec<(FeatureSpec, TrainSpec)> {
    let chars = FeatureSpec { bits, ..FeatureSpec::default() };
    let words = FeatureSpec { char_min: 0, char_max: 0, ..chars };
    let logistic = TrainSpec::default();
    let svm = TrainSpec { loss: Loss::SquaredHinge, c: 1.0, ..logistic };
    vec![(chars, logistic), (words, logistic), (chars, svm)]
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
