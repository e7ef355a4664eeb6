//! Micro-benchmarks of the pure core: `cargo bench -p triage-bench`.

use chrono::{Duration, TimeZone, Utc};
use triage_core::policy::{Policy, BUILTIN_TOML};
use triage_core::priority::{decide, score, severity_priority, EmotionSignals, Facts};
use triage_core::ticket::CustomFields;

fn main() {
    divan::main();
}

/// Loading and validating the built-in policy (server start, `policy check`).
#[divan::bench]
fn policy_load_and_validate() -> Policy {
    Policy::from_toml("default.toml", divan::black_box(BUILTIN_TOML)).unwrap()
}

/// The severity decision alone (the matrix cell).
#[divan::bench]
fn severity_priority_from_matrix(b: divan::Bencher) {
    let p = Policy::builtin();
    b.bench(|| severity_priority(&p, divan::black_box(Some("significant")), divan::black_box(Some("high"))));
}

struct Sample {
    emotion: EmotionSignals,
    fields: CustomFields,
}

fn sample(p: &Policy) -> Sample {
    let mut fields = CustomFields::new();
    fields.insert("affected_users".into(), serde_json::json!(40));
    fields.insert("environment".into(), serde_json::json!("production"));
    Sample {
        emotion: EmotionSignals::scan("This outage is unacceptable, we will cancel!!!", &p.priority.emotion),
        fields,
    }
}

fn facts<'a>(s: &'a Sample, i: i64) -> Facts<'a> {
    Facts {
        impact: Some(if i % 3 == 0 { "significant" } else { "moderate" }),
        urgency: Some(if i % 5 == 0 { "high" } else { "medium" }),
        category: Some("security"),
        created_at: Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + Duration::minutes(i % 10_000),
        account_type: "enterprise",
        vip: i % 7 == 0,
        customer_category: "strategic",
        persona: Some("executive"),
        annual_value: 120_000.0,
        seats: 450,
        plan: Some(("enterprise", 15.0)),
        emotion: &s.emotion,
        ai_urgency: Some(("high", 0.8)),
        sla_due: Some(Utc.with_ymd_and_hms(2026, 11, 3, 9, 0, 0).unwrap()),
        custom_fields: &s.fields,
    }
}

/// Score one ticket with every strategy in play (the hot path of ranking).
#[divan::bench]
fn priority_score_one(b: divan::Bencher) {
    let p = Policy::builtin();
    let s = sample(&p);
    let f = facts(&s, 1);
    let now = Utc.with_ymd_and_hms(2026, 11, 3, 5, 0, 0).unwrap();
    b.bench(|| score(&p, divan::black_box(&f), now, None));
}

/// Level, score and the full explanation for one ticket.
#[divan::bench]
fn priority_decide_one_with_explanation(b: divan::Bencher) {
    let p = Policy::builtin();
    let s = sample(&p);
    let f = facts(&s, 1);
    let now = Utc.with_ymd_and_hms(2026, 11, 3, 5, 0, 0).unwrap();
    b.bench(|| decide(&p, divan::black_box(&f), now, None, None));
}

/// Re-score 100,000 open tickets (the per-ticket time x 10 is the 1,000,000 figure).
#[divan::bench(sample_count = 10)]
fn priority_rescore_100k(b: divan::Bencher) {
    let p = Policy::builtin();
    let s = sample(&p);
    let all: Vec<Facts> = (0..100_000).map(|i| facts(&s, i)).collect();
    let now = Utc.with_ymd_and_hms(2026, 11, 3, 5, 0, 0).unwrap();
    b.bench(|| all.iter().map(|f| score(&p, f, now, None)).sum::<f64>());
}

fn berlin_office() -> triage_core::sla::Calendar {
    use triage_core::sla::{parse_holiday, parse_hours, Calendar, Weekly};
    let mut w = Weekly::default();
    parse_hours("mon-fri 08:00-12:00,13:00-17:00", &mut w).unwrap();
    let holidays = ["2026-12-24..2026-12-26", "2026-12-31..2027-01-01", "2027-04-02", "2027-04-05", "2027-05-01"]
        .iter()
        .map(|h| parse_holiday(h).unwrap())
        .collect();
    Calendar::new(chrono_tz::Tz::Europe__Berlin, Some(w), holidays).unwrap()
}

/// One SLA due time: 4 business hours on an office calendar with holidays,
/// starting at varying times through a year.
#[divan::bench]
fn sla_due_4h_office_hours_with_holidays(b: divan::Bencher) {
    let cal = berlin_office();
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap().timestamp_millis();
    let mut i = 0i64;
    b.bench_local(|| {
        i = (i + 7_919) % 31_536_000;
        triage_core::sla::due(&cal, start + i * 1000, 4 * 3_600_000, &[]).unwrap().due_ms
    });
}

/// A longer target: 3 business days (72 h of business time, about two weeks).
#[divan::bench]
fn sla_due_3d_office_hours_with_holidays(b: divan::Bencher) {
    let cal = berlin_office();
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap().timestamp_millis();
    let mut i = 0i64;
    b.bench_local(|| {
        i = (i + 7_919) % 31_536_000;
        triage_core::sla::due(&cal, start + i * 1000, 72 * 3_600_000, &[]).unwrap().due_ms
    });
}

/// The longest built-in target: 10 business days (240 h of business time, about
/// six weeks of office days), with whole ordinary weeks skipped.
#[divan::bench]
fn sla_due_10d_office_hours_with_holidays(b: divan::Bencher) {
    let cal = berlin_office();
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap().timestamp_millis();
    let mut i = 0i64;
    b.bench_local(|| {
        i = (i + 7_919) % 31_536_000;
        triage_core::sla::due(&cal, start + i * 1000, 240 * 3_600_000, &[]).unwrap().due_ms
    });
}

/// Baseline for the above: the same targets walked day by day.
#[divan::bench]
fn sla_due_10d_office_hours_day_by_day(b: divan::Bencher) {
    let cal = berlin_office();
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap().timestamp_millis();
    let mut i = 0i64;
    b.bench_local(|| {
        i = (i + 7_919) % 31_536_000;
        triage_core::sla::due_day_by_day(&cal, start + i * 1000, 240 * 3_600_000, &[]).unwrap().due_ms
    });
}
