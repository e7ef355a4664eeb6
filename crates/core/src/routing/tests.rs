//! Routing: qualification, each strategy, fairness, evenness.

use super::sim::{self, Day};
use super::*;
use crate::agent::{Skill, Tier};
use proptest::prelude::*;

fn agent(id: i64, team: &str, tier: Tier, skills: &[(&str, u8)], capacity: f64, load: f64) -> AgentState {
    AgentState {
        id,
        team: team.into(),
        tier,
        skills: skills.iter().map(|(n, p)| Skill { name: (*n).into(), proficiency: *p }).collect(),
        capacity,
        load,
        available: true,
        last_assigned_ms: 0,
    }
}

fn cards() -> Vec<String> {
    vec!["cards".into()]
}

#[test]
fn only_qualified_agents_with_room_are_chosen() {
    let mut r = Router::new();
    r.upsert(agent(1, "payments", Tier::L1, &[("transfers", 5)], 10.0, 0.0)); // lacks the skill
    r.upsert(agent(2, "billing", Tier::L1, &[("cards", 5)], 10.0, 0.0)); // another team
    r.upsert(agent(3, "payments", Tier::L1, &[("cards", 2)], 10.0, 9.5)); // no room for 1
    r.upsert(agent(4, "payments", Tier::L1, &[("cards", 1)], 10.0, 3.0));
    let need = r.need("payments", Tier::L1, &cards(), 1.0);
    for s in [RoutingStrategy::SkillLeastLoad, RoutingStrategy::RoundRobin, RoutingStrategy::LoadBalanced] {
        assert_eq!(r.choose(&need, s, false).map(|c| c.agent_id), Some(4), "{s:?}");
    }
    assert_eq!(r.choose(&need, RoutingStrategy::PullOnly, false), None, "pull-only pushes nothing");
    // Away: nobody left; with overflow, the least utilized qualified one over capacity.
    r.set_available(4, false);
    assert_eq!(r.choose(&need, RoutingStrategy::LoadBalanced, false), None);
    let c = r.choose(&need, RoutingStrategy::LoadBalanced, true).unwrap();
    assert_eq!((c.agent_id, c.overflow), (3, true));
    assert!(c.reason.contains("over capacity"), "{}", c.reason);
    // A skill nobody has: nobody, even with overflow.
    let odd = r.need("payments", Tier::L1, &["mortgages".to_string()], 1.0);
    assert_eq!(r.choose(&odd, RoutingStrategy::LoadBalanced, true), None);
    assert_eq!(r.choose(&r.need("nowhere", Tier::L1, &cards(), 1.0), RoutingStrategy::RoundRobin, true), None);
}

#[test]
fn a_higher_tier_takes_a_ticket_only_when_the_tier_is_full() {
    let mut r = Router::new();
    r.upsert(agent(1, "payments", Tier::L2, &[("cards", 5)], 10.0, 0.0));
    r.upsert(agent(2, "payments", Tier::L1, &[("cards", 1)], 10.0, 8.0));
    let need = r.need("payments", Tier::L1, &cards(), 1.0);
    assert_eq!(r.choose(&need, RoutingStrategy::SkillLeastLoad, false).unwrap().agent_id, 2);
    r.assigned(2, 2.0, 1);
    let c = r.choose(&need, RoutingStrategy::SkillLeastLoad, false).unwrap();
    assert_eq!(c.agent_id, 1);
    assert!(c.reason.contains("L2 takes it: nobody at L1 had room"), "{}", c.reason);
    // An L2 ticket never goes down to L1.
    r.set_available(1, false);
    assert_eq!(r.choose(&r.need("payments", Tier::L2, &cards(), 1.0), RoutingStrategy::LoadBalanced, true), None);
}

#[test]
fn each_strategy_ranks_as_it_says() {
    let mut r = Router::new();
    r.upsert(agent(1, "t", Tier::L1, &[("cards", 5)], 10.0, 6.0)); // expert, busy
    r.upsert(agent(2, "t", Tier::L1, &[("cards", 2)], 10.0, 1.0)); // novice, idle
    r.upsert(agent(3, "t", Tier::L1, &[("cards", 3)], 20.0, 4.0)); // big capacity
    let need = r.need("t", Tier::L1, &cards(), 2.0);
    let pick = |r: &Router, s| r.choose(&need, s, false).unwrap().agent_id;
    assert_eq!(pick(&r, RoutingStrategy::SkillLeastLoad), 1, "best skill first");
    // Utilization after: 1: 0.8, 2: 0.3, 3: 0.3 -> tie broken by who waited longest.
    r.assigned(2, 0.0, 50);
    assert_eq!(pick(&r, RoutingStrategy::LoadBalanced), 3);
    r.assigned(1, 0.0, 10);
    r.assigned(3, 0.0, 30);
    assert_eq!(pick(&r, RoutingStrategy::RoundRobin), 1, "assigned longest ago");
    let c = r.choose(&need, RoutingStrategy::SkillLeastLoad, false).unwrap();
    assert!(c.reason.starts_with("best skill match") && c.reason.contains("cards 5/5"), "{}", c.reason);
}

#[test]
fn evenness_of_known_spreads() {
    let e = Evenness::of(&[1.0, 1.0, 1.0, 1.0]);
    assert_eq!((e.gini, e.max_over_mean), (0.0, 1.0));
    let e = Evenness::of(&[0.0, 0.0, 0.0, 4.0]);
    assert!((e.gini - 0.75).abs() < 1e-12, "{e:?}");
    assert_eq!(e.max_over_mean, 4.0);
    assert_eq!(Evenness::of(&[]).agents, 0);
    assert_eq!(Evenness::of(&[0.0, 0.0]).gini, 0.0);
}

#[test]
fn load_balancing_keeps_a_simulated_day_even() {
    let day = Day::default();
    let balanced = sim::run(day, RoutingStrategy::LoadBalanced);
    let skill = sim::run(day, RoutingStrategy::SkillLeastLoad);
    let rr = sim::run(day, RoutingStrategy::RoundRobin);
    assert_eq!(balanced.assigned + balanced.waited, day.tickets);
    assert!(balanced.mean_gini < 0.1, "{balanced:?}");
    assert!(balanced.mean_gini < skill.mean_gini, "balanced {balanced:?} vs skill-based {skill:?}");
    assert!(balanced.mean_gini <= rr.mean_gini, "balanced {balanced:?} vs round robin {rr:?}");
    assert!(balanced.mean_max_over_mean < skill.mean_max_over_mean);
}

fn arb_agents() -> impl Strategy<Value = Vec<AgentState>> {
    prop::collection::vec(
        (0u8..3, 0u8..3, prop::collection::vec((0usize..4, 1u8..=5), 0..4), 1u8..20, 0u8..25, any::<bool>()),
        1..30,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (team, tier, skills, cap, load, available))| {
                let names = ["cards", "transfers", "billing", "security"];
                let mut skills: Vec<Skill> =
                    skills.into_iter().map(|(s, p)| Skill { name: names[s].into(), proficiency: p }).collect();
                skills.sort_by(|a, b| a.name.cmp(&b.name));
                skills.dedup_by(|a, b| a.name == b.name);
                AgentState {
                    id: i as i64 + 1,
                    team: ["a", "b", "c"][team as usize].into(),
                    tier: [Tier::L1, Tier::L2, Tier::L3][tier as usize],
                    skills,
                    capacity: f64::from(cap),
                    load: f64::from(load) / 2.0,
                    available,
                    last_assigned_ms: i as i64 * 7 % 5,
                }
            })
            .collect()
    })
}

proptest! {
    /// Whatever the agents, a ticket goes to an available agent of its team who
    /// holds every required skill, at its tier or above, and within capacity
    /// unless overflow is allowed.
    #[test]
    fn never_to_an_agent_lacking_a_skill_or_room(
        agents in arb_agents(), team in 0usize..3, tier in 0usize..3,
        skills in prop::collection::vec(0usize..4, 0..3), weight in 1u8..5, overflow in any::<bool>(),
    ) {
        let mut r = Router::new();
        for a in &agents { r.upsert(a.clone()); }
        let names = ["cards", "transfers", "billing", "security"];
        let skills: Vec<String> = skills.iter().map(|s| names[*s].to_string()).collect();
        let tier = [Tier::L1, Tier::L2, Tier::L3][tier];
        let need = r.need(["a", "b", "c"][team], tier, &skills, f64::from(weight));
        for s in [RoutingStrategy::SkillLeastLoad, RoutingStrategy::RoundRobin, RoutingStrategy::LoadBalanced] {
            let Some(c) = r.choose(&need, s, overflow) else {
                // Nobody: then nobody qualified had room (or, with overflow, nobody qualified at all).
                let any = agents.iter().any(|a| {
                    a.available && a.team == ["a", "b", "c"][team] && a.tier >= tier
                        && skills.iter().all(|k| a.skills.iter().any(|x| &x.name == k))
                        && (overflow || a.load + f64::from(weight) <= a.capacity)
                });
                prop_assert!(!any, "{s:?}: someone could have taken it");
                continue;
            };
            let a = r.get(c.agent_id).unwrap();
            prop_assert!(a.available);
            prop_assert_eq!(&a.team, ["a", "b", "c"][team]);
            prop_assert!(a.tier >= tier);
            for k in &skills {
                prop_assert!(a.skills.iter().any(|x| &x.name == k), "{:?} lacks {}", a, k);
            }
            prop_assert!(c.overflow || a.load + f64::from(weight) <= a.capacity);
            prop_assert!(!c.overflow || overflow);
        }
    }

    /// Round robin over N equal agents with room: every round of N tickets gives
    /// each agent exactly one.
    #[test]
    fn round_robin_is_fair_over_rounds(n in 1usize..12, rounds in 1usize..6) {
        let mut r = Router::new();
        for id in 0..n as i64 {
            r.upsert(agent(id, "t", Tier::L1, &[("cards", 1 + (id % 5) as u8)], 1e9, 0.0));
        }
        let need = r.need("t", Tier::L1, &cards(), 1.0);
        let mut t = 1;
        for _ in 0..rounds {
            let mut got = vec![0; n];
            for _ in 0..n {
                let c = r.choose(&need, RoutingStrategy::RoundRobin, false).unwrap();
                got[c.agent_id as usize] += 1;
                r.assigned(c.agent_id, 1.0, t);
                t += 1;
            }
            prop_assert!(got.iter().all(|g| *g == 1), "{got:?}");
        }
    }
}
