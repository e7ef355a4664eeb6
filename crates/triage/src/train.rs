//! `triage train`, `triage evaluate` and `triage models`: categorization models
//! trained from the database's labelled tickets or from a CSV file, evaluated on
//! a held-out split, stored versioned in the database.

use crate::cli::{EvaluateArgs, Global, ModelsCommand, TrainArgs};
use anyhow::{bail, Context};
use std::process::ExitCode;
use std::time::Instant;
use triage_core::classify::{held_out, train_texts, Evaluation, FeatureSpec, Model, TrainSpec};
use triage_store::{NewModel, Store};

/// Labelled rows: (text, label).
type Rows = Vec<(String, String)>;

/// Reads `text` columns (joined by a line break) and the `label` column of a
/// CSV file; rows without a label are skipped. Errors name the file and line.
fn read_csv(path: &std::path::Path, text: &str, label: &str) -> anyhow::Result<Rows> {
    let mut r = csv::Reader::from_path(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let headers = r.headers().with_context(|| format!("{}:1: cannot read the header row", path.display()))?.clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).with_context(|| {
            format!(
                "{}:1: no column `{name}`; the file has: {}",
                path.display(),
                headers.iter().collect::<Vec<_>>().join(", ")
            )
        })
    };
    let text_cols: Vec<usize> = text.split(',').map(|c| col(c.trim())).collect::<Result<_, _>>()?;
    let label_col = col(label)?;
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.with_context(|| format!("{}: a row cannot be read as CSV", path.display()))?;
        let y = rec.get(label_col).unwrap_or("").trim();
        if y.is_empty() {
            continue;
        }
        out.push((text_cols.iter().filter_map(|i| rec.get(*i)).collect::<Vec<_>>().join("\n"), y.to_string()));
    }
    Ok(out)
}

/// Rows x classes up to which `train` chooses its settings by cross-validation
/// (nine trainings, three settings by three folds: seconds for a few thousand
/// tickets; above, the defaults).
const TUNE_BUDGET: usize = 200_000;

/// Feature settings whose weights stay under ~40 MB for this many classes.
fn features_for(classes: usize) -> FeatureSpec {
    let bits = (17..=20).rev().find(|b| (1usize << b) * classes.max(1) * 4 <= 40 << 20).unwrap_or(16);
    FeatureSpec { bits, ..FeatureSpec::default() }
}

/// Scores a model on labelled rows, timed.
fn score(model: &Model, rows: &[(String, String)]) -> (Evaluation, f64) {
    let started = Instant::now();
    let e = triage_core::classify::score(model, rows);
    (e, rows.len() as f64 / started.elapsed().as_secs_f64().max(1e-9))
}

/// An evaluation as a few lines; `per_s`, the throughput, when measured just now.
fn print_eval(e: &Evaluation, per_s: Option<f64>) {
    println!(
        "  accuracy {:.3}  macro-F1 {:.3}  weighted-F1 {:.3}  ECE {:.3}  ({} rows{})",
        e.accuracy,
        e.macro_f1,
        e.weighted_f1,
        e.ece,
        e.rows,
        per_s.map(|p| format!(", {p:.0} tickets/s")).unwrap_or_default()
    );
    // How much of the ECE these few rows would show even if the confidences were exact.
    println!(
        "  calibration: ECE {:.3}; perfectly calibrated confidences would show {:.3} on these rows by chance ({:.3} at the 95th percentile){}",
        e.ece,
        e.ece_floor,
        e.ece_floor_p95,
        if e.ece > e.ece_floor_p95 { ": more than chance explains" } else { ": within what chance gives" }
    );
    let mut worst: Vec<_> = e.per_class.iter().filter(|c| c.support > 0).collect();
    worst.sort_by(|a, b| a.f1.total_cmp(&b.f1));
    for c in worst.iter().take(5) {
        println!(
            "  weakest: {:<30} P {:.2} R {:.2} F1 {:.2} ({} rows)",
            c.label, c.precision, c.recall, c.f1, c.support
        );
    }
    for (t, p, n) in e.confused.iter().take(3) {
        println!("  confused: {t} taken for {p} ({n}x)");
    }
    let m = &e.confusion_matrix;
    if !m.labels.is_empty() {
        println!("  confusion matrix of the most confused classes (rows: true class, columns: predicted):");
        let width = m.counts.iter().flatten().max().map_or(1, |c| c.to_string().len()).max(3);
        let name = |l: &str| l.chars().take(30).collect::<String>();
        let header: String = (1..=m.labels.len()).map(|j| format!(" {:>width$}", format!("[{j}]"))).collect();
        println!("  {:<36}{header}", "");
        for (i, (label, row)) in m.labels.iter().zip(&m.counts).enumerate() {
            let cells: String = row.iter().map(|c| format!(" {c:>width$}")).collect();
            println!("  {:<36}{cells}", format!("[{}] {}", i + 1, name(label)));
        }
    }
}

pub async fn train(g: &Global, a: TrainArgs) -> anyhow::Result<ExitCode> {
    let store = crate::setup::open_store(g).await?;
    let policy = match crate::setup::load_policy(g) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let (rows, source) = match &a.data {
        Some(path) => {
            let label = a.label.as_deref().unwrap_or(&a.target);
            (read_csv(path, &a.text, label)?, path.display().to_string())
        }
        None => (store.labelled_tickets(&a.target).await?, "database".to_string()),
    };
    train_and_store(&store, &policy, &a.target, rows, &source, true, true).await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Trains a model for `target` on labelled rows, judges it on the held-out
/// fifth, stores it (active when it is no worse than the active one on the
/// same rows and intake can use it whenever the active one can), and says so
/// (`verbose`: with progress and the evaluation). `tune`: choose the settings
/// by cross-validation first (when the rows are few enough to do it quickly).
pub async fn train_and_store(
    store: &Store,
    policy: &triage_core::policy::Policy,
    target: &str,
    rows: Rows,
    source: &str,
    verbose: bool,
    tune: bool,
) -> anyhow::Result<triage_store::ModelRecord> {
    if rows.len() < 10 {
        bail!("only {} labelled rows for `{target}`: label more tickets (or give --data) before training", rows.len());
    }
    let (held, fit): (Rows, Rows) = rows.into_iter().partition(|(x, _)| held_out(x));
    let bar = if verbose { indicatif::ProgressBar::new_spinner() } else { indicatif::ProgressBar::hidden() };
    bar.set_message(format!("training `{target}` on {} rows ({} held out)", fit.len(), held.len()));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = Instant::now();
    let texts: Vec<&str> = fit.iter().map(|(x, _)| x.as_str()).collect();
    let labels: Vec<&str> = fit.iter().map(|(_, y)| y.as_str()).collect();
    let mut classes = labels.clone();
    classes.sort();
    classes.dedup();
    // Settings by 3-fold cross-validation on the rows it trains on (never the
    // held-out fifth), where that stays quick; the defaults otherwise.
    let base = features_for(classes.len());
    let (features, spec) = if tune && fit.len() * classes.len() <= TUNE_BUDGET {
        let (f, s, cv) = triage_core::classify::choose(&texts, &labels, base.bits, |done, of| {
            bar.set_message(format!("`{target}`: cross-validating settings {done}/{of} on {} rows", fit.len()));
        });
        if verbose {
            bar.suspend(|| {
                let how = s.method();
                println!(
                    "settings by 3-fold cross-validation: {how}, class weights^{}, character n-grams {} (macro-F1 {cv:.3})",
                    s.balance,
                    if f.char_max > 0 { "on" } else { "off" }
                )
            });
        }
        (f, s)
    } else {
        (base, TrainSpec::default())
    };
    bar.set_message(format!("training `{target}` on {} rows ({} held out)", fit.len(), held.len()));
    let model = train_texts(&texts, &labels, features, spec);
    let took = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    if verbose {
        println!("trained `{}`: {} classes, {} rows in {took:.1} s", target, model.labels.len(), fit.len());
    }
    let (e, per_s) = score(&model, &held);
    if verbose {
        print_eval(&e, Some(per_s));
    }
    // Replace the active model only when this one is no worse on the same rows.
    // The active model, read once: the new one must score no worse on the same
    // rows, and one intake cannot use never displaces one it can.
    let old = match store.active_model(target).await? {
        Some(r) => {
            Some((r.id, Model::decode(&r.header, &store.model_weights(r.id).await?).map_err(anyhow::Error::msg)?))
        }
        None => None,
    };
    let (active, note) = match &old {
        None => (true, "first model for this target".to_string()),
        Some((id, prev)) => {
            let (pe, _) = score(prev, &held);
            if e.macro_f1 >= pe.macro_f1 {
                (
                    true,
                    format!(
                        "replaces model {id}: macro-F1 {:.3} vs {:.3} on the same held-out rows",
                        e.macro_f1, pe.macro_f1
                    ),
                )
            } else {
                (
                    false,
                    format!(
                        "kept as a candidate: macro-F1 {:.3} is worse than the active model {id}'s {:.3} on the same held-out rows",
                        e.macro_f1, pe.macro_f1
                    ),
                )
            }
        }
    };
    // Whether intake can use it: its labels must be the policy's values (or mapped
    // in [categorization.labels]).
    let usable = triage_core::classify::IntakeModel::usable(target, &model, policy);
    let (active, note) = match (&usable, active, &old) {
        (Err(why), true, Some((id, prev)))
            if triage_core::classify::IntakeModel::usable(target, prev, policy).is_ok() =>
        {
            (false, format!("kept as a candidate: model {id} is used on intake and this one cannot be ({why})"))
        }
        _ => (active, note),
    };
    // The model stored is the one judged: refitting it on the held-out fifth too
    // would make it look perfect on those rows when the next training is compared
    // with it there.
    let trained_on = fit.len();
    let (header, weights) = model.encode();
    let rec = store
        .save_model(
            NewModel {
                target,
                source,
                rows_trained: trained_on as i64,
                metrics: serde_json::to_string(&e)?,
                header,
                weights,
                active,
                note: note.clone(),
            },
            chrono::Utc::now(),
        )
        .await?;
    if !verbose {
        return Ok(rec);
    }
    println!("stored as model {} ({}): {note}", rec.id, if active { "active" } else { "candidate" });
    match usable {
        Ok(()) if active => println!(
            "used on intake by every server within 10 s (threshold {:.2})",
            policy.categorization.threshold(target)
        ),
        Ok(()) => {}
        Err(why) => println!("not used on intake: {why}"),
    }
    if let Some(warning) = base_rate_warning(&model, policy.categorization.threshold(target)) {
        println!("{warning}");
    }
    Ok(rec)
}

/// A warning when the threshold is at or under the commonest class's share of
/// the training rows: a ticket whose words the model does not know gets the
/// classes' base rates, so that class would be set on text nobody could read.
fn base_rate_warning(model: &Model, threshold: f64) -> Option<String> {
    let (i, share) = model.prior.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
    (f64::from(*share) >= threshold).then(|| {
        format!(
            "warning: `{}` is {:.0}% of the training rows, at or over the threshold {threshold:.2}: a ticket the \
             model cannot read (its base rates) would be set to it; raise the threshold above {share:.2} in the \
             policy's [categorization] thresholds to send such tickets to a person",
            model.labels[i],
            share * 100.0
        )
    })
}

async fn load(store: &Store, target: &str, id: Option<i64>) -> anyhow::Result<(i64, Model)> {
    let rec =
        match id {
            Some(id) => store.model(id).await.with_context(|| format!("no model {id}; see `triage models list`"))?,
            None => store.list_models(Some(target)).await?.into_iter().next().with_context(|| {
                format!("no model trained for `{target}` yet; run `triage train --target {target}`")
            })?,
        };
    let m = Model::decode(&rec.header, &store.model_weights(rec.id).await?).map_err(anyhow::Error::msg)?;
    Ok((rec.id, m))
}

pub async fn evaluate_cmd(g: &Global, a: EvaluateArgs) -> anyhow::Result<ExitCode> {
    let store = crate::setup::open_store(g).await?;
    let (id, model) = load(&store, &a.target, a.model).await?;
    let rows = read_csv(&a.data, &a.text, a.label.as_deref().unwrap_or(&a.target))?;
    if rows.is_empty() {
        bail!("{}: no labelled rows", a.data.display());
    }
    let (e, per_s) = score(&model, &rows);
    if a.format == "json" {
        let mut v = serde_json::to_value(&e)?;
        v["tickets_per_second"] = serde_json::json!(per_s);
        v["model"] = serde_json::json!(id);
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!("model {id} (`{}`) on {}:", a.target, a.data.display());
        print_eval(&e, Some(per_s));
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn models(g: &Global, c: ModelsCommand) -> anyhow::Result<ExitCode> {
    let store = crate::setup::open_store(g).await?;
    match c {
        ModelsCommand::List { target } => {
            println!(
                "{:>4}  {:<12} {:<8} {:>8} {:>9}  {:<20} note",
                "id", "target", "state", "macroF1", "rows", "trained"
            );
            for m in store.list_models(target.as_deref()).await? {
                let f1 = serde_json::from_str::<serde_json::Value>(&m.metrics)
                    .ok()
                    .and_then(|v| v["macro_f1"].as_f64())
                    .unwrap_or(f64::NAN);
                println!(
                    "{:>4}  {:<12} {:<8} {:>8.3} {:>9}  {:<20} {}",
                    m.id,
                    m.target,
                    if m.active { "active" } else { "candidate" },
                    f1,
                    m.rows_trained,
                    m.created_at.format("%Y-%m-%d %H:%M"),
                    m.note
                );
            }
            // What intake makes of the active ones under the policy in force.
            if let Ok(policy) = crate::setup::load_policy(g) {
                let (intake, skipped) = store.intake_models(&policy).await?;
                for m in intake.models() {
                    println!(
                        "on intake: model {} fills `{}` at confidence {:.2} or more",
                        m.model_id, m.target, m.threshold
                    );
                }
                for (target, id, why) in skipped {
                    println!("not on intake: model {id} (`{target}`): {why}");
                }
            }
        }
        ModelsCommand::Activate { id } => {
            let m = store.activate_model(id).await.with_context(|| format!("no model {id}"))?;
            println!("model {} is now the active `{}` model", m.id, m.target);
        }
        ModelsCommand::Show { id, format } => {
            let m = store.model(id).await.with_context(|| format!("no model {id}"))?;
            let header: serde_json::Value = serde_json::from_str(&m.header)?;
            let metrics: serde_json::Value = serde_json::from_str(&m.metrics).unwrap_or(serde_json::Value::Null);
            if format == "json" {
                let shown = serde_json::json!({
                    "id": m.id,
                    "target": m.target,
                    "active": m.active,
                    "trained_at": m.created_at.to_rfc3339(),
                    "rows": m.rows_trained,
                    "source": m.source,
                    "labels": header["labels"],
                    "features": header["features"],
                    "train": header["train"],
                    "temperature": header["temperature"],
                    "top": header["top"],
                    "evaluation": metrics,
                    "note": m.note,
                });
                println!("{}", serde_json::to_string_pretty(&shown)?);
            } else {
                println!("model {} — target `{}`, {}", m.id, m.target, if m.active { "active" } else { "candidate" });
                println!("trained {} on {} rows from {}", m.created_at.to_rfc3339(), m.rows_trained, m.source);
                println!("labels: {}", header["labels"]);
                println!("features: {}  training: {}", header["features"], header["train"]);
                println!("{}", calibration_line(&header));
                match serde_json::from_value::<Evaluation>(metrics) {
                    Ok(e) => {
                        println!("evaluation on the rows held out when it was trained:");
                        print_eval(&e, None);
                    }
                    Err(_) => println!("held-out evaluation: {}", m.metrics),
                }
                println!("{}", m.note);
            }
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// How a stored model's confidences are calibrated, from its header: the
/// temperature, and the top-label curve when held-out rows called for one.
fn calibration_line(header: &serde_json::Value) -> String {
    let t = header["temperature"].as_f64().unwrap_or(1.0);
    match (header["top"]["a"].as_f64(), header["top"]["b"].as_f64()) {
        (Some(a), Some(b)) => format!(
            "calibration: temperature {t:.3}, then the top class's confidence p becomes sigmoid({a:.3} x logit(p) {} {:.3})",
            if b < 0.0 { "-" } else { "+" },
            b.abs()
        ),
        _ => format!("calibration: temperature {t:.3} (too few held-out rows or mistakes for a top-label curve)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calibration_is_shown_as_stored() {
        let line = calibration_line(&serde_json::json!({"temperature": 0.5, "top": {"a": 0.7, "b": -0.25}}));
        assert_eq!(line, "calibration: temperature 0.500, then the top class's confidence p becomes sigmoid(0.700 x logit(p) - 0.250)");
        let line = calibration_line(&serde_json::json!({"temperature": 2.0}));
        assert!(line.starts_with("calibration: temperature 2.000 (too few"), "{line}");
    }

    #[test]
    fn a_threshold_under_the_commonest_class_share_is_warned_of() {
        let texts = ["card lost", "card stolen", "card broken", "card late", "card blocked", "card pin", "card fee"];
        let texts: Vec<&str> = texts.iter().copied().chain(["wire sent", "wire late", "wire back"]).collect();
        let labels: Vec<&str> = (0..10).map(|i| if i < 7 { "cards" } else { "transfers" }).collect();
        let model =
            train_texts(&texts, &labels, FeatureSpec { bits: 10, ..FeatureSpec::default() }, TrainSpec::default());
        let warning = base_rate_warning(&model, 0.6).expect("0.7 of the rows are cards");
        assert!(warning.contains("`cards` is 70%") && warning.contains("above 0.70"), "{warning}");
        assert_eq!(base_rate_warning(&model, 0.75), None);
        let mut before = model;
        before.prior.clear();
        assert_eq!(base_rate_warning(&before, 0.5), None, "a model stored before the base rates were kept");
    }
}
