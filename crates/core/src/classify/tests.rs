//! Tokenizer, features and a tiny data set where the right answer is known.

use super::*;

#[test]
fn words_are_unicode_aware_and_lowercased() {
    assert_eq!(words("My card's PIN — doesn't work!"), ["my", "card's", "pin", "doesn't", "work"]);
    assert_eq!(words("Überweisung fehlgeschlagen, Kartenzahlung"), ["überweisung", "fehlgeschlagen", "kartenzahlung"]);
    assert_eq!(words("   "), Vec::<String>::new());
}

#[test]
fn features_are_distinct_unit_length_and_explainable() {
    let spec = FeatureSpec::default();
    let mut origins = Vec::new();
    let x = spec.features("card declined card", Some(&mut origins));
    let mut buckets: Vec<u32> = x.iter().map(|f| f.0).collect();
    buckets.sort_unstable();
    buckets.dedup();
    assert_eq!(buckets.len(), x.len(), "each bucket once");
    let norm: f32 = x.iter().map(|(_, v)| v * v).sum();
    assert!((norm - 1.0).abs() < 1e-5);
    assert!(origins.iter().any(|(_, o)| *o == Origin::Word("card".into())));
    assert!(origins.iter().any(|(_, o)| *o == Origin::Bigram("card".into(), "declined".into())));
    assert!(origins.iter().any(|(_, o)| *o == Origin::Chars("<car".into(), "card".into())));
    assert!(origins.iter().any(|(_, o)| *o == Origin::Chars("ined".into(), "declined".into())));
    // The repeated word counts more, sublinearly.
    let card = origins.iter().find(|(_, o)| *o == Origin::Word("card".into())).unwrap().0;
    let declined = origins.iter().find(|(_, o)| *o == Origin::Word("declined".into())).unwrap().0;
    let v = |b: u32| x.iter().find(|(x, _)| *x == b).unwrap().1;
    assert!(v(card) > v(declined) && v(card) < 2.0 * v(declined));
    assert!(spec.features("", None).is_empty());
}

fn tiny() -> (Vec<&'static str>, Vec<&'static str>) {
    let rows = [
        ("my card was declined at the shop", "cards"),
        ("card payment declined again", "cards"),
        ("the new card has not arrived", "cards"),
        ("I lost my card, please block it", "cards"),
        ("where is my card delivery", "cards"),
        ("transfer to my friend is pending", "transfers"),
        ("bank transfer failed yesterday", "transfers"),
        ("how long does a transfer take", "transfers"),
        ("the transfer has not reached the beneficiary", "transfers"),
        ("cancel the pending transfer", "transfers"),
        ("why was I charged a fee", "fees"),
        ("exchange rate fee is too high", "fees"),
        ("there is an extra charge on my statement", "fees"),
        ("what fees apply abroad", "fees"),
        ("fee for topping up", "fees"),
    ];
    rows.iter().copied().unzip()
}

#[test]
fn a_tiny_data_set_is_learned_and_explained() {
    let (texts, labels) = tiny();
    let m = train_texts(&texts, &labels, FeatureSpec { bits: 14, ..Default::default() }, TrainSpec::default());
    assert_eq!(m.labels, ["cards", "fees", "transfers"]);
    for (text, want) in
        [("my card got declined", "cards"), ("transfer still pending", "transfers"), ("charged a fee twice", "fees")]
    {
        let p = m.predict(text, 3);
        assert_eq!(p.label, want, "{text}: {p:?}");
        assert!(p.confidence > 1.0 / 3.0 && p.confidence <= 1.0);
        assert!(!p.drivers.is_empty());
    }
    let p = m.predict("my card got declined", 3);
    assert!(p.drivers.iter().any(|(w, _)| w == "card" || w == "declined"), "{:?}", p.drivers);
    assert!(m.temperature > 0.0);
}

#[test]
fn words_no_training_row_had_count_for_nothing() {
    // A bucket no row has weighs 0; the rarer a bucket, the more it weighs.
    let rows: Vec<Sparse> = vec![vec![(1, 1.0)], vec![(1, 1.0), (2, 1.0)]];
    let w = idf(&rows, 4);
    assert_eq!((w[0], w[3]), (0.0, 0.0));
    assert!(w[2] > w[1] && w[1] > 0.0, "{w:?}");
}

#[test]
fn the_known_word_set_holds_its_words_and_few_others() {
    let spec = FeatureSpec::default();
    let (_, seen) = spec.counts_words("card declined twice at the shop");
    assert_eq!(seen.len(), 6);
    let known = Known::of(&seen, 12);
    assert!(seen.iter().all(|h| known.contains(*h)));
    assert_eq!(known.share(&spec.counts_words("Card DECLINED").1), 1.0);
    assert_eq!(known.share(&spec.counts_words("card zqxj").1), 0.5);
    assert_eq!(known.share(&[]), 1.0);
    assert_eq!(Known::default().share(&seen), 1.0, "a model stored before the set knows every word");
    assert!(Known::default().contains(seen[0]));
    // One bit per word in 2^16 bits: of 10,000 words never seen, about one
    // shares a bit with one of the six (6 / 65,536 each).
    let (_, others) = spec.counts_words(&(0..10_000).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" "));
    assert!(known.share(&others) < 0.01, "{}", known.share(&others));
}

#[test]
fn a_ticket_is_read_by_the_share_of_its_words_the_model_knows() {
    let (texts, labels) = tiny();
    let m = train_texts(&texts, &labels, FeatureSpec::default(), TrainSpec::default());
    let known = m.predict("card declined", 3);
    assert_eq!(known.label, "cards");
    assert_eq!(m.prior, [1.0 / 3.0; 3]);
    // Unknown words do not change what the known ones say, only how much it
    // counts: half the words known, the probabilities are half the model's and
    // half the classes' prior, and the words' pulls are halved.
    let half = m.predict("card declined zqxj vwkp", 3);
    assert_eq!(half.label, "cards");
    assert_eq!(half.drivers.len(), known.drivers.len());
    for ((w, h), (w2, k)) in half.drivers.iter().zip(&known.drivers) {
        assert!(w == w2 && (h * 2.0 - k).abs() < 1e-4, "{half:?} vs {known:?}");
    }
    let want = 0.5 * known.confidence + 0.5 / 3.0;
    assert!((half.confidence - want).abs() < 1e-5, "{half:?} vs {known:?}");
    let read = |text: &str| {
        let (x, share) = m.vectorize(text);
        (x.into_iter().filter(|f| f.1 != 0.0).collect::<Sparse>(), share)
    };
    assert_eq!(read("card declined zqxj vwkp"), (read("card declined").0, 0.5), "the unknown words weigh 0");
    // Text the model cannot read gets the classes' prior (a third each here),
    // however many hashed pieces it shares with training rows.
    for text in ["zqxj vwkp bloop frobnicate quux", "xylophone marmalade quibble snorkel"] {
        let p = m.predict(text, 3);
        assert!((p.confidence - 1.0 / 3.0).abs() < 1e-5, "{text}: {p:?}");
        assert!(p.drivers.is_empty(), "no word drove it: {p:?}");
    }
}

#[test]
fn metrics_of_known_predictions() {
    let labels: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    // a: 2 of 3 right; b: 1 of 1; c never predicted, 1 row.
    let rows = [(0, 0, 0.9), (0, 0, 0.9), (0, 1, 0.6), (1, 1, 0.8), (2, 0, 0.7)];
    let e = evaluate(&labels, &rows);
    assert!((e.accuracy - 0.6).abs() < 1e-12);
    let f = |l: &str| e.per_class.iter().find(|c| c.label == l).unwrap().f1;
    // a: P 2/3 R 2/3 -> 2/3; b: P 1/2 R 1 -> 2/3; c: 0.
    assert!((f("a") - 2.0 / 3.0).abs() < 1e-12 && (f("b") - 2.0 / 3.0).abs() < 1e-12 && f("c") == 0.0);
    assert!((e.macro_f1 - 4.0 / 9.0).abs() < 1e-12);
    assert!((e.weighted_f1 - (3.0 * 2.0 / 3.0 + 2.0 / 3.0) / 5.0).abs() < 1e-12);
    assert_eq!(e.confused[0].2, 1);
    // ECE: bins 0.6 (1 row, wrong), 0.7 (wrong), 0.8 (right), 0.9 (2 right):
    // (0.6 + 0.7 + 0.2 + 2 * 0.1) / 5.
    assert!((e.ece - 1.7 / 5.0).abs() < 1e-6, "{}", e.ece);
    // The matrix of the confused classes: a taken for b, then c for a.
    assert_eq!(e.confusion_matrix.labels, ["a", "b", "c"]);
    assert_eq!(e.confusion_matrix.counts, [vec![2, 1, 0], vec![0, 1, 0], vec![1, 0, 0]]);
}

#[test]
fn the_temperature_found_is_the_most_likely_one() {
    // Scores twice the log-odds that make class 0 right three times in four:
    // divided by 2 they say 0.75, and three of four rows are class 0.
    let x = 2.0 * 3f32.ln();
    let raw: Vec<model::Scored> = [0, 0, 0, 1].iter().map(|&y| (vec![x, 0.0], 1.0, y)).collect();
    let t = model::fit_temperature(&raw, &[]);
    assert!((t - 2.0).abs() < 0.01, "{t}");
    assert_eq!(model::fit_temperature(&[], &[]), 1.0);
    // Rows of which half the words were known, the prior even: 0.5 x 0.9 +
    // 0.5 x 0.5 = 0.7, so the temperature that makes the model's own say 0.9
    // is the most likely when seven rows in ten are class 0.
    let x = 2.0 * 9f32.ln();
    let raw: Vec<model::Scored> = (0..10).map(|i| (vec![x, 0.0], 0.5, usize::from(i >= 7))).collect();
    let t = model::fit_temperature(&raw, &[0.5, 0.5]);
    assert!((t - 2.0).abs() < 0.01, "{t}");
}

/// Rows whose top confidence `p` is right with probability
/// `sigmoid(a * logit(p) + b)`, `p` spread over 0.3-0.99 (a fixed seed).
fn top_rows(n: usize, a: f64, b: f64) -> Vec<(f32, bool)> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut uniform = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let p = 0.3 + 0.69 * uniform();
            let q = 1.0 / (1.0 + (-(a * (p / (1.0 - p)).ln() + b)).exp());
            (p as f32, uniform() < q)
        })
        .collect()
}

#[test]
fn the_top_label_calibration_finds_how_often_the_top_class_is_right() {
    // Overconfident: right as often as a flatter curve says.
    let fit = TopCalibration::fit(&top_rows(20_000, 0.5, -0.2)).unwrap();
    assert!((fit.a - 0.5).abs() < 0.05 && (fit.b + 0.2).abs() < 0.05, "{fit:?}");
    // Already calibrated: about the identity.
    let fit = TopCalibration::fit(&top_rows(20_000, 1.0, 0.0)).unwrap();
    assert!((fit.a - 1.0).abs() < 0.05 && fit.b.abs() < 0.05, "{fit:?}");
    // Too few rows, or no mistakes to learn from: none.
    assert_eq!(TopCalibration::fit(&top_rows(50, 0.5, 0.0)), None);
    assert_eq!(TopCalibration::fit(&vec![(0.9, true); 500]), None);
    // Applied, it moves the top class's confidence to the fitted curve.
    let mut p = vec![0.9f32, 0.06, 0.04];
    TopCalibration { a: 0.5, b: 0.0 }.apply(&mut p);
    assert!((p[0] - 0.75).abs() < 1e-4, "{p:?}");
    assert!((p[1] / p[2] - 1.5).abs() < 1e-4, "the others keep their proportions: {p:?}");
}

proptest::proptest! {
    /// Whatever the curve, the top-label calibration keeps the most likely
    /// class on top and the probabilities summing to 1.
    #[test]
    fn the_top_label_calibration_keeps_the_top_class(
        raw in proptest::collection::vec(0.0f32..1.0, 2..12),
        a in 0.01f32..5.0,
        b in -4.0f32..4.0,
    ) {
        let total: f32 = raw.iter().sum::<f32>() + 1e-3;
        let mut p: Vec<f32> = raw.iter().map(|x| (x + 1e-3 / raw.len() as f32) / total).collect();
        let (best, _) = model::argmax(&p);
        TopCalibration { a, b }.apply(&mut p);
        proptest::prop_assert_eq!(model::argmax(&p).0, best, "{:?}", p);
        proptest::prop_assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{:?}", p);
        proptest::prop_assert!(p.iter().all(|x| (0.0..=1.0).contains(x)), "{:?}", p);
    }
}

#[test]
fn macro_f1_alone_counts_the_classes_present() {
    // a: 2 of 3 right; b predicted once, wrongly: F1 a = 4/5, b = 0; c absent.
    let (f1, acc) = macro_f1_accuracy([(0, 0), (0, 0), (0, 1)].into_iter(), 3);
    assert!((f1 - 0.4).abs() < 1e-12 && (acc - 2.0 / 3.0).abs() < 1e-12, "{f1} {acc}");
    assert_eq!(macro_f1_accuracy(std::iter::empty(), 3), (0.0, 0.0));
}

#[test]
fn the_confusion_matrix_keeps_the_most_confused_classes() {
    let labels: Vec<String> = (0..9).map(|i| format!("c{i}")).collect();
    // c_i taken for c_(i+1) i+1 times: the later pairs are the more frequent.
    let mut rows = Vec::new();
    for i in 0..8 {
        rows.extend(std::iter::repeat_n((i, i + 1, 0.5f32), i + 1));
        rows.push((i, i, 0.9));
    }
    let m = evaluate(&labels, &rows).confusion_matrix;
    assert_eq!(m.labels, ["c7", "c8", "c6", "c5", "c4", "c3"]);
    // c7 taken for c8 eight times, right once; c6 for c7 seven times.
    assert_eq!(m.counts[0], [1, 8, 0, 0, 0, 0]);
    assert_eq!(m.counts[2], [7, 0, 1, 0, 0, 0]);
    // Nothing confused, no matrix.
    assert!(evaluate(&labels, &[(1, 1, 0.9)]).confusion_matrix.labels.is_empty());
}

#[test]
fn the_ece_floor_is_what_chance_alone_gives() {
    let labels = vec!["a".to_string(), "b".to_string()];
    // `n` rows at confidence 0.7, `right` of them right.
    let rows = |n: usize, right: usize| -> Vec<(usize, usize, f32)> {
        (0..n).map(|i| (0, usize::from(i >= right), 0.7)).collect()
    };
    // Exactly calibrated: no error, yet chance alone would show some.
    let calibrated = evaluate(&labels, &rows(300, 210));
    assert!(calibrated.ece < 1e-6, "{}", calibrated.ece);
    // One bin of 300 rows: E|hits/n - 0.7| is about sqrt(0.21 / 300) x 0.8 = 0.021.
    assert!((0.012..0.032).contains(&calibrated.ece_floor), "{}", calibrated.ece_floor);
    assert!(calibrated.ece_floor_p95 > calibrated.ece_floor);
    // Ten times the rows, about a third of the chance error.
    let more = evaluate(&labels, &rows(3000, 2100));
    assert!(more.ece_floor < calibrated.ece_floor / 2.5, "{} vs {}", more.ece_floor, calibrated.ece_floor);
    // Overconfident (70% sure, half right): far above what chance explains.
    let off = evaluate(&labels, &rows(300, 150));
    assert!((off.ece - 0.2).abs() < 1e-6 && off.ece > 3.0 * off.ece_floor_p95, "{} vs {}", off.ece, off.ece_floor_p95);
    // The same rows give the same figures (a fixed seed).
    assert_eq!(evaluate(&labels, &rows(300, 150)).ece_floor, off.ece_floor);
    // The draws behind the floor, sorted: 78 rows at 0.7 rarely stay under
    // 0.05 (sd of hits / n is 0.052), 3,000 rows always do, no rows none.
    let draws = |n: usize| super::ece_by_chance_draws(std::iter::repeat_n(0.7f32, n));
    let under = |d: &[f64]| d.iter().filter(|e| **e < 0.05).count() as f64 / d.len() as f64;
    let (few, many) = (draws(78), draws(3000));
    assert_eq!(few.len(), 400);
    assert!(few.windows(2).all(|w| w[0] <= w[1]));
    assert!((0.4..0.8).contains(&under(&few)), "{}", under(&few));
    assert_eq!(under(&many), 1.0);
    assert!(draws(0).is_empty());
    let mean = few.iter().sum::<f64>() / few.len() as f64;
    let rows78: Vec<(usize, usize, f32)> = (0..78).map(|i| (0, usize::from(i >= 55), 0.7)).collect();
    assert!((evaluate(&labels, &rows78).ece_floor - mean).abs() < 1e-12);
}

#[test]
fn a_model_survives_storage() {
    let (texts, labels) = tiny();
    let mut m = train_texts(&texts, &labels, FeatureSpec { bits: 12, ..Default::default() }, TrainSpec::default());
    // Too few rows here to fit one; set, it is stored too.
    assert_eq!(m.top, None);
    m.top = Some(TopCalibration { a: 0.8, b: 0.1 });
    let (header, bytes) = m.encode();
    let back = Model::decode(&header, &bytes).unwrap();
    assert_eq!(back.predict("transfer still pending", 2), m.predict("transfer still pending", 2));
    assert_eq!(back.known, m.known);
    assert_ne!(back.known, Known::default());
    assert_eq!(back.top, m.top);
    assert!(Model::decode(&header, &bytes[..bytes.len() - 4]).is_err());
    // A model stored before the known-word set: no `known` in its header, no
    // set after its numbers; it reads every word as known.
    let floats = bytes.len() - m.known.bytes();
    let old_header = header.replace(&format!(",\"known\":{}", m.known.as_words().len()), "");
    assert_ne!(old_header, header);
    let old = Model::decode(&old_header, &bytes[..floats]).unwrap();
    assert_eq!(old.known, Known::default());
    assert_eq!(old.predict("transfer still pending", 2).label, m.predict("transfer still pending", 2).label);
}

#[test]
fn packed_hashing_reads_ascii_and_other_words_alike() {
    // The ASCII fast path and the general path give a character piece the same
    // bucket, so "<ca" of "cat" and of "café" are one feature.
    let spec = FeatureSpec { char_min: 2, char_max: 4, ..FeatureSpec::default() };
    let mut a = Vec::new();
    let mut b = Vec::new();
    spec.counts("cat", Some(&mut a));
    spec.counts("café", Some(&mut b));
    let find = |list: &Vec<(u32, Origin)>, g: &str| {
        list.iter().find(|(_, o)| matches!(o, Origin::Chars(c, _) if c == g)).map(|x| x.0)
    };
    assert_eq!(find(&a, "<ca"), find(&b, "<ca"));
    assert!(find(&a, "<ca").is_some());
    assert_ne!(find(&a, "<ca"), find(&a, "cat"));
    // Every n-gram length from the spec, the whole padded word excluded.
    let grams: Vec<String> =
        a.iter().filter_map(|(_, o)| if let Origin::Chars(c, _) = o { Some(c.clone()) } else { None }).collect();
    for g in ["<c", "ca", "at", "t>", "<ca", "cat", "at>", "<cat", "cat>"] {
        assert!(grams.contains(&g.to_string()), "{g} in {grams:?}");
    }
    assert!(!grams.contains(&"<cat>".to_string()));
    assert_eq!(grams.len(), 4 + 3 + 2);
    // Models stored before packed hashing still read texts their way.
    let old = FeatureSpec { hashing: Hashing::Fnv, ..spec };
    assert_ne!(old.features("card declined", None), spec.features("card declined", None));
    let json = r#"{"bits":18,"word_bigrams":true,"char_min":2,"char_max":4}"#;
    assert_eq!(serde_json::from_str::<FeatureSpec>(json).unwrap().hashing, Hashing::Fnv);
}

#[test]
fn intake_scores_and_explains_as_its_models_do() {
    let policy = crate::policy::Policy::builtin();
    let (texts, labels) = tiny();
    let names = ["cards", "fees", "transfers"];
    let as_values = |target: &str| -> Vec<String> {
        let values = policy.predictable_values(target).unwrap();
        labels.iter().map(|l| values[names.iter().position(|n| n == l).unwrap() % values.len()].clone()).collect()
    };
    let train = |target: &str, features: FeatureSpec| {
        let ys = as_values(target);
        let ys: Vec<&str> = ys.iter().map(String::as_str).collect();
        train_texts(&texts, &ys, features, TrainSpec::default())
    };
    // Two models share a feature setting (one table); the third reads words only.
    let f = FeatureSpec { bits: 12, ..Default::default() };
    let words_only = FeatureSpec { char_min: 0, char_max: 0, ..f };
    let models =
        [("category", train("category", f)), ("urgency", train("urgency", f)), ("impact", train("impact", words_only))];
    let intake = Intake::new(
        models
            .iter()
            .enumerate()
            .map(|(i, (t, m))| IntakeModel::new(t, i as i64, m.clone(), &policy).unwrap())
            .collect(),
    );
    assert_eq!(intake.models().len(), 3);
    for text in [
        "my card got declined",
        "transfer still pending",
        "charged a fee twice",
        "Überweisung?",
        "",
        "my card got declined zqxj vwkp",
        "zqxj vwkp",
    ] {
        let got = intake.classify(text);
        let p = intake.predict(text, |t| t == "urgency");
        for (i, (target, m)) in models.iter().enumerate() {
            let want = m.predict(text, DRIVERS);
            let class = m.labels.iter().position(|l| *l == want.label).unwrap();
            assert_eq!(got[i].0, class, "{target} of {text:?}");
            assert!(
                (got[i].1 - want.confidence).abs() < 1e-4,
                "{target} of {text:?}: {} vs {}",
                got[i].1,
                want.confidence
            );
            let fp = &p[*target];
            assert_eq!(fp.value, want.label);
            assert_eq!(fp.model_id, i as i64);
            let phrases: Vec<&str> = fp.drivers.iter().map(|d| d.phrase.as_str()).collect();
            let wanted: Vec<&str> = want.drivers.iter().map(|(w, _)| w.as_str()).collect();
            assert_eq!(phrases, wanted, "{target} of {text:?}");
        }
        assert_eq!(p["urgency"].state, crate::ticket::PredictionState::Given);
    }
}

proptest::proptest! {
    /// Counting a text through the per-thread table (which grows when a spec
    /// makes more features than it was sized for) finds the features of its
    /// words counted alone plus their bigrams, each once, with every
    /// occurrence counted, and traces each to where it was seen.
    #[test]
    fn counts_agree_with_counting_word_by_word(
        text in "([a-zA-Zé]{1,14}[ .,!]{1,2}){0,40}",
        char_min in 1u8..4,
        extra in 0u8..6,
        bigrams: bool,
    ) {
        // Wide buckets: a collision would blur the comparison.
        let spec = FeatureSpec { bits: 26, word_bigrams: bigrams, char_min, char_max: char_min + extra, ..FeatureSpec::default() };
        let occurrences = |x: &Sparse| x.iter().map(|f| (f.1 - 1.0).exp()).sum::<f32>();
        let mut origins = Vec::new();
        let x = spec.counts(&text, Some(&mut origins));
        let ws = words(&text);
        let (mut want, mut total) = (std::collections::BTreeSet::new(), 0.0f32);
        for (i, w) in ws.iter().enumerate() {
            let alone = spec.counts(w, None);
            total += occurrences(&alone);
            want.extend(alone.iter().map(|f| f.0));
            if bigrams && i > 0 {
                let mut pair = Vec::new();
                spec.counts(&format!("{} {w}", ws[i - 1]), Some(&mut pair));
                want.extend(pair.iter().filter(|(_, o)| matches!(o, Origin::Bigram(..))).map(|(b, _)| *b));
                total += 1.0;
            }
        }
        let got: std::collections::BTreeSet<u32> = x.iter().map(|f| f.0).collect();
        proptest::prop_assert_eq!(got.len(), x.len(), "each bucket once");
        proptest::prop_assert_eq!(got, want);
        proptest::prop_assert!((occurrences(&x) - total).abs() <= 1e-3 * total.max(1.0), "{} vs {}", occurrences(&x), total);
        proptest::prop_assert_eq!(origins.len(), x.len());
        for ((b, _), (ob, o)) in x.iter().zip(&origins) {
            proptest::prop_assert_eq!(b, ob);
            proptest::prop_assert!(ws.contains(&o.phrase()) || matches!(o, Origin::Bigram(..)), "{:?}", o);
        }
    }
}

#[test]
fn the_linear_svm_learns_the_tiny_data_set_and_is_calibrated_like_the_other() {
    let (texts, labels) = tiny();
    let spec = TrainSpec { loss: Loss::SquaredHinge, c: 1.0, ..TrainSpec::default() };
    let m = train_texts(&texts, &labels, FeatureSpec { bits: 14, ..Default::default() }, spec);
    assert_eq!(m.train.loss, Loss::SquaredHinge);
    for (text, want) in
        [("my card got declined", "cards"), ("transfer still pending", "transfers"), ("charged a fee twice", "fees")]
    {
        let p = m.predict(text, 3);
        assert_eq!(p.label, want, "{text}: {p:?}");
        assert!(p.confidence > 1.0 / 3.0 && p.confidence <= 1.0);
    }
    // Separable rows: every training row comes out as its own class.
    let right = texts.iter().zip(&labels).filter(|(t, l)| m.predict(t, 0).label == **l).count();
    assert_eq!(right, texts.len());
    // Stored settings from before the SVM read as logistic regression.
    let old = r#"{"epochs":30,"lambda":1e-6,"rate":2.0,"balance":0.5,"seed":17}"#;
    let spec: TrainSpec = serde_json::from_str(old).unwrap();
    assert_eq!((spec.loss, spec.c), (Loss::Logistic, 1.0));
}

#[test]
fn the_blend_is_the_average_of_the_logistic_model_and_the_scaled_svm() {
    let (texts, labels) = tiny();
    let features = FeatureSpec { bits: 14, ..Default::default() };
    let with = |loss| train_texts(&texts, &labels, features, TrainSpec { loss, ..TrainSpec::default() });
    let (logistic, svm, blend) = (with(Loss::Logistic), with(Loss::SquaredHinge), with(Loss::Blend));
    assert_eq!(TrainSpec::default().loss, Loss::Blend);
    assert_eq!(blend.train.loss, Loss::Blend);
    // Every class score of every text is (logistic + beta x svm) / 2 for one
    // beta > 0: the blend is one linear model, the two added.
    let mut betas = Vec::new();
    for text in ["my card got declined", "transfer still pending", "charged a fee twice", "hello there"] {
        let (x, _) = blend.vectorize(text);
        let (l, s, b) = (logistic.raw_scores(&x), svm.raw_scores(&x), blend.raw_scores(&x));
        for c in 0..l.len() {
            if s[c].abs() > 0.05 {
                betas.push((2.0 * b[c] - l[c]) / s[c]);
            }
        }
    }
    assert!(betas.len() > 4, "{betas:?}");
    let beta = betas[0];
    assert!(beta > 0.0, "{betas:?}");
    for b in &betas {
        assert!((b - beta).abs() < 1e-2 * beta.abs().max(1.0), "{betas:?}");
    }
    // And it learns the tiny set like either alone.
    for (text, want) in
        [("my card got declined", "cards"), ("transfer still pending", "transfers"), ("charged a fee twice", "fees")]
    {
        for m in [&logistic, &blend] {
            let p = m.predict(text, 3);
            assert_eq!(p.label, want, "{text}: {p:?}");
            assert!(p.confidence > 1.0 / 3.0 && p.confidence <= 1.0);
        }
    }
}

#[test]
fn a_stored_evaluation_reads_back_and_older_ones_too() {
    let labels = vec!["a".to_string(), "b".to_string()];
    let e = evaluate(&labels, &[(0, 0, 0.9), (1, 0, 0.6), (1, 1, 0.8)]);
    let back: super::Evaluation = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
    assert_eq!(back, e);
    // Stored before the chance floor and the confusion matrix were kept.
    let old = r#"{"rows":3,"accuracy":0.5,"macro_f1":0.4,"weighted_f1":0.45,"ece":0.1,
        "per_class":[{"label":"a","precision":1.0,"recall":0.5,"f1":0.667,"support":2}]}"#;
    let old: super::Evaluation = serde_json::from_str(old).unwrap();
    assert_eq!((old.rows, old.macro_f1, old.ece_floor), (3, 0.4, 0.0));
    assert!(old.confused.is_empty() && old.confusion_matrix.labels.is_empty());
}
