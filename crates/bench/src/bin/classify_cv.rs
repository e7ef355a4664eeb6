//! Nested cross-validation on the train splits only: for each of three outer
//! folds (row i in fold i % 3, the folds `baseline_cv.py` uses), the product
//! chooses its settings as `triage train` does (3-fold cross-validation inside
//! the other two thirds), trains and calibrates on those two thirds, and labels
//! the third it never saw. Every train row is predicted once, by a model that
//! neither chose its settings nor trained on it, so the pooled scores judge the
//! whole recipe — choosing included — on three to five times as many rows as
//! the test splits hold. Changes to the recipe are decided here, never on the
//! test splits.
//!
//! ```text
//! cargo run --release -p triage-bench --bin classify_cv [-- DATA_DIR]
//! ```
//!
//! Pooled scores are over all the held-out rows; "fold" ones are each fold's
//! own, averaged. `CLASSIFY_ONLY=NAME` runs one target; `CLASSIFY_DETAIL=1`
//! prints its per-class scores; `CLASSIFY_FIXED=logistic|svm|blend` trains
//! that with the default features instead of choosing. The baseline's figures on the same
//! folds: `python3 crates/bench/baseline_cv.py`.

use std::time::Instant;
use triage_bench::labelled::{bits_for, data_dir, read, TARGETS};
use triage_core::classify::{choose, evaluate, macro_f1_accuracy, train_texts, FeatureSpec, Loss, TrainSpec};

const FOLDS: usize = 3;

fn main() -> anyhow::Result<()> {
    let dir = data_dir();
    println!(
        "{:<26} {:>6} {:>8} {:>7} {:>8} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8}",
        "target (nested 3-fold)", "rows", "macroF1", "acc", "fold F1", "acc", "wF1", "ECE", "chance", "c95", "seconds"
    );
    let only = std::env::var("CLASSIFY_ONLY").ok();
    for t in TARGETS.iter().filter(|t| only.as_deref().is_none_or(|o| t.name == o)) {
        let started = Instant::now();
        let (texts, labels) = read(&dir.join(t.dataset).join("train.csv"), t)?;
        let mut classes: Vec<String> = labels.clone();
        classes.sort();
        classes.dedup();
        let bits = bits_for(classes.len());
        let mut rows = Vec::with_capacity(texts.len());
        let mut chosen = Vec::new();
        // Each fold's own macro-F1 and accuracy, averaged as scikit-learn's
        // cross-validation (and so `baseline_cv.py`) reports them.
        let mut fold_means = (0.0, 0.0);
        for f in 0..FOLDS {
            let (mut fx, mut fy, mut held) = (Vec::new(), Vec::new(), Vec::new());
            for (i, (x, y)) in texts.iter().zip(&labels).enumerate() {
                if i % FOLDS == f {
                    held.push((x.as_str(), y.as_str()));
                } else {
                    fx.push(x.as_str());
                    fy.push(y.as_str());
                }
            }
            let (features, spec) = match std::env::var("CLASSIFY_FIXED").as_deref() {
                Ok(fixed) => {
                    let loss = match fixed {
                        "svm" => Loss::SquaredHinge,
                        "blend" => Loss::Blend,
                        _ => Loss::Logistic,
                    };
                    (FeatureSpec { bits, ..FeatureSpec::default() }, TrainSpec { loss, ..TrainSpec::default() })
                }
                Err(_) => {
                    let (features, spec, _) = choose(&fx, &fy, bits, |_, _| {});
                    (features, spec)
                }
            };
            chosen.push(format!("{} chars {}-{}", spec.method(), features.char_min, features.char_max));
            let model = train_texts(&fx, &fy, features, spec);
            let mut buf = Vec::new();
            let before = rows.len();
            for (x, y) in held {
                let (p, c) = model.classify_text(x, &mut buf);
                let p = classes.binary_search(&model.labels[p]).unwrap_or(0);
                let y = classes.binary_search_by(|c| c.as_str().cmp(y)).unwrap_or(0);
                rows.push((y, p, c));
            }
            let (f1, acc) = macro_f1_accuracy(rows[before..].iter().map(|&(y, p, _)| (y, p)), classes.len());
            fold_means = (fold_means.0 + f1 / FOLDS as f64, fold_means.1 + acc / FOLDS as f64);
        }
        let e = evaluate(&classes, &rows);
        println!(
            "{:<26} {:>6} {:>8.3} {:>7.3} {:>8.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>8.1}",
            format!("{} {}", t.dataset.split('_').next().unwrap_or(t.dataset), t.name),
            e.rows,
            e.macro_f1,
            e.accuracy,
            fold_means.0,
            fold_means.1,
            e.weighted_f1,
            e.ece,
            e.ece_floor,
            e.ece_floor_p95,
            started.elapsed().as_secs_f64()
        );
        eprintln!("  {}: chose {}", t.name, chosen.join("; "));
        if std::env::var_os("CLASSIFY_DETAIL").is_some() {
            for c in &e.per_class {
                eprintln!("    {:<28} p {:.3} r {:.3} f1 {:.3} n {}", c.label, c.precision, c.recall, c.f1, c.support);
            }
        }
    }
    Ok(())
}
