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
    assert!(origins.iter().any(|(_, o)| *o == Origin::Chars("<ca".into(), "card".into())));
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
}

#[test]
fn a_model_survives_storage() {
    let (texts, labels) = tiny();
    let m = train_texts(&texts, &labels, FeatureSpec { bits: 12, ..Default::default() }, TrainSpec::default());
    let (header, bytes) = m.encode();
    let back = Model::decode(&header, &bytes).unwrap();
    assert_eq!(back.predict("transfer still pending", 2), m.predict("transfer still pending", 2));
    assert!(Model::decode(&header, &bytes[..bytes.len() - 4]).is_err());
}
