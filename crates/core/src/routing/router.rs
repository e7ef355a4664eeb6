//! The agents a router chooses among, and the choice.

use super::strategy::RoutingStrategy;
use crate::agent::{Skill, Tier};
use std::collections::HashMap;

/// Skills a router tells apart (a bitmask each agent carries).
pub const MAX_SKILLS: usize = 64;

/// What the router is told of an agent.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentState {
    pub id: i64,
    pub team: String,
    pub tier: Tier,
    pub skills: Vec<Skill>,
    /// Weighted work the agent takes at once.
    pub capacity: f64,
    /// Weighted open work assigned now.
    pub load: f64,
    /// Online and on shift now.
    pub available: bool,
    /// When the agent was last given a ticket (UTC ms; round robin reads it).
    pub last_assigned_ms: i64,
}

/// An agent as the router keeps it: flat, interned.
#[derive(Debug, Clone)]
struct Slot {
    state: AgentState,
    team: u32,
    skill_mask: u64,
    proficiency: [u8; MAX_SKILLS],
}

/// What a ticket needs, interned against a router.
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    team: Option<u32>,
    pub tier: Tier,
    skill_mask: u64,
    /// A required skill nobody has: nobody qualifies.
    unknown_skill: bool,
    skills: Vec<usize>,
    /// The ticket's load (its level's weight).
    pub weight: f64,
}

/// Who gets the ticket, and why in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub agent_id: i64,
    /// Given over the agent's capacity (the team allows overflow).
    pub overflow: bool,
    pub reason: String,
}

#[derive(Debug, Default, Clone)]
pub struct Router {
    teams: HashMap<String, u32>,
    skills: HashMap<String, usize>,
    slots: Vec<Slot>,
    by_id: HashMap<i64, usize>,
    /// Slot indices per team and tier (L1, L2, L3): a ticket's tier is scanned
    /// alone first.
    by_team: Vec<[Vec<usize>; 3]>,
}

impl Router {
    pub fn new() -> Router {
        Router::default()
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn team_id(&mut self, team: &str) -> u32 {
        if let Some(&t) = self.teams.get(team) {
            return t;
        }
        let t = self.teams.len() as u32;
        self.teams.insert(team.to_string(), t);
        self.by_team.push(Default::default());
        t
    }

    fn skill_id(&mut self, skill: &str) -> Option<usize> {
        if let Some(&s) = self.skills.get(skill) {
            return Some(s);
        }
        let s = self.skills.len();
        if s >= MAX_SKILLS {
            return None;
        }
        self.skills.insert(skill.to_string(), s);
        Some(s)
    }

    /// Adds an agent or replaces what is known of it.
    pub fn upsert(&mut self, a: AgentState) {
        let team = self.team_id(&a.team);
        let (mut skill_mask, mut proficiency) = (0u64, [0u8; MAX_SKILLS]);
        for s in &a.skills {
            if let Some(i) = self.skill_id(&s.name) {
                skill_mask |= 1 << i;
                proficiency[i] = s.proficiency;
            }
        }
        let slot = Slot { state: a, team, skill_mask, proficiency };
        let tier = slot.state.tier as usize;
        match self.by_id.get(&slot.state.id) {
            Some(&i) => {
                let (old_team, old_tier) = (self.slots[i].team, self.slots[i].state.tier as usize);
                if (old_team, old_tier) != (team, tier) {
                    self.by_team[old_team as usize][old_tier].retain(|&j| j != i);
                    self.by_team[team as usize][tier].push(i);
                }
                self.slots[i] = slot;
            }
            None => {
                let i = self.slots.len();
                self.by_id.insert(slot.state.id, i);
                self.by_team[team as usize][tier].push(i);
                self.slots.push(slot);
            }
        }
    }

    pub fn get(&self, id: i64) -> Option<&AgentState> {
        self.by_id.get(&id).map(|&i| &self.slots[i].state)
    }

    /// The agents of a team.
    pub fn team(&self, team: &str) -> impl Iterator<Item = &AgentState> {
        let tiers = self.teams.get(team).map(|&t| &self.by_team[t as usize]);
        tiers.into_iter().flatten().flatten().map(|&i| &self.slots[i].state)
    }

    /// What a ticket of `team` at `tier` needing `skills` and weighing `weight` needs.
    pub fn need(&self, team: &str, tier: Tier, skills: &[String], weight: f64) -> Need {
        let mut need = Need {
            team: self.teams.get(team).copied(),
            tier,
            skill_mask: 0,
            unknown_skill: false,
            skills: Vec::with_capacity(skills.len()),
            weight,
        };
        for s in skills {
            match self.skills.get(s) {
                Some(&i) => {
                    need.skill_mask |= 1 << i;
                    need.skills.push(i);
                }
                None => need.unknown_skill = true,
            }
        }
        need
    }

    /// Sets an agent's availability (online and on shift).
    pub fn set_available(&mut self, id: i64, available: bool) {
        if let Some(&i) = self.by_id.get(&id) {
            self.slots[i].state.available = available;
        }
    }

    /// Records that `id` was given work weighing `weight` at `now_ms`.
    pub fn assigned(&mut self, id: i64, weight: f64, now_ms: i64) {
        if let Some(&i) = self.by_id.get(&id) {
            let s = &mut self.slots[i].state;
            s.load += weight;
            s.last_assigned_ms = s.last_assigned_ms.max(now_ms);
        }
    }

    /// Records that `id` no longer holds work weighing `weight`.
    pub fn released(&mut self, id: i64, weight: f64) {
        if let Some(&i) = self.by_id.get(&id) {
            let s = &mut self.slots[i].state;
            s.load = (s.load - weight).max(0.0);
        }
    }

    /// Whether `id` could take the ticket (qualified, room aside).
    pub fn qualifies(&self, id: i64, need: &Need) -> bool {
        self.by_id.get(&id).is_some_and(|&i| self.fits(&self.slots[i], need) && self.slots[i].state.tier >= need.tier)
    }

    fn fits(&self, s: &Slot, need: &Need) -> bool {
        Some(s.team) == need.team && s.skill_mask & need.skill_mask == need.skill_mask && !need.unknown_skill
    }

    /// The agent the strategy gives the ticket to, if any: qualified agents at the
    /// ticket's tier first, then at higher tiers; within capacity, or (with
    /// `overflow`) the least utilized when everyone is full.
    pub fn choose(&self, need: &Need, strategy: RoutingStrategy, overflow: bool) -> Option<Choice> {
        if strategy == RoutingStrategy::PullOnly {
            return None;
        }
        let team = &self.by_team[need.team? as usize];
        let qualified = |i: &usize| {
            let s = &self.slots[*i];
            s.state.available && self.fits(s, need)
        };
        let at = need.tier as usize;
        // The ticket's tier first; higher tiers only when nobody there has room.
        for tiers in [at..at + 1, at + 1..3] {
            let mut best: Option<(usize, Key)> = None;
            let mut candidates = 0;
            for &i in team[tiers].iter().flatten().filter(|i| qualified(i)) {
                let s = &self.slots[i];
                if s.state.load + need.weight > s.state.capacity {
                    continue;
                }
                candidates += 1;
                let k = self.key(s, need, strategy);
                if best.as_ref().is_none_or(|(_, b)| k < *b) {
                    best = Some((i, k));
                }
            }
            if let Some((i, _)) = best {
                return Some(self.choice(i, need, strategy, candidates, self.slots[i].state.tier != need.tier, false));
            }
        }
        if !overflow {
            return None;
        }
        // Everyone qualified is full: the least utilized takes it over capacity.
        let util = |i: usize| {
            let s = &self.slots[i].state;
            ((s.load + need.weight) / s.capacity.max(f64::MIN_POSITIVE), s.state_tier_gap(need.tier), s.id)
        };
        let i = team[at..]
            .iter()
            .flatten()
            .copied()
            .filter(|i| qualified(i))
            .min_by(|a, b| util(*a).partial_cmp(&util(*b)).unwrap_or(std::cmp::Ordering::Equal))?;
        Some(self.choice(i, need, strategy, 1, self.slots[i].state.tier > need.tier, true))
    }

    /// The order a strategy ranks candidates in (smaller first).
    fn key(&self, s: &Slot, need: &Need, strategy: RoutingStrategy) -> Key {
        let util = |load: f64| load / s.state.capacity.max(f64::MIN_POSITIVE);
        let skill: u32 = need.skills.iter().map(|&k| u32::from(s.proficiency[k])).sum();
        match strategy {
            RoutingStrategy::SkillLeastLoad => Key(-(skill as f64), util(s.state.load), 0, s.state.id),
            RoutingStrategy::RoundRobin => Key(0.0, 0.0, s.state.last_assigned_ms, s.state.id),
            RoutingStrategy::LoadBalanced => {
                Key(util(s.state.load + need.weight), 0.0, s.state.last_assigned_ms, s.state.id)
            }
            RoutingStrategy::PullOnly => Key(0.0, 0.0, 0, s.state.id),
        }
    }

    fn choice(
        &self,
        i: usize,
        need: &Need,
        strategy: RoutingStrategy,
        candidates: usize,
        higher_tier: bool,
        overflow: bool,
    ) -> Choice {
        let s = &self.slots[i];
        let skills: Vec<String> = need
            .skills
            .iter()
            .filter_map(|k| {
                let name = self.skills.iter().find(|(_, &v)| v == *k)?.0;
                Some(format!("{name} {}/5", s.proficiency[*k]))
            })
            .collect();
        let load = format!("load {:.0}/{:.0}", s.state.load, s.state.capacity);
        let how = match strategy {
            RoutingStrategy::SkillLeastLoad => {
                format!("best skill match, then least loaded, of {candidates} with room")
            }
            RoutingStrategy::RoundRobin => format!("next in turn of {candidates} with room"),
            RoutingStrategy::LoadBalanced => format!("least utilized after taking it, of {candidates} with room"),
            RoutingStrategy::PullOnly => String::new(),
        };
        let mut reason = format!("{} ({}{}{load})", how, skills.join(", "), if skills.is_empty() { "" } else { "; " });
        if higher_tier {
            reason.push_str(&format!("; {} takes it: nobody at {} had room", s.state.tier, need.tier));
        }
        if overflow {
            reason = format!("everyone qualified is at capacity: the least utilized takes it over capacity ({load})");
        }
        Choice { agent_id: s.state.id, overflow, reason }
    }
}

impl AgentState {
    fn state_tier_gap(&self, tier: Tier) -> u8 {
        (self.tier as u8).saturating_sub(tier as u8)
    }
}

/// A candidate's rank: compared field by field (f64s are finite here).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64, f64, i64, i64);

impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.0.total_cmp(&o.0).then(self.1.total_cmp(&o.1)).then(self.2.cmp(&o.2)).then(self.3.cmp(&o.3)))
    }
}
