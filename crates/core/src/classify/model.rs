//! A linear model over hashed sparse features — a multinomial logistic
//! regression trained by stochastic gradient descent, or one-vs-rest linear
//! SVMs solved by dual coordinate descent, whichever cross-validation prefers —
//! with temperature scaling and then a top-label calibration so its
//! confidences mean what they say.
//!
//! Written here rather than taken from linfa: linfa's logistic regression wants
//! a dense `ndarray` design matrix, and ours has 2^17-2^20 hashed columns per
//! row with a few hundred non-zeros — dense would be gigabytes for 100,000
//! tickets. Both trainers touch only a row's non-zeros (times the classes),
//! which is what makes training on 100,000 tickets take seconds.
//! `cargo run --release -p triage-bench --bin classify_linfa` shows it beside
//! linfa's multinomial logistic regression on the same (small, dense-able)
//! features: Endava category, 0.26 s vs 46 s to train, ECE 0.036 vs 0.109
//! (macro-F1 0.458 vs 0.520 there; BENCHMARKS.md).

use super::features::{normalize, FeatureSpec, Origin, Sparse, Trace};
use super::known::Known;
use serde::{Deserialize, Serialize};

/// How training goes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainSpec {
    pub epochs: usize,
    /// L2 strength.
    pub lambda: f32,
    /// Initial learning rate (decays as 1 / (1 + epoch)).
    pub rate: f32,
    /// Weigh classes by inverse frequency to this power (0: unweighted, 1:
    /// fully balanced); rare classes otherwise vanish under common ones.
    pub balance: f32,
    pub seed: u64,
    /// Average the weights over the second half of the epochs (tail averaging:
    /// steadier on small, noisy data than the last iterate).
    #[serde(default)]
    pub average: bool,
    /// Models trained on differently shuffled passes and averaged (1: one);
    /// steadies the rare classes, whose few rows land anywhere in an epoch.
    #[serde(default = "one")]
    pub bags: usize,
    /// What training minimizes (models stored before this field: logistic).
    #[serde(default)]
    pub loss: Loss,
    /// The SVM's C: how much a margin violation costs against the weights'
    /// size (the baseline's LinearSVC uses 1). Logistic training uses `lambda`.
    #[serde(default = "one_f32")]
    pub c: f32,
}

fn one_f32() -> f32 {
    1.0
}

impl TrainSpec {
    /// The method in words, with its main setting: what `triage train` and the
    /// benchmarks print of a chosen setting.
    pub fn method(&self) -> String {
        match self.loss {
            Loss::Logistic => format!("logistic regression, learning rate {}", self.rate),
            Loss::SquaredHinge => format!("linear SVM, C {}", self.c),
            Loss::Blend => format!("logistic regression (rate {}) and linear SVM (C {}) averaged", self.rate, self.c),
        }
    }
}

/// The training objective. Whichever it is, the scores become probabilities by a
/// softmax whose temperature is fitted on held-out rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Multinomial logistic regression (cross-entropy of the softmax).
    #[default]
    Logistic,
    /// One-vs-rest linear SVM, squared hinge: each class's score pushed past
    /// +1 for its rows and below -1 for the others, no further. Ignores rows
    /// it already separates well, which on small, skewed data can keep the
    /// rare classes' boundaries from being drawn by the common ones. Solved
    /// exactly (dual coordinate descent), not by SGD.
    SquaredHinge,
    /// Both of the above trained on the same rows and their weights averaged,
    /// the SVM's first scaled so its scores spread as far as the logistic
    /// model's (root mean square about each row's mean, over the training
    /// rows); the temperature fitted afterwards sets the blend's own scale.
    /// Still one linear model, so it predicts as fast as either. The two err
    /// differently — the logistic model is drawn by every row, the SVM only by
    /// rows near its margins — and on cross-validation of the nine targets
    /// their average was at least as accurate as the logistic model alone on
    /// all nine and as the SVM alone on seven (BENCHMARKS.md).
    Blend,
}

fn one() -> usize {
    1
}

impl Default for TrainSpec {
    fn default() -> TrainSpec {
        // What cross-validation on the shared data sets' train splits chose
        // most (the blend: see `tune::grid`).
        TrainSpec {
            epochs: 30,
            lambda: 1e-6,
            rate: 2.0,
            balance: 0.5,
            seed: 17,
            average: true,
            bags: 1,
            loss: Loss::Blend,
            c: 1.0,
        }
    }
}

/// A trained model: labels, features, weights (bucket-major: `w[bucket * k + class]`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub labels: Vec<String>,
    pub features: FeatureSpec,
    pub train: TrainSpec,
    pub(super) weights: Vec<f32>,
    pub(super) bias: Vec<f32>,
    /// Divides the scores before the softmax (fitted on held-out rows).
    pub temperature: f32,
    /// Inverse document frequency per bucket, from the training rows (empty: none).
    pub idf: Vec<f32>,
    /// The training rows' words (empty: a model stored before it, which
    /// knows every word).
    #[serde(default)]
    pub known: Known,
    /// Each class's share of the training rows: what the model says of a text
    /// whose words it does not know (empty: as above).
    #[serde(default)]
    pub prior: Vec<f32>,
    /// The top class's confidence recalibrated (see [`TopCalibration`]);
    /// `None` for models stored before it and when held-out rows did not
    /// call for it.
    #[serde(default)]
    pub top: Option<TopCalibration>,
}

/// A second, top-label calibration after the temperature: the most likely
/// class's probability `p` becomes `sigmoid(a * logit(p) + b)`, fitted on the
/// same held-out rows by how often the top class was right, and the others
/// scaled to make up the rest. The temperature alone fits every class's
/// probability at once, so where class weights lift the rare classes (most
/// targets here) the top class's confidence can stay off in one direction
/// across a whole range of confidences, which the threshold for automatic
/// applying reads. The most likely class never changes: the top class keeps
/// at least its runner-up's share.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TopCalibration {
    pub a: f32,
    pub b: f32,
}

impl TopCalibration {
    /// Recalibrates `probs` (summing to 1) in place.
    pub fn apply(&self, probs: &mut [f32]) {
        let (best, p) = argmax(probs);
        if probs.len() < 2 || !(0.0..1.0).contains(&p) {
            return;
        }
        let second = probs.iter().enumerate().filter(|(i, _)| *i != best).fold(0.0f32, |m, (_, q)| m.max(*q));
        let logit = (p.max(1e-6) / (1.0 - p)).ln();
        let mut q = 1.0 / (1.0 + (-(self.a * logit + self.b)).exp());
        // The top class stays on top: q > second x (1 - q) / (1 - p), with a
        // hair to spare so no tie can hand the top to an earlier class.
        q = q.max(second / (1.0 - p + second) + 1e-5).min(1.0 - 1e-6);
        let scale = (1.0 - q) / (1.0 - p);
        for (i, x) in probs.iter_mut().enumerate() {
            *x = if i == best { q } else { *x * scale };
        }
    }

    /// Fits `a` and `b` on (top confidence, right?) pairs of held-out rows:
    /// logistic regression on the confidence's logit by Newton's method, held
    /// near the identity (a 1, b 0) by a small penalty so a few rows cannot
    /// swing it. `None` when there are too few rows or too few mistakes (or
    /// successes) to tell.
    pub fn fit(rows: &[(f32, bool)]) -> Option<TopCalibration> {
        let wrong = rows.iter().filter(|(_, r)| !r).count();
        if rows.len() < TOP_MIN_ROWS || wrong < TOP_MIN_EACH || rows.len() - wrong < TOP_MIN_EACH {
            return None;
        }
        let xs: Vec<(f64, f64)> = rows
            .iter()
            .map(|&(p, r)| {
                let p = f64::from(p).clamp(1e-6, 1.0 - 1e-6);
                ((p / (1.0 - p)).ln(), f64::from(u8::from(r)))
            })
            .collect();
        let (mut a, mut b) = (1.0f64, 0.0f64);
        for _ in 0..50 {
            // Gradient and Hessian of the penalized negative log-likelihood.
            let (mut ga, mut gb) = (TOP_PENALTY * (a - 1.0), TOP_PENALTY * b);
            let (mut haa, mut hab, mut hbb) = (TOP_PENALTY, 0.0, TOP_PENALTY);
            for &(x, y) in &xs {
                let q = 1.0 / (1.0 + (-(a * x + b)).exp());
                let (d, w) = (q - y, q * (1.0 - q));
                ga += d * x;
                gb += d;
                haa += w * x * x;
                hab += w * x;
                hbb += w;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-12 {
                break;
            }
            let (da, db) = ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det);
            a -= da;
            b -= db;
            if da.abs() + db.abs() < 1e-9 {
                break;
            }
        }
        (a.is_finite() && b.is_finite() && a > 0.0).then_some(TopCalibration { a: a as f32, b: b as f32 })
    }
}

/// Held-out rows needed before the top class's confidence is recalibrated,
/// and mistakes (and successes) among them.
const TOP_MIN_ROWS: usize = 100;
const TOP_MIN_EACH: usize = 10;
/// Pull of the top-label calibration towards the identity, in rows' worth.
const TOP_PENALTY: f64 = 1.0;

/// A prediction: the label, its calibrated probability, and the features that
/// pushed towards it most (with their weight).
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub label: String,
    pub confidence: f32,
    pub drivers: Vec<(String, f32)>,
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// A held-out row as calibration sees it: raw class scores, the share of its
/// words the model knew, its true class.
pub type Scored = (Vec<f32>, f32, usize);

/// Probabilities of a text the model knows the share `known` of the words
/// of: `known` x the model's own + (1 - `known`) x the classes' `prior`. The
/// words it knows speak only for their part of the text; of the rest the model
/// can say no more than how common each class is, so a text of words it never
/// saw gets the classes' base rates — not the bias of a model that never met
/// an empty text, which can be very sure. (Nothing is mixed without a prior.)
pub fn mix_prior(probs: &mut [f32], prior: &[f32], known: f32) {
    if known < 1.0 && prior.len() == probs.len() {
        for (p, q) in probs.iter_mut().zip(prior) {
            *p = known * *p + (1.0 - known) * q;
        }
    }
}

/// Raw class scores, in place, to the probabilities a model gives: divided by
/// the temperature `t`, softmax, mixed with `prior` by the share `known` of
/// the words (see [`mix_prior`]), then the top-label curve when there is one.
/// One sequence for predicting, intake and calibrating alike.
pub(super) fn calibrated(out: &mut [f32], t: f32, prior: &[f32], known: f32, top: Option<TopCalibration>) {
    for s in out.iter_mut() {
        *s /= t;
    }
    softmax(out);
    mix_prior(out, prior, known);
    if let Some(top) = top {
        top.apply(out);
    }
}

/// The temperature that makes held-out rows (see [`Scored`]) most likely,
/// their probabilities mixed with `prior` as on intake: minimum negative
/// log-likelihood, golden-section search over 0.05..20 (1 when there are no
/// rows).
pub fn fit_temperature(raw: &[Scored], prior: &[f32]) -> f32 {
    if raw.is_empty() {
        return 1.0;
    }
    let k = raw[0].0.len();
    let nll = |t: f32| -> f64 {
        let mut total = 0.0f64;
        let mut p = vec![0.0f32; k];
        for (s, known, y) in raw {
            p.copy_from_slice(s);
            calibrated(&mut p, t, prior, *known, None);
            total -= f64::from(p[*y].max(1e-12)).ln();
        }
        total
    };
    // Golden-section search on log t: each step keeps one of its two inner
    // points (and its likelihood) as an inner point of the next, so one new
    // pass over the rows per step.
    let (mut a, mut b) = (0.05f32.ln(), 20f32.ln());
    let g = 0.618_034f32;
    let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
    let (mut fc, mut fd) = (nll(c.exp()), nll(d.exp()));
    for _ in 0..40 {
        if fc < fd {
            (b, d, fd) = (d, c, fc);
            c = b - g * (b - a);
            fc = nll(c.exp());
        } else {
            (a, c, fc) = (c, d, fd);
            d = a + g * (b - a);
            fd = nll(d.exp());
        }
    }
    ((a + b) / 2.0).exp()
}

/// The top-label calibration (see [`TopCalibration`]) of held-out rows at
/// temperature `t`, their probabilities mixed with `prior` as on intake.
pub fn fit_top(raw: &[Scored], prior: &[f32], t: f32) -> Option<TopCalibration> {
    let mut p = Vec::new();
    let rows: Vec<(f32, bool)> = raw
        .iter()
        .map(|(s, known, y)| {
            p.clear();
            p.extend_from_slice(s);
            calibrated(&mut p, t, prior, *known, None);
            let (c, conf) = argmax(&p);
            (conf, c == *y)
        })
        .collect();
    TopCalibration::fit(&rows)
}

/// Passes over the rows the SVM may make per `epochs` of the spec (it stops
/// earlier once solved).
const SVM_EPOCHS_PER_EPOCH: usize = 2;
/// When the SVM counts as solved (LIBLINEAR's default).
const SVM_TOLERANCE: f32 = 0.1;

/// Each class's weight: inverse frequency to the power `balance`.
fn class_weights(rows: &[(Sparse, usize)], k: usize, balance: f32) -> Vec<f32> {
    let mut counts = vec![0usize; k];
    for (_, y) in rows {
        counts[*y] += 1;
    }
    let n = rows.len() as f32;
    counts.iter().map(|c| if *c == 0 { 0.0 } else { (n / (k as f32 * *c as f32)).powf(balance) }).collect()
}

/// The highest of `probs` and where it is (the first of equals).
pub(super) fn argmax(probs: &[f32]) -> (usize, f32) {
    probs.iter().copied().enumerate().fold((0, f32::MIN), |best, (i, p)| if p > best.1 { (i, p) } else { best })
}

pub(super) fn softmax(scores: &mut [f32]) {
    let max = scores.iter().copied().fold(f32::MIN, f32::max);
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    for s in scores.iter_mut() {
        *s /= sum;
    }
}

impl Model {
    /// Trains on `(features, label index)` rows with `labels` as the classes
    /// (`spec.bags` times with different shuffles, averaged).
    pub fn train(labels: Vec<String>, features: FeatureSpec, rows: &[(Sparse, usize)], spec: TrainSpec) -> Model {
        let mut m = Model::train_one(labels.clone(), features, rows, spec);
        if spec.bags > 1 {
            for b in 1..spec.bags {
                let seed = spec.seed.wrapping_add(b as u64 * 0x9E37_79B9);
                let other = Model::train_one(labels.clone(), features, rows, TrainSpec { seed, ..spec });
                for (w, o) in m.weights.iter_mut().zip(&other.weights) {
                    *w += o;
                }
                for (w, o) in m.bias.iter_mut().zip(&other.bias) {
                    *w += o;
                }
            }
            let n = spec.bags as f32;
            m.weights.iter_mut().for_each(|w| *w /= n);
            m.bias.iter_mut().for_each(|w| *w /= n);
        }
        m
    }

    /// An untrained model: every weight 0, temperature 1.
    fn zeroed(labels: Vec<String>, features: FeatureSpec, spec: TrainSpec) -> Model {
        let k = labels.len();
        Model {
            labels,
            features,
            train: spec,
            weights: vec![0.0; features.buckets() * k],
            bias: vec![0.0; k],
            temperature: 1.0,
            idf: Vec::new(),
            known: Known::default(),
            prior: Vec::new(),
            top: None,
        }
    }

    fn train_one(labels: Vec<String>, features: FeatureSpec, rows: &[(Sparse, usize)], spec: TrainSpec) -> Model {
        if spec.loss == Loss::Blend {
            // The two side by side: the large histories' one training (and
            // each calibration fold's) takes the longer of the two, not both.
            let (mut m, s) = std::thread::scope(|scope| {
                let svm = scope.spawn(|| {
                    Model::train_svm(labels.clone(), features, rows, TrainSpec { loss: Loss::SquaredHinge, ..spec })
                });
                let m = Model::train_one(labels.clone(), features, rows, TrainSpec { loss: Loss::Logistic, ..spec });
                (m, svm.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            });
            let beta = m.spread(rows) / s.spread(rows).max(1e-6);
            for (w, o) in m.weights.iter_mut().zip(&s.weights) {
                *w = 0.5 * (*w + beta * o);
            }
            for (w, o) in m.bias.iter_mut().zip(&s.bias) {
                *w = 0.5 * (*w + beta * o);
            }
            m.train = spec;
            return m;
        }
        if spec.loss == Loss::SquaredHinge {
            return Model::train_svm(labels, features, rows, spec);
        }
        let k = labels.len();
        let mut m = Model::zeroed(labels, features, spec);
        if rows.is_empty() || k < 2 {
            return m;
        }
        let class_weight = class_weights(rows, k, spec.balance);
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut rng = Rng(spec.seed | 1);
        // Weights are kept as `scale * w`, so the L2 shrink of every weight is
        // one multiplication per step, not a pass over all of them.
        let mut scale = 1.0f32;
        let mut probs = vec![0.0f32; k];
        let mut t = 0usize;
        let (mut avg_w, mut avg_b, mut averaged) = (Vec::new(), Vec::new(), 0usize);
        for epoch in 0..spec.epochs {
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
            let rate0 = spec.rate / (1.0 + epoch as f32);
            for &r in &order {
                t += 1;
                let (x, y) = (&rows[r].0, rows[r].1);
                let rate = rate0 / (1.0 + spec.lambda * rate0 * t as f32);
                m.scores_scaled(x, scale, &mut probs);
                softmax(&mut probs);
                probs[y] -= 1.0;
                scale *= 1.0 - rate * spec.lambda;
                if scale < 1e-6 {
                    for w in &mut m.weights {
                        *w *= scale;
                    }
                    scale = 1.0;
                }
                let cw = class_weight[y];
                // `probs` now holds the loss's gradient by each class's score.
                for (c, p) in probs.iter().enumerate() {
                    let g = p * cw;
                    if g == 0.0 {
                        continue;
                    }
                    m.bias[c] -= rate * g;
                    let step = rate * g / scale;
                    for &(b, v) in x {
                        m.weights[b as usize * k + c] -= step * v;
                    }
                }
            }
            if spec.average && epoch >= spec.epochs / 2 {
                if avg_w.is_empty() {
                    avg_w = vec![0.0f32; m.weights.len()];
                    avg_b = vec![0.0f32; k];
                }
                for (a, w) in avg_w.iter_mut().zip(&m.weights) {
                    *a += scale * w;
                }
                for (a, b) in avg_b.iter_mut().zip(&m.bias) {
                    *a += b;
                }
                averaged += 1;
            }
        }
        if averaged > 0 {
            let n = averaged as f32;
            m.weights = avg_w.into_iter().map(|a| a / n).collect();
            m.bias = avg_b.into_iter().map(|a| a / n).collect();
        } else {
            for w in &mut m.weights {
                *w *= scale;
            }
        }
        m
    }

    /// One-vs-rest L2-regularized squared-hinge SVMs, all classes at once, by
    /// dual coordinate descent (Hsieh et al., ICML 2008 — the method of
    /// LIBLINEAR's default solver): each row's dual variable per class moves
    /// to its exact optimum in turn, so the result is the problem's solution,
    /// not an SGD estimate of it. Written here because no Rust crate solves it
    /// over sparse hashed rows (linfa-svm wants dense rows and kernels), and
    /// doing every class in one pass over a row reads each weight row once.
    /// A constant feature of 1 gives each class its bias (regularized, as in
    /// LIBLINEAR). A row's cost is `c` times its class weight.
    fn train_svm(labels: Vec<String>, features: FeatureSpec, rows: &[(Sparse, usize)], spec: TrainSpec) -> Model {
        let k = labels.len();
        let mut m = Model::zeroed(labels, features, spec);
        if rows.is_empty() || k < 2 {
            return m;
        }
        let class_weight = class_weights(rows, k, spec.balance);
        // Diagonal of the dual's Hessian: |x|^2 (with the bias feature) + 1 / 2C.
        let half_inv_c: Vec<f32> = rows.iter().map(|(_, y)| 0.5 / (spec.c * class_weight[*y]).max(1e-6)).collect();
        let q: Vec<f32> = rows
            .iter()
            .zip(&half_inv_c)
            .map(|((x, _), d)| x.iter().map(|f| f.1 * f.1).sum::<f32>() + 1.0 + d)
            .collect();
        let mut alpha = vec![0.0f32; rows.len() * k];
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut rng = Rng(spec.seed | 1);
        let (mut scores, mut delta) = (vec![0.0f32; k], vec![0.0f32; k]);
        for _ in 0..spec.epochs.max(1) * SVM_EPOCHS_PER_EPOCH {
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
            let (mut hi, mut lo) = (f32::MIN, f32::MAX);
            for &i in &order {
                let (x, y) = (&rows[i].0, rows[i].1);
                m.scores_scaled(x, 1.0, &mut scores);
                let mut moved = false;
                for c in 0..k {
                    let t = if c == y { 1.0 } else { -1.0 };
                    let a = &mut alpha[i * k + c];
                    let g = t * scores[c] - 1.0 + half_inv_c[i] * *a;
                    let pg = if *a == 0.0 { g.min(0.0) } else { g };
                    hi = hi.max(pg);
                    lo = lo.min(pg);
                    delta[c] = 0.0;
                    if pg != 0.0 {
                        let new = (*a - g / q[i]).max(0.0);
                        delta[c] = (new - *a) * t;
                        *a = new;
                        moved |= delta[c] != 0.0;
                    }
                }
                if moved {
                    for &(b, v) in x {
                        let row = &mut m.weights[b as usize * k..b as usize * k + k];
                        for (w, d) in row.iter_mut().zip(&delta) {
                            *w += d * v;
                        }
                    }
                    for (w, d) in m.bias.iter_mut().zip(&delta) {
                        *w += d;
                    }
                }
            }
            // LIBLINEAR's stopping rule: the projected gradients' spread.
            if hi - lo < SVM_TOLERANCE {
                break;
            }
        }
        m
    }

    fn scores_scaled(&self, x: &Sparse, scale: f32, out: &mut [f32]) {
        let k = self.labels.len();
        out.copy_from_slice(&self.bias);
        for &(b, v) in x {
            let row = &self.weights[b as usize * k..b as usize * k + k];
            for (o, w) in out.iter_mut().zip(row) {
                *o += scale * w * v;
            }
        }
    }

    /// Calibrated class probabilities of a feature vector read from a text of
    /// which the model knows the share `known` of the words (see
    /// [`Model::vectorize`]): the model's own, then mixed with the classes'
    /// prior by that share (see `mix_prior`).
    pub fn probabilities(&self, x: &Sparse, known: f32, out: &mut Vec<f32>) {
        out.resize(self.labels.len(), 0.0);
        self.scores_scaled(x, 1.0, out);
        calibrated(out, self.temperature, &self.prior, known, self.top);
    }

    /// The most likely class index and its calibrated probability.
    pub fn classify(&self, x: &Sparse, known: f32, buf: &mut Vec<f32>) -> (usize, f32) {
        self.probabilities(x, known, buf);
        argmax(buf)
    }

    /// A text's most likely class index and its calibrated probability.
    pub fn classify_text(&self, text: &str, buf: &mut Vec<f32>) -> (usize, f32) {
        let (x, known) = self.vectorize(text);
        self.classify(&x, known, buf)
    }

    /// Raw counts weighed by this model's IDF, unit length.
    fn weigh(&self, x: &mut Sparse) {
        normalize(x, (!self.idf.is_empty()).then_some(&self.idf[..]));
    }

    /// A text's feature vector as this model reads it (its IDF weights applied:
    /// words it never saw count for nothing), and the share of the text's
    /// words it knows.
    pub fn vectorize(&self, text: &str) -> (Sparse, f32) {
        let (mut x, words) = self.features.counts_words(text);
        self.weigh(&mut x);
        (x, self.known.share(&words))
    }

    /// Predicts a text's label with the `top` words or phrases that drove it
    /// (the text is read once: where each feature came from is kept while
    /// counting).
    pub fn predict(&self, text: &str, top: usize) -> Prediction {
        let (mut x, trace) = self.features.counts_traced(text);
        self.weigh(&mut x);
        let mut buf = Vec::new();
        let known = self.known.share(&trace.words);
        let (c, p) = self.classify(&x, known, &mut buf);
        // The words speak for the share of the text the model knows (none: the
        // prediction is the prior's, and no word drove it).
        x.iter_mut().for_each(|(_, v)| *v *= known);
        Prediction { label: self.labels[c].clone(), confidence: p, drivers: self.explain(&trace, &x, c, top) }
    }

    /// The words or phrases (traced in `trace` while counting `x`) that pull
    /// most towards class `c` (see [`Model::pulls`]), summed per word or phrase
    /// (a character piece counts for its word). Only the strongest buckets are
    /// turned back into words.
    pub fn explain(&self, trace: &Trace, x: &Sparse, c: usize, top: usize) -> Vec<(String, f32)> {
        let pulls = self.pulls(x, c, top * 4);
        let mut wanted: Vec<u32> = pulls.iter().map(|(b, _)| *b).collect();
        wanted.sort_unstable();
        phrases(&pulls, &trace.origins(x, &wanted), top)
    }

    /// The `n` features of `x` that pull most towards class `c`: each one's
    /// weight for `c` over the classes' average, times its value (positive only).
    pub fn pulls(&self, x: &Sparse, c: usize, n: usize) -> Vec<(u32, f32)> {
        let k = self.labels.len();
        strongest(x.iter().map(|&(b, v)| (b, pull(&self.weights[b as usize * k..b as usize * k + k], c, v))), n)
    }

    /// Root mean square of the scores about each row's mean, over (up to
    /// 2,000 of) `rows`: how far apart the model sets the classes.
    fn spread(&self, rows: &[(Sparse, usize)]) -> f32 {
        let k = self.labels.len();
        let mut out = vec![0.0f32; k];
        let (mut total, mut n) = (0.0f64, 0usize);
        for (x, _) in rows.iter().step_by(rows.len().div_ceil(2000).max(1)) {
            self.scores_scaled(x, 1.0, &mut out);
            let mean = out.iter().sum::<f32>() / k as f32;
            total += out.iter().map(|s| f64::from((s - mean) * (s - mean))).sum::<f64>();
            n += k;
        }
        ((total / n.max(1) as f64).sqrt()) as f32
    }

    /// The raw class scores of a feature vector (before temperature and softmax).
    pub fn raw_scores(&self, x: &Sparse) -> Vec<f32> {
        let mut s = vec![0.0; self.labels.len()];
        self.scores_scaled(x, 1.0, &mut s);
        s
    }

    /// Fits the temperature on held-out rows (vector, share of words known,
    /// class; see `fit_temperature`).
    pub fn calibrate(&mut self, rows: &[(Sparse, f32, usize)]) {
        let raw: Vec<Scored> = rows.iter().map(|(x, r, y)| (self.raw_scores(x), *r, *y)).collect();
        self.temperature = fit_temperature(&raw, &self.prior);
        self.top = fit_top(&raw, &self.prior, self.temperature);
    }

    /// Bytes of weights held.
    pub fn weight_bytes(&self) -> usize {
        (self.weights.len() + self.bias.len() + self.idf.len()) * 4 + self.known.bytes()
    }
}

/// What a stored model's header holds (its weights go beside it as bytes).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    labels: Vec<String>,
    features: FeatureSpec,
    train: TrainSpec,
    temperature: f32,
    weights: usize,
    bias: usize,
    idf: usize,
    /// 64-bit words of the known-word set, after the f32s (models stored
    /// before it have none).
    #[serde(default)]
    known: usize,
    #[serde(default)]
    prior: Vec<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    top: Option<TopCalibration>,
}

impl Model {
    /// The model as a JSON header and its numbers as little-endian f32 bytes
    /// (weights, bias, IDF), for storage.
    pub fn encode(&self) -> (String, Vec<u8>) {
        let h = Header {
            labels: self.labels.clone(),
            features: self.features,
            train: self.train,
            temperature: self.temperature,
            weights: self.weights.len(),
            bias: self.bias.len(),
            idf: self.idf.len(),
            known: self.known.as_words().len(),
            prior: self.prior.clone(),
            top: self.top,
        };
        let mut bytes = Vec::with_capacity((h.weights + h.bias + h.idf) * 4 + h.known * 8);
        for x in self.weights.iter().chain(&self.bias).chain(&self.idf) {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
        for w in self.known.as_words() {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        (serde_json::to_string(&h).expect("a header serializes"), bytes)
    }

    /// A model from [`Model::encode`]'s parts.
    pub fn decode(header: &str, bytes: &[u8]) -> Result<Model, String> {
        let h: Header = serde_json::from_str(header).map_err(|e| format!("model header: {e}"))?;
        let floats = (h.weights + h.bias + h.idf) * 4;
        if bytes.len() != floats + h.known * 8 || h.weights != h.features.buckets() * h.labels.len() {
            return Err("model weights do not match their header".into());
        }
        let (floats, known) = bytes.split_at(floats);
        let mut nums = floats.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        let weights: Vec<f32> = nums.by_ref().take(h.weights).collect();
        let bias: Vec<f32> = nums.by_ref().take(h.bias).collect();
        let idf: Vec<f32> = nums.collect();
        let known = Known::from_words(
            known.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("eight bytes"))).collect(),
        )?;
        Ok(Model {
            labels: h.labels,
            features: h.features,
            train: h.train,
            weights,
            bias,
            temperature: h.temperature,
            idf,
            known,
            prior: h.prior,
            top: h.top,
        })
    }
}

/// How much a feature of value `v` whose class weights are `row` pulls towards
/// class `c`: its weight for `c` over the classes' average, times `v`.
pub(super) fn pull(row: &[f32], c: usize, v: f32) -> f32 {
    (row[c] - row.iter().sum::<f32>() / row.len() as f32) * v
}

/// The `n` strongest positive pulls, strongest first.
pub(super) fn strongest(pulls: impl Iterator<Item = (u32, f32)>, n: usize) -> Vec<(u32, f32)> {
    let mut pulls: Vec<(u32, f32)> = pulls.filter(|(_, w)| *w > 0.0).collect();
    if pulls.len() > n && n > 0 {
        pulls.select_nth_unstable_by(n - 1, |a, b| b.1.total_cmp(&a.1));
        pulls.truncate(n);
    }
    pulls.sort_by(|a, b| b.1.total_cmp(&a.1));
    pulls
}

/// Pulls summed per word or phrase (`origins`: what each bucket came from; a
/// bucket shared by several words counts for the first), strongest `top` first.
pub fn phrases(pulls: &[(u32, f32)], origins: &[(u32, Origin)], top: usize) -> Vec<(String, f32)> {
    let mut out: Vec<(String, f32)> = Vec::new();
    for (b, w) in pulls {
        let Some((_, o)) = origins.iter().find(|(x, _)| x == b) else { continue };
        let phrase = o.phrase();
        match out.iter_mut().find(|(p, _)| *p == phrase) {
            Some(e) => e.1 += w,
            None => out.push((phrase, *w)),
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out.truncate(top);
    out
}
