//! Prediction speed on real tickets: features plus every target, batched in one
//! thread and one ticket at a time, with and without explanations; training time
//! on 100,000 tickets; model memory.
//!
//! ```text
//! cargo run --release -p triage-bench --bin classify_speed [-- DATA_DIR]
//! ```
//!
//! `SKIP_BIG=1` skips the 100,000-ticket training; `BITS=N` trains the three
//! intake models with 2^N buckets (default 18); `ROUNDS=N` passes over the test
//! tickets per figure (default 20).

use std::time::Instant;
use triage_core::classify::{train_texts, FeatureSpec, Intake, IntakeModel, TrainSpec};
use triage_core::policy::Policy;

/// Reads `title\nbody` and the label columns of the Endava tickets.
fn read(path: &std::path::Path, labels: &[&str]) -> anyhow::Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut r = csv::Reader::from_path(path)?;
    let h = r.headers()?.clone();
    let col = |n: &str| h.iter().position(|x| x == n).ok_or_else(|| anyhow::anyhow!("no column {n}"));
    let (title, body) = (col("title")?, col("body")?);
    let cols: Vec<usize> = labels.iter().map(|l| col(l)).collect::<Result<_, _>>()?;
    let (mut texts, mut ys) = (Vec::new(), vec![Vec::new(); labels.len()]);
    for rec in r.records() {
        let rec = rec?;
        texts.push(format!("{}\n{}", &rec[title], &rec[body]));
        for (i, c) in cols.iter().enumerate() {
            ys[i].push(rec[*c].to_string());
        }
    }
    Ok((texts, ys))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let dir = triage_bench::labelled::data_dir();
    let targets = ["category", "urgency", "impact"];
    let (train_x, train_y) = read(&dir.join("endava_tickets/train.csv"), &targets)?;
    let (test_x, _) = read(&dir.join("endava_tickets/test.csv"), &targets)?;
    // The policy's own values, so the models are the ones intake would use.
    let policy = Policy::builtin();
    let mut models = Vec::new();
    let texts: Vec<&str> = train_x.iter().map(String::as_str).collect();
    for (target, ys) in targets.iter().zip(&train_y) {
        // Map the data set's codes onto the policy's values by rank, so intake takes them.
        let mut codes: Vec<&str> = ys.iter().map(String::as_str).collect();
        codes.sort();
        codes.dedup();
        let values = policy.predictable_values(target).unwrap();
        let mapped: Vec<&str> =
            ys.iter().map(|y| values[codes.iter().position(|c| c == y).unwrap() % values.len()].as_str()).collect();
        let started = Instant::now();
        let bits = std::env::var("BITS").ok().and_then(|b| b.parse().ok()).unwrap_or(FeatureSpec::default().bits);
        let model = train_texts(&texts, &mapped, FeatureSpec { bits, ..FeatureSpec::default() }, TrainSpec::default());
        println!(
            "trained {target}: {} rows, {} classes in {:.2} s, weights {:.1} MB",
            texts.len(),
            model.labels.len(),
            started.elapsed().as_secs_f64(),
            model.weight_bytes() as f64 / 1e6
        );
        models.push(IntakeModel::new(target, 1, model, &policy).map_err(anyhow::Error::msg)?);
    }
    // Training on 100,000 tickets (skipped with SKIP_BIG=1): the Banking77
    // train split (77 intents) ten times over, each copy dropping a different
    // tenth of the words, so no two rows are the same text.
    if std::env::var_os("SKIP_BIG").is_none() {
        train_big(&dir)?;
    }
    let intake = Intake::new(models);
    predict(&intake, &test_x, &targets);
    Ok(())
}

fn train_big(dir: &std::path::Path) -> anyhow::Result<()> {
    let mut r = csv::Reader::from_path(dir.join("banking77/train.csv"))?;
    let (mut big_x, mut big_y) = (Vec::new(), Vec::new());
    let rows: Vec<(String, String)> =
        r.records().map(|x| x.map(|x| (x[1].to_string(), x[2].to_string()))).collect::<Result<_, _>>()?;
    'fill: for copy in 0..100usize {
        for (i, (text, intent)) in rows.iter().enumerate() {
            if big_x.len() == 100_000 {
                break 'fill;
            }
            let kept: Vec<&str> = text
                .split_whitespace()
                .enumerate()
                .filter(|(j, _)| (i + j + copy) % 10 != 0 || copy == 0)
                .map(|(_, w)| w)
                .collect();
            big_x.push(kept.join(" "));
            big_y.push(intent.clone());
        }
    }
    let xs: Vec<&str> = big_x.iter().map(String::as_str).collect();
    let ys: Vec<&str> = big_y.iter().map(String::as_str).collect();
    let features = FeatureSpec { bits: 17, ..FeatureSpec::default() };
    let started = Instant::now();
    let model = train_texts(&xs, &ys, features, TrainSpec::default());
    println!(
        "trained on {} tickets ({} classes) in {:.1} s, weights {:.1} MB",
        xs.len(),
        model.labels.len(),
        started.elapsed().as_secs_f64(),
        model.weight_bytes() as f64 / 1e6
    );
    Ok(())
}

fn predict(intake: &Intake, test_x: &[String], targets: &[&str]) {
    let mean_len = test_x.iter().map(|t| t.len()).sum::<usize>() / test_x.len();
    println!("test tickets: {} (mean {} bytes)", test_x.len(), mean_len);
    // Features alone.
    let spec = intake.models()[0].features();
    let rounds: usize = std::env::var("ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(20);
    let started = Instant::now();
    let mut n = 0usize;
    for _ in 0..rounds {
        for t in test_x {
            n += spec.counts(t, None).len();
        }
    }
    let per_s = (rounds * test_x.len()) as f64 / started.elapsed().as_secs_f64();
    println!("features only: {per_s:.0} tickets/s ({} features per ticket)", n / (rounds * test_x.len()));
    // Every target, batched, no explanations.
    let started = Instant::now();
    let mut sum = 0.0f32;
    for _ in 0..rounds {
        for t in test_x {
            sum += intake.classify(t).iter().map(|(_, p)| p).sum::<f32>();
        }
    }
    let per_s = (rounds * test_x.len()) as f64 / started.elapsed().as_secs_f64();
    println!("features + {} targets, labels only: {per_s:.0} tickets/s ({sum:.0})", intake.models().len());
    // Every target with explanations (what intake stores), one ticket at a time.
    let mut lat = Vec::new();
    let started = Instant::now();
    for _ in 0..rounds {
        for t in test_x {
            let s = Instant::now();
            let p = intake.predict(t, |_| false);
            lat.push(s.elapsed().as_secs_f64() * 1e6);
            assert_eq!(p.len(), targets.len());
        }
    }
    let per_s = (rounds * test_x.len()) as f64 / started.elapsed().as_secs_f64();
    println!(
        "features + {} targets + explanations: {per_s:.0} tickets/s, single ticket p50 {:.1} us, p99 {:.1} us",
        intake.models().len(),
        median(lat.clone()),
        {
            lat.sort_by(f64::total_cmp);
            lat[lat.len() * 99 / 100]
        }
    );
}
