//! The hand-written trainer beside linfa's multinomial logistic regression on
//! the same features: Endava category, train split to test split.
//!
//! linfa wants a dense `ndarray` design matrix, so both train on the same small
//! hashed space (2^12 word and word-pair buckets, TF-IDF, unit length) that a
//! dense matrix can hold; ours then also trains on its own 2^20 buckets with
//! character n-grams, which no dense matrix could.
//!
//! ```text
//! cargo run --release -p triage-bench --bin classify_linfa [-- DATA_DIR]
//! ```

use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2};
use std::time::Instant;
use triage_core::classify::{evaluate, idf, normalize, score, train_texts, FeatureSpec, TrainSpec};

fn read(path: &std::path::Path) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let mut r = csv::Reader::from_path(path)?;
    let h = r.headers()?.clone();
    let col = |n: &str| h.iter().position(|x| x == n).ok_or_else(|| anyhow::anyhow!("no column {n}"));
    let (title, body, category) = (col("title")?, col("body")?, col("category")?);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for rec in r.records() {
        let rec = rec?;
        x.push(format!("{}\n{}", &rec[title], &rec[body]));
        y.push(rec[category].to_string());
    }
    Ok((x, y))
}

fn main() -> anyhow::Result<()> {
    let dir = triage_bench::labelled::data_dir();
    let (train_x, train_y) = read(&dir.join("endava_tickets/train.csv"))?;
    let (test_x, test_y) = read(&dir.join("endava_tickets/test.csv"))?;
    let small = FeatureSpec { bits: 12, char_min: 0, char_max: 0, ..FeatureSpec::default() };
    let mut classes: Vec<String> = train_y.clone();
    classes.sort();
    classes.dedup();
    let class_of = |y: &str| classes.iter().position(|c| c == y).unwrap_or(classes.len());

    // The same TF-IDF vectors for both, dense for linfa.
    let counts: Vec<_> = train_x.iter().map(|t| small.counts(t, None)).collect();
    let weights = idf(&counts, small.buckets());
    let dense = |texts: &[String]| {
        let mut m = Array2::<f64>::zeros((texts.len(), small.buckets()));
        for (i, t) in texts.iter().enumerate() {
            let mut x = small.counts(t, None);
            normalize(&mut x, Some(&weights));
            for (b, v) in x {
                m[[i, b as usize]] = f64::from(v);
            }
        }
        m
    };
    let started = Instant::now();
    let xs = dense(&train_x);
    let ys: Array1<usize> = train_y.iter().map(|y| class_of(y)).collect();
    let data = Dataset::new(xs, ys);
    let fitted = MultiLogisticRegression::default().alpha(1e-4).max_iterations(100).fit(&data)?;
    let linfa_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let probs = fitted.predict_probabilities(&dense(&test_x));
    let linfa_per_s = test_x.len() as f64 / started.elapsed().as_secs_f64();
    let rows: Vec<(usize, usize, f32)> = probs
        .outer_iter()
        .zip(&test_y)
        .map(|(p, y)| {
            let (best, conf) = p.iter().enumerate().fold((0, f64::MIN), |b, (i, v)| if *v > b.1 { (i, *v) } else { b });
            (class_of(y), fitted.classes()[best], conf as f32)
        })
        .collect();
    let mut labels = classes.clone();
    labels.push("(unseen)".into());
    let e = evaluate(&labels, &rows);
    println!("{:<44} {:>8} {:>9} {:>7} {:>9} {:>12}", "trainer", "train s", "accuracy", "macroF1", "ECE", "tickets/s");
    println!(
        "{:<44} {:>8.2} {:>9.3} {:>7.3} {:>9.3} {:>12.0}",
        "linfa MultiLogisticRegression (L-BFGS, dense)", linfa_s, e.accuracy, e.macro_f1, e.ece, linfa_per_s
    );
    let test: Vec<(&str, &str)> = test_x.iter().map(String::as_str).zip(test_y.iter().map(String::as_str)).collect();
    let texts: Vec<&str> = train_x.iter().map(String::as_str).collect();
    let ys: Vec<&str> = train_y.iter().map(String::as_str).collect();
    for (name, features, spec) in [
        ("ours, SGD, the same 2^12 buckets", small, TrainSpec::default()),
        (
            "ours, SGD, 2^20 buckets + character n-grams",
            FeatureSpec { bits: 20, ..FeatureSpec::default() },
            TrainSpec { rate: 8.0, ..TrainSpec::default() },
        ),
    ] {
        let started = Instant::now();
        let m = train_texts(&texts, &ys, features, spec);
        let s = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let e = score(&m, &test);
        let per_s = test.len() as f64 / started.elapsed().as_secs_f64();
        println!("{:<44} {:>8.2} {:>9.3} {:>7.3} {:>9.3} {:>12.0}", name, s, e.accuracy, e.macro_f1, e.ece, per_s);
    }
    Ok(())
}
