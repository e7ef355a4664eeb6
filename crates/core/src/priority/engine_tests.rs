//! Tests of the priority engine against the built-in policy.

use super::*;
use crate::policy::Policy;
use crate::ticket::CustomFields;
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::{any, prop_assert, prop_assert_eq, proptest};
use proptest::strategy::Strategy as _;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

struct Owned {
    emotion: EmotionSignals,
    fields: CustomFields,
}

fn facts<'a>(o: &'a Owned) -> Facts<'a> {
    Facts {
        impact: Some("moderate"),
        urgency: Some("medium"),
        category: Some("cards"),
        created_at: t0(),
        account_type: "pro",
        vip: false,
        customer_category: "standard",
        persona: None,
        annual_value: 0.0,
        seats: 0,
        plan: None,
        emotion: &o.emotion,
        ai_urgency: None,
        sla_due: None,
        custom_fields: &o.fields,
    }
}

fn plain() -> Owned {
    Owned { emotion: EmotionSignals::default(), fields: CustomFields::new() }
}

#[test]
fn a_plain_ticket_gets_its_matrix_level_and_a_vip_outage_climbs() {
    let p = Policy::builtin();
    let o = plain();
    let f = facts(&o);
    let pr = decide(&p, &f, t0(), None, None);
    assert_eq!(pr.level, "P3");
    assert_eq!(pr.score, 42.0, "P3 base 40 + pro account 2");
    let mut vip = plain();
    vip.emotion = EmotionSignals::scan("Everything is DOWN, this outage is unacceptable!!!", &p.priority.emotion);
    vip.fields.insert("environment".into(), serde_json::json!("production"));
    let mut f = facts(&vip);
    f.vip = true;
    f.account_type = "enterprise";
    f.customer_category = "strategic";
    f.plan = Some(("enterprise", 15.0));
    let pr = decide(&p, &f, t0() + Duration::hours(2), None, None);
    assert_eq!(pr.level, "P1", "{:#?}", pr.explanation);
    let strategies: Vec<&str> = pr.explanation.contributions.iter().map(|c| c.strategy.as_str()).collect();
    assert_eq!(strategies, ["severity", "customer", "emotion", "age", "plan", "custom_fields"]);
    let customer = &pr.explanation.contributions[1];
    assert_eq!(customer.contribution, 15.0);
    assert_eq!(customer.reason, "enterprise account +4, VIP +6, strategic customer +5");
    assert!(pr.explanation.contributions[2].reason.contains("\"outage\""));
}

#[test]
fn sla_points_grow_toward_the_target_and_peak_at_breach() {
    let p = Policy::builtin();
    let o = plain();
    let mut f = facts(&o);
    f.sla_due = Some(t0() + Duration::hours(8));
    let at = |h: i64| points(&p, &f, t0() + Duration::hours(h)).get(Strategy::Sla);
    assert_eq!(at(0), 0.0);
    assert_eq!(at(4), 10.0);
    assert_eq!(at(8), 20.0);
    assert_eq!(at(30), 20.0);
}

#[test]
fn surge_weights_change_the_score_and_say_so() {
    let p = Policy::builtin();
    let o = plain();
    let f = facts(&o);
    let surge = p.priority.surge_for(Volume { open_backlog: 800, arrivals_last_hour: 0 });
    assert_eq!(surge.map(|s| s.name.as_str()), Some("queue flood"));
    assert!(p.priority.surge_for(Volume { open_backlog: 10, arrivals_last_hour: 10 }).is_none());
    let normal = decide(&p, &f, t0(), None, None);
    let surged = decide(&p, &f, t0(), surge, None);
    assert_eq!(surged.score, 40.0 * 1.25 + 2.0 * 0.75);
    assert!(surged.score > normal.score);
    assert!(surged.explanation.contributions[0].reason.contains("surge `queue flood`"));
}

#[test]
fn an_override_sets_the_level_and_keeps_the_computed_one_in_the_reason() {
    let p = Policy::builtin();
    let o = plain();
    let f = facts(&o);
    let ov = Override { level: "P1".into(), by: "agent:3".into(), reason: "CEO escalation".into() };
    let pr = decide(&p, &f, t0(), None, Some(&ov));
    assert_eq!((pr.level.as_str(), pr.score), ("P1", 80.0));
    assert!(pr.explanation.contributions[0].reason.contains("computed: P3"));
}

#[derive(Debug, Clone)]
struct Input {
    impact: usize,
    urgency: usize,
    vip: bool,
    account: usize,
    hours: i64,
    users: i64,
    ai: Option<(usize, f64)>,
    sla_hours: Option<i64>,
    surge: bool,
}

fn inputs() -> impl proptest::strategy::Strategy<Value = Input> {
    (
        0usize..4,
        0usize..4,
        any::<bool>(),
        0usize..3,
        0i64..200,
        0i64..500,
        proptest::option::of((0usize..4, 0.0f64..1.0)),
        proptest::option::of(-5i64..20),
        any::<bool>(),
    )
        .prop_map(|(impact, urgency, vip, account, hours, users, ai, sla_hours, surge)| Input {
            impact,
            urgency,
            vip,
            account,
            hours,
            users,
            ai,
            sla_hours,
            surge,
        })
}

fn run(p: &Policy, i: &Input) -> Priority {
    let mut o = plain();
    o.fields.insert("affected_users".into(), serde_json::json!(i.users));
    let m = &p.matrix;
    let accounts = ["free", "pro", "enterprise"];
    let f = Facts {
        impact: Some(&m.impact[i.impact]),
        urgency: Some(&m.urgency[i.urgency]),
        account_type: accounts[i.account],
        vip: i.vip,
        ai_urgency: i.ai.map(|(u, c)| (m.urgency[u].as_str(), c)),
        sla_due: i.sla_hours.map(|h| t0() + Duration::hours(h)),
        ..facts(&o)
    };
    let surge = i.surge.then(|| &p.priority.surge[0]);
    let now = t0() + Duration::hours(i.hours);
    let pr = decide(p, &f, now, surge, None);
    assert_eq!(pr.score, score(p, &f, now, surge), "decide and score agree");
    pr
}

fn rank(p: &Policy, level: &str) -> usize {
    p.levels.iter().position(|l| l.name == level).unwrap()
}

proptest! {
    #[test]
    fn contributions_always_sum_to_the_score_and_pick_the_level(i in inputs()) {
        let p = Policy::builtin();
        let pr = run(&p, &i);
        let sum: f64 = pr.explanation.contributions.iter().map(|c| c.contribution).sum();
        prop_assert!((sum - pr.score).abs() < 1e-9);
        prop_assert_eq!(&p.levels[level_for(&p, pr.score)].name, &pr.level);
    }

    #[test]
    fn raising_any_single_input_never_lowers_the_score(i in inputs(), which in 0usize..7) {
        let p = Policy::builtin();
        let before = run(&p, &i);
        let mut j = i.clone();
        match which {
            0 => j.impact = j.impact.saturating_sub(1),   // lists are most severe first
            1 => j.urgency = j.urgency.saturating_sub(1),
            2 => j.vip = true,
            3 => j.account = (j.account + 1).min(2),
            4 => j.hours += 10,
            5 => j.users += 50,
            _ => j.sla_hours = Some(j.sla_hours.unwrap_or(20) - 3),
        }
        let after = run(&p, &j);
        prop_assert!(after.score >= before.score - 1e-9, "{} -> {}", before.score, after.score);
        prop_assert!(rank(&p, &after.level) <= rank(&p, &before.level));
    }
}
