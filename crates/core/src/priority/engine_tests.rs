//! Tests of the priority engine against the built-in policy.

use super::level::LevelSource;
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
fn a_plain_ticket_gets_its_matrix_level_and_a_vip_outage_its_rule() {
    let p = Policy::builtin();
    let o = plain();
    let f = facts(&o);
    let pr = decide(&p, &f, t0(), None, None);
    assert_eq!(pr.level, "P3");
    assert_eq!(pr.score, 41.0, "P3 base 40 + pro account 1");
    let d = pr.explanation.level.as_ref().unwrap();
    assert_eq!((d.source, d.base.as_str(), d.raised), (LevelSource::Matrix, "P3", 0));
    let mut vip = plain();
    vip.emotion = EmotionSignals::scan("Everything is DOWN, this outage is unacceptable!!!", &p.priority.emotion);
    let mut f = facts(&vip);
    f.vip = true;
    let pr = decide(&p, &f, t0() + Duration::hours(2), None, None);
    assert_eq!(pr.level, "P1", "{:#?}", pr.explanation);
    let d = pr.explanation.level.as_ref().unwrap();
    assert_eq!((d.source, d.rule.as_deref()), (LevelSource::Rule, Some("VIP outage")));
    assert_eq!(pr.explanation.contributions[0].reason, "rule `VIP outage` gives P1");
    assert!(pr.explanation.contributions.iter().any(|c| c.strategy == "emotion" && c.reason.contains("\"outage\"")));
}

#[test]
fn who_the_customer_is_raises_a_level_once_and_says_why() {
    let p = Policy::builtin();
    // The demo's dark-mode request from the VIP enterprise account: a matrix P4.
    let o = plain();
    let mut f = facts(&o);
    (f.impact, f.urgency) = (Some("minor"), Some("low"));
    (f.account_type, f.vip, f.customer_category, f.persona) = ("enterprise", true, "strategic", Some("executive"));
    (f.annual_value, f.seats) = (250_000.0, 1200);
    f.plan = Some(("enterprise", 5.0));
    let pr = decide(&p, &f, t0(), None, None);
    assert_eq!(pr.level, "P4", "who they are alone (17 points) does not raise a level: {:#?}", pr.explanation);
    // Their tone and a production problem besides: one level.
    let mut angry = plain();
    angry.emotion = EmotionSignals::scan("This is unacceptable, I am furious!!!", &p.priority.emotion);
    angry.fields.insert("environment".into(), serde_json::json!("production"));
    let f2 = Facts { emotion: &angry.emotion, custom_fields: &angry.fields, ..f.clone() };
    let pr = decide(&p, &f2, t0(), None, None);
    assert_eq!(pr.level, "P3", "{:#?}", pr.explanation);
    let d = pr.explanation.level.as_ref().unwrap();
    assert_eq!((d.base.as_str(), d.raised), ("P4", 1));
    assert!(d.reason.contains("raises it one level to P3"), "{}", d.reason);
    // A contract boost far beyond the policy's plans is still one level at most.
    let f3 = Facts { plan: Some(("enterprise", 500.0)), ..f2 };
    let pr = decide(&p, &f3, t0(), None, None);
    assert_eq!(pr.level, "P3", "max_raise = 1");
    assert!(pr.explanation.level.unwrap().reason.contains("the most the policy allows (max_raise 1)"));
}

#[test]
fn an_escalation_rule_fires_on_its_custom_field() {
    let p = Policy::builtin();
    let mut o = plain();
    o.fields.insert("security_incident".into(), serde_json::json!(true));
    let f = Facts { impact: Some("minor"), urgency: Some("low"), ..facts(&o) };
    let pr = decide(&p, &f, t0(), None, None);
    assert_eq!(pr.level, "P1");
    assert_eq!(pr.explanation.level.unwrap().rule.as_deref(), Some("security incident"));
    assert_eq!(level(&p, &f, None), "P1", "the level alone agrees");
    assert_eq!(level(&p, &f, Some("P3")), "P3", "an override wins");
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
fn surge_multiplies_the_weights_reorders_and_never_changes_the_level() {
    let text = crate::policy::BUILTIN_TOML.replacen("severity = 1.0", "severity = 2.0", 1);
    let p = Policy::from_toml("p.toml", &text).unwrap();
    let o = plain();
    let f = facts(&o);
    let surge = p.priority.surge_for(Volume { open_backlog: 800, arrivals_last_hour: 0 });
    assert_eq!(surge.map(|s| s.name.as_str()), Some("queue flood"));
    assert!(p.priority.surge_for(Volume { open_backlog: 10, arrivals_last_hour: 10 }).is_none());
    let normal = decide(&p, &f, t0(), None, None);
    let surged = decide(&p, &f, t0(), surge, None);
    assert_eq!(normal.score, 40.0 * 2.0 + 1.0);
    assert_eq!(surged.score, 40.0 * 2.0 * 1.25 + 1.0 * 0.75, "the policy's weight times the surge's");
    assert_eq!(surged.level, normal.level, "surge orders the queue; the promise stays");
    assert_eq!(surged.explanation.surge.as_deref(), Some("queue flood"));
    assert_eq!(surged.explanation.contributions[0].weight, Some(2.5));
}

#[test]
fn an_override_sets_the_level_and_keeps_the_computed_one_in_the_reason() {
    let p = Policy::builtin();
    let o = plain();
    let f = facts(&o);
    let ov = Override { level: "P1".into(), by: "agent:3".into(), reason: "CEO escalation".into() };
    let pr = decide(&p, &f, t0(), None, Some(&ov));
    assert_eq!((pr.level.as_str(), pr.score), ("P1", 81.0), "the level's base score, the others still add");
    assert_eq!(pr.explanation.contributions[0].strategy, "override");
    assert!(pr.explanation.contributions[0].reason.contains("computed: P3"));
    assert_eq!(pr.explanation.level.unwrap().source, LevelSource::Override);
    assert_eq!(pr.points.unwrap().get(Strategy::Severity), 80.0, "the queue weighs the override's level");
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
    assert!((pr.score - score(p, &f, now, surge)).abs() < 1e-9, "decide and score agree");
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
        for c in &pr.explanation.contributions {
            prop_assert!((c.points.unwrap() * c.weight.unwrap() - c.contribution).abs() < 1e-12);
        }
        let d = pr.explanation.level.clone().unwrap();
        prop_assert_eq!(&d.level, &pr.level);
        prop_assert!(d.raised as usize <= p.priority.max_raise);
        prop_assert_eq!(rank(&p, &d.base) - rank(&p, &pr.level), d.raised as usize);
        if d.source == LevelSource::Matrix && d.base == "P4" {
            prop_assert!(rank(&p, &pr.level) >= rank(&p, "P3"), "a matrix P4 is never worse than P3");
        }
    }

    /// A stored priority restated for a later instant and another surge state is
    /// what deciding afresh then gives: same contributions, same score.
    #[test]
    fn restating_a_stored_priority_is_deciding_again(i in inputs(), later in 0i64..300, surge in any::<bool>()) {
        let p = Policy::builtin();
        let stored = run(&p, &i);
        let j = Input { hours: i.hours + later, surge, ..i.clone() };
        let fresh = run(&p, &j);
        let due = i.sla_hours.map(|h| t0() + Duration::hours(h));
        let now = t0() + Duration::hours(j.hours);
        let again = restate(&p, &stored.explanation, t0(), due, now, surge.then(|| &p.priority.surge[0]));
        prop_assert_eq!(again.contributions.len(), fresh.explanation.contributions.len());
        for (a, b) in again.contributions.iter().zip(&fresh.explanation.contributions) {
            prop_assert_eq!(&a.strategy, &b.strategy);
            prop_assert_eq!(&a.reason, &b.reason);
            prop_assert!((a.contribution - b.contribution).abs() < 1e-9);
        }
        prop_assert!((again.score() - fresh.score).abs() < 1e-9);
        prop_assert!(same_apart_from_time(&again, &fresh.explanation));
    }

    /// Waiting, SLA time left and surge mode move the score, never the level.
    #[test]
    fn time_and_surge_never_change_the_level(i in inputs(), later in 0i64..1000, due in proptest::option::of(-50i64..50)) {
        let p = Policy::builtin();
        let before = run(&p, &i);
        let j = Input { hours: i.hours + later, sla_hours: due, surge: !i.surge, ..i.clone() };
        let after = run(&p, &j);
        prop_assert_eq!(before.level, after.level);
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
