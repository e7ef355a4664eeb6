//! A simulated working day: tickets arrive, the strategy pushes each to an
//! agent, agents finish them; how evenly the work was spread, minute by minute.
//!
//! Deterministic from a seed (a SplitMix64 generator written here: the
//! simulation needs reproducible draws, not a random-number library).

use super::{AgentState, Evenness, Router, RoutingStrategy};
use crate::agent::{Skill, Tier};

/// What a day looks like.
#[derive(Debug, Clone, Copy)]
pub struct Day {
    pub agents: usize,
    /// Tickets arriving over the day (evenly random over `minutes`).
    pub tickets: usize,
    pub minutes: i64,
    /// Each agent's capacity in weighted units.
    pub capacity: f64,
    pub seed: u64,
}

impl Default for Day {
    fn default() -> Day {
        Day { agents: 20, tickets: 1_200, minutes: 8 * 60, capacity: 12.0, seed: 7 }
    }
}

/// What the day showed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DayResult {
    pub assigned: usize,
    /// Tickets nobody with room could take when they arrived.
    pub waited: usize,
    /// Mean over the day's minutes (those with at least as many tickets in
    /// work as agents) of the utilization Gini and max/mean.
    pub mean_gini: f64,
    pub mean_max_over_mean: f64,
    /// The day's worst minute.
    pub worst_gini: f64,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const SKILLS: [&str; 3] = ["cards", "transfers", "billing"];
/// Level weights P1..P4 and how often each arrives (per 10).
const WEIGHTS: [(f64, u64); 4] = [(4.0, 1), (2.0, 2), (1.0, 4), (1.0, 3)];

/// Runs one day under `strategy`. Every agent holds every skill at a
/// proficiency from 1 to 5 (so skill-based routing has favourites); tickets
/// need one skill, weigh by level, and take 10 to 90 minutes.
pub fn run(day: Day, strategy: RoutingStrategy) -> DayResult {
    let mut rng = Rng(day.seed);
    let mut router = Router::new();
    for id in 0..day.agents as i64 {
        let skills = SKILLS.iter().map(|s| Skill { name: (*s).into(), proficiency: 1 + rng.below(5) as u8 }).collect();
        router.upsert(AgentState {
            id,
            team: "support".into(),
            tier: Tier::L1,
            skills,
            capacity: day.capacity,
            load: 0.0,
            available: true,
            last_assigned_ms: 0,
        });
    }
    let mut arrivals: Vec<(i64, usize, f64, i64)> = (0..day.tickets)
        .map(|_| {
            let at = rng.below(day.minutes as u64) as i64;
            let skill = rng.below(SKILLS.len() as u64) as usize;
            let mut pick = rng.below(10);
            let weight = WEIGHTS
                .iter()
                .find(|(_, n)| {
                    let hit = pick < *n;
                    pick = pick.saturating_sub(*n);
                    hit
                })
                .map_or(1.0, |(w, _)| *w);
            (at, skill, weight, 10 + rng.below(81) as i64)
        })
        .collect();
    arrivals.sort_by_key(|a| a.0);
    let mut running: Vec<(i64, i64, f64)> = Vec::new(); // (ends at, agent, weight)
    let mut out = DayResult::default();
    let (mut sum_gini, mut sum_max, mut minutes) = (0.0, 0.0, 0);
    let mut next = 0;
    for minute in 0..day.minutes {
        running.retain(|&(end, agent, w)| {
            if end <= minute {
                router.released(agent, w);
                false
            } else {
                true
            }
        });
        while next < arrivals.len() && arrivals[next].0 <= minute {
            let (_, skill, weight, takes) = arrivals[next];
            next += 1;
            let need = router.need("support", Tier::L1, &[SKILLS[skill].to_string()], weight);
            match router.choose(&need, strategy, false) {
                Some(c) => {
                    router.assigned(c.agent_id, weight, minute * 60_000 + next as i64);
                    running.push((minute + takes, c.agent_id, weight));
                    out.assigned += 1;
                }
                None => out.waited += 1,
            }
        }
        // Counted once there is work for everyone (the first tickets of the day
        // are uneven by nature: one ticket, one busy agent).
        if running.len() < day.agents {
            continue;
        }
        let utilization: Vec<f64> = router.team("support").map(|a| a.load / a.capacity).collect();
        let e = Evenness::of(&utilization);
        if e.mean > 0.0 {
            sum_gini += e.gini;
            sum_max += e.max_over_mean;
            out.worst_gini = out.worst_gini.max(e.gini);
            minutes += 1;
        }
    }
    if minutes > 0 {
        out.mean_gini = sum_gini / minutes as f64;
        out.mean_max_over_mean = sum_max / minutes as f64;
    }
    out
}
