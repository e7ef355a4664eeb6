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

/// 1,000 agents in one team (the worst case: every agent scanned), 12 skills,
/// tiers L1-L3, varied load; what a router is built from.
fn thousand_agents() -> triage_core::routing::Router {
    use triage_core::agent::{Skill, Tier};
    use triage_core::routing::{AgentState, Router};
    let mut r = Router::new();
    for id in 0..1_000i64 {
        let skills = (0..12)
            .filter(|s| (id + s) % 3 != 0)
            .map(|s| Skill { name: format!("skill{s}"), proficiency: 1 + ((id * 7 + s) % 5) as u8 })
            .collect();
        r.upsert(AgentState {
            id,
            team: "support".into(),
            tier: [Tier::L1, Tier::L2, Tier::L3][(id % 3) as usize],
            skills,
            capacity: 12.0,
            load: (id % 13) as f64,
            available: id % 10 != 0,
            last_assigned_ms: id * 31 % 1_000,
        });
    }
    r
}

/// Choosing an assignee among 1,000 agents (target < 20 µs), per strategy.
#[divan::bench(args = ["skill_least_load", "round_robin", "load_balanced"])]
fn route_among_1000_agents(b: divan::Bencher, strategy: &str) {
    let r = thousand_agents();
    let s: triage_core::routing::RoutingStrategy = strategy.parse().unwrap();
    let needs: Vec<_> = (0..12)
        .map(|k| {
            r.need(
                "support",
                triage_core::agent::Tier::L1,
                &[format!("skill{k}"), format!("skill{}", (k + 5) % 12)],
                2.0,
            )
        })
        .collect();
    let mut i = 0;
    b.bench_local(|| {
        i = (i + 1) % needs.len();
        r.choose(&needs[i], s, true).map(|c| c.agent_id)
    });
}

/// Baseline for the above: the same choice (load-balanced) made the plain way,
/// over the agents as stored — skill names compared as strings, every
/// candidate collected and sorted.
#[divan::bench]
fn route_among_1000_agents_plain_baseline(b: divan::Bencher) {
    use triage_core::agent::{Skill, Tier};
    /// id, tier, skills, capacity, load, available.
    type Plain = (i64, Tier, Vec<Skill>, f64, f64, bool);
    let agents: Vec<Plain> = (0..1_000i64)
        .map(|id| {
            let skills = (0..12)
                .filter(|s| (id + s) % 3 != 0)
                .map(|s| Skill { name: format!("skill{s}"), proficiency: 1 + ((id * 7 + s) % 5) as u8 })
                .collect();
            (id, [Tier::L1, Tier::L2, Tier::L3][(id % 3) as usize], skills, 12.0, (id % 13) as f64, id % 10 != 0)
        })
        .collect();
    let needs: Vec<Vec<String>> =
        (0..12).map(|k| vec![format!("skill{k}"), format!("skill{}", (k + 5) % 12)]).collect();
    let mut i = 0;
    b.bench_local(|| {
        i = (i + 1) % needs.len();
        let need = &needs[i];
        let mut c: Vec<&Plain> = agents
            .iter()
            .filter(|a| a.5 && a.1 == Tier::L1 && need.iter().all(|n| a.2.iter().any(|s| &s.name == n)))
            .filter(|a| a.4 + 2.0 <= a.3)
            .collect();
        c.sort_by(|a, b| ((a.4 + 2.0) / a.3).total_cmp(&((b.4 + 2.0) / b.3)).then(a.0.cmp(&b.0)));
        c.first().map(|a| a.0)
    });
}
