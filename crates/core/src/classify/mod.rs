//! Automated categorization: a ticket's text to a label (category, urgency,
//! impact, any categorical field) with a calibrated confidence and the words
//! that drove it.
//!
//! `features` turns text into hashed sparse n-grams; `known` keeps the words a
//! model was trained on, so it says of a ticket only what it can read; `model` trains a
//! multinomial logistic regression (SGD) or linear SVMs (dual coordinate
//! descent) on them and calibrates its confidences; `tune` chooses between
//! them by cross-validation; `intake` lays the active models side by side for
//! fast prediction of every field at once; `metrics` scores predictions. Pure:
//! the caller reads the tickets (database or file) and stores the model.

mod features;
mod intake;
mod known;
mod metrics;
mod model;
#[cfg(test)]
mod tests;
mod tune;

pub use features::{idf, normalize, words, FeatureSpec, Hashing, Origin, Sparse, Trace};
pub use intake::{Intake, IntakeModel, DRIVERS};
pub use known::Known;
pub use metrics::{
    ece_by_chance_draws, evaluate, macro_f1_accuracy, ClassScore, ConfusionMatrix, Evaluation, MATRIX_CLASSES,
};
pub use model::{Loss, Model, Prediction, TopCalibration, TrainSpec};
pub use tune::{choose, cv_macro_f1, grid};

/// Trains on labelled texts: the labels seen become the classes (sorted);
/// features are weighed by inverse document frequency over these texts. The
/// confidences are calibrated on predictions for rows the predicting model did
/// not see: out of [`CALIBRATION_FOLDS`] folds for small histories (every row
/// counts once, so even a few hundred rows fit the temperature), or the tenth
/// held out by a probe for large ones. Each of those models weighs features by
/// the IDF of the rows it trains on and knows their words only, as the final
/// model does, so a held-out row reads as a new ticket will (its unseen words
/// count for nothing, and the share of its words known mixes its
/// probabilities with the classes' prior, see [`Known`]), and the temperature
/// fitted on it holds for new tickets; the top class's confidence is then
/// recalibrated on the same rows (see [`TopCalibration`]).
pub fn train_texts(texts: &[&str], labels: &[&str], features: FeatureSpec, spec: TrainSpec) -> Model {
    let (classes, counted) = count(texts, labels, features);
    let spec = TrainSpec { epochs: epochs_for(counted.len(), spec.epochs), ..spec };
    let prior = prior(&counted, classes.len());
    if counted.len() > LARGE {
        // Large histories: a pass over many rows teaches what several passes
        // over few do, so the epochs shrink (about LARGE x epochs row passes in
        // all), and the probe that calibrated on the tenth it did not see is
        // kept as it is instead of training again on all.
        let (fit, held) = split(&counted, |i| i % 10 == 9);
        let reading = Reading::of(&fit, features);
        let mut probe = Model::train(classes, features, &reading.rows(fit), spec);
        probe.prior = prior;
        probe.calibrate(&reading.held(held));
        (probe.idf, probe.known) = (reading.idf, reading.known);
        return probe;
    }
    // Each fold's model, trained on two threads, scores the rows it left out.
    let fold = |f: usize| {
        let (fit, held) = split(&counted, |i| i % CALIBRATION_FOLDS == f);
        let reading = Reading::of(&fit, features);
        let m = Model::train(classes.clone(), features, &reading.rows(fit), spec);
        reading.held(held).iter().map(|(x, known, y)| (m.raw_scores(x), *known, *y)).collect::<Vec<_>>()
    };
    let scored: Vec<model::Scored> = std::thread::scope(|s| {
        let odd = s.spawn(|| (1..CALIBRATION_FOLDS).step_by(2).flat_map(fold).collect::<Vec<_>>());
        let mut all: Vec<_> = (0..CALIBRATION_FOLDS).step_by(2).flat_map(fold).collect();
        all.extend(odd.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        all
    });
    let t = model::fit_temperature(&scored, &prior);
    let top = model::fit_top(&scored, &prior, t);
    let mut model = fit_counted(classes, counted, features, spec, t);
    model.top = top;
    model
}

/// Each class's share of the rows.
fn prior(rows: &[Counted], k: usize) -> Vec<f32> {
    let mut n = vec![0.0f32; k];
    for r in rows {
        n[r.y] += 1.0;
    }
    let total = rows.len().max(1) as f32;
    n.iter().map(|c| c / total).collect()
}

/// Trains on labelled texts without calibrating (temperature 1): the same
/// labels as [`train_texts`] gives, for choosing settings by how often they
/// are right.
pub fn fit_texts(texts: &[&str], labels: &[&str], features: FeatureSpec, spec: TrainSpec) -> Model {
    let (classes, counted) = count(texts, labels, features);
    let spec = TrainSpec { epochs: epochs_for(counted.len(), spec.epochs), ..spec };
    fit_counted(classes, counted, features, spec, 1.0)
}

/// A model of all the counted rows, at a given temperature.
fn fit_counted(classes: Vec<String>, counted: Vec<Counted>, features: FeatureSpec, spec: TrainSpec, t: f32) -> Model {
    let reading = Reading::of(&counted, features);
    let prior = prior(&counted, classes.len());
    let mut model = Model::train(classes, features, &reading.rows(counted), spec);
    (model.temperature, model.idf, model.known, model.prior) = (t, reading.idf, reading.known, prior);
    model
}

/// Folds whose out-of-fold predictions calibrate a small history's model.
pub const CALIBRATION_FOLDS: usize = 5;

/// A text's raw feature counts, its class index and its words' hashes.
#[derive(Clone)]
struct Counted {
    x: Sparse,
    y: usize,
    words: Vec<u64>,
}

/// The classes (sorted) and each row counted.
fn count(texts: &[&str], labels: &[&str], features: FeatureSpec) -> (Vec<String>, Vec<Counted>) {
    let mut classes: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
    classes.sort();
    classes.dedup();
    let rows = texts
        .iter()
        .zip(labels)
        .map(|(t, l)| {
            let (x, words) = features.counts_words(t);
            Counted { x, y: classes.binary_search_by(|c| c.as_str().cmp(l)).unwrap_or(0), words }
        })
        .collect();
    (classes, rows)
}

/// How a model trained on some rows reads texts: those rows' IDF and words.
struct Reading {
    idf: Vec<f32>,
    known: Known,
}

impl Reading {
    fn of(rows: &[Counted], features: FeatureSpec) -> Reading {
        Reading {
            idf: features::idf(rows.iter().map(|r| &r.x), features.buckets()),
            known: Known::of(rows.iter().flat_map(|r| &r.words), features.bits),
        }
    }

    /// Counted rows as a model reading this way sees them: IDF-weighed, unit
    /// length.
    fn rows(&self, counted: Vec<Counted>) -> Rows {
        counted
            .into_iter()
            .map(|Counted { mut x, y, .. }| {
                normalize(&mut x, Some(&self.idf));
                // Ascending buckets: training then walks the weights front to back.
                x.sort_unstable_by_key(|f| f.0);
                (x, y)
            })
            .collect()
    }

    /// Rows a model reading this way did not train on, as it sees them, each
    /// with the share of its words known.
    fn held(&self, counted: Vec<Counted>) -> Vec<(Sparse, f32, usize)> {
        counted
            .into_iter()
            .map(|Counted { mut x, y, words }| {
                normalize(&mut x, Some(&self.idf));
                (x, self.known.share(&words), y)
            })
            .collect()
    }
}

/// Training rows: a feature vector and its class index.
type Rows = Vec<(Sparse, usize)>;

/// The rows kept for fitting and those `out(i)` leaves out.
fn split<T: Clone>(rows: &[T], out: impl Fn(usize) -> bool) -> (Vec<T>, Vec<T>) {
    let (held, fit): (Vec<_>, Vec<_>) = rows.iter().cloned().enumerate().partition(|(i, _)| out(*i));
    (fit.into_iter().map(|(_, r)| r).collect(), held.into_iter().map(|(_, r)| r).collect())
}

/// Rows from which training shortens its epochs and trains once.
const LARGE: usize = 20_000;
/// Fewest epochs, however many rows.
const MIN_EPOCHS: usize = 6;

fn epochs_for(rows: usize, epochs: usize) -> usize {
    if rows <= LARGE {
        epochs
    } else {
        (epochs * LARGE / rows).clamp(MIN_EPOCHS.min(epochs), epochs)
    }
}

/// Whether a labelled row is held out to judge a model: a fifth of the rows, by
/// a hash (FNV-1a) of the text, so every training run — and the model it may
/// replace — is judged on the same rows.
pub fn held_out(text: &str) -> bool {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h % 5 == 0
}

/// Scores a model on labelled `(text, label)` rows; a label the model never saw
/// counts as a miss of its own class.
pub fn score<T: AsRef<str>, L: AsRef<str>>(model: &Model, rows: &[(T, L)]) -> Evaluation {
    let (labels, triples) = predictions(model, rows);
    evaluate(&labels, &triples)
}

/// The macro-F1 of [`score`] alone: choosing settings scores many folds and
/// reads nothing else of them.
pub(crate) fn score_macro_f1<T: AsRef<str>, L: AsRef<str>>(model: &Model, rows: &[(T, L)]) -> f64 {
    let (labels, triples) = predictions(model, rows);
    metrics::macro_f1_accuracy(triples.iter().map(|&(t, p, _)| (t, p)), labels.len()).0
}

/// The model's labels (then any label of the rows it never saw) and each row's
/// (true, predicted, confidence) as indices into them.
fn predictions<T: AsRef<str>, L: AsRef<str>>(
    model: &Model,
    rows: &[(T, L)],
) -> (Vec<String>, Vec<(usize, usize, f32)>) {
    let mut labels = model.labels.clone();
    let mut buf = Vec::new();
    let triples = rows
        .iter()
        .map(|(x, y)| {
            let (p, c) = model.classify_text(x.as_ref(), &mut buf);
            let t = labels.iter().position(|l| l == y.as_ref()).unwrap_or_else(|| {
                labels.push(y.as_ref().to_string());
                labels.len() - 1
            });
            (t, p, c)
        })
        .collect();
    (labels, triples)
}
