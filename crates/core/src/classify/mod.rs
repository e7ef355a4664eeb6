//! Automated categorization: a ticket's text to a label (category, urgency,
//! impact, any categorical field) with a calibrated confidence and the words
//! that drove it.
//!
//! `features` turns text into hashed sparse n-grams; `model` trains a
//! multinomial logistic regression on them by SGD and calibrates its
//! confidences; `metrics` scores predictions. Pure: the caller reads the
//! tickets (database or file) and stores the model.

mod features;
mod intake;
mod metrics;
mod model;
#[cfg(test)]
mod tests;
mod tune;

pub use features::{idf, normalize, words, FeatureSpec, Hashing, Origin, Sparse};
pub use intake::{Intake, IntakeModel, DRIVERS};
pub use metrics::{evaluate, ClassScore, Evaluation};
pub use model::{Loss, Model, Prediction, TrainSpec};
pub use tune::{choose, cv_macro_f1, grid};

/// Trains on labelled texts: the labels seen become the classes (sorted);
/// features are weighed by inverse document frequency over these texts; a
/// tenth of the rows (every tenth) calibrates the confidences, then the model
/// is trained again on all of them with that temperature.
pub fn train_texts(texts: &[&str], labels: &[&str], features: FeatureSpec, spec: TrainSpec) -> Model {
    let mut classes: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
    classes.sort();
    classes.dedup();
    let mut counts: Vec<Sparse> = texts.iter().map(|t| features.counts(t, None)).collect();
    let idf = features::idf(&counts, features.buckets());
    for x in &mut counts {
        normalize(x, Some(&idf));
        // Ascending buckets: training then walks the weights front to back.
        x.sort_unstable_by_key(|f| f.0);
    }
    let rows: Vec<(Sparse, usize)> = counts
        .into_iter()
        .zip(labels)
        .map(|(x, l)| (x, classes.binary_search_by(|c| c.as_str().cmp(l)).unwrap_or(0)))
        .collect();
    let (held, fit): (Vec<_>, Vec<_>) = rows.iter().cloned().enumerate().partition(|(i, _)| i % 10 == 9);
    let fit: Vec<(Sparse, usize)> = fit.into_iter().map(|(_, r)| r).collect();
    let held: Vec<(Sparse, usize)> = held.into_iter().map(|(_, r)| r).collect();
    // Large histories: a pass over many rows teaches what several passes over
    // few do, so the epochs shrink (about LARGE x epochs row passes in all), and
    // the model that calibrated on the tenth held out is kept as it is (the
    // tenth it did not see matters little) instead of training again on all.
    let spec = TrainSpec { epochs: epochs_for(rows.len(), spec.epochs), ..spec };
    let mut probe = Model::train(classes.clone(), features, &fit, spec);
    probe.calibrate(&held);
    if rows.len() > LARGE {
        probe.idf = idf;
        return probe;
    }
    let mut model = Model::train(classes, features, &rows, spec);
    model.temperature = probe.temperature;
    model.idf = idf;
    model
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
    let mut labels = model.labels.clone();
    let mut buf = Vec::new();
    let triples: Vec<(usize, usize, f32)> = rows
        .iter()
        .map(|(x, y)| {
            let (p, c) = model.classify(&model.vectorize(x.as_ref(), None), &mut buf);
            let t = labels.iter().position(|l| l == y.as_ref()).unwrap_or_else(|| {
                labels.push(y.as_ref().to_string());
                labels.len() - 1
            });
            (t, p, c)
        })
        .collect();
    evaluate(&labels, &triples)
}
