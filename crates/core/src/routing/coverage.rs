//! Who covers what: which teams and tiers have an active agent, where a move
//! (an escalation, a hand-off) lands when its destination has nobody, and which
//! of the places the policy routes to nobody works.
//!
//! An agent covers their team at their tier and below (a senior agent can take
//! what juniors take), so a move lands where asked when someone of the team is at
//! that tier or above. A ticket is never moved to a place nobody can work it:
//! it goes to the nearest tier of the team that has someone, or stays.

use crate::agent::{Agent, Skill, Tier};
use crate::policy::{Policy, Reassign};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The active agents by team: each one's tier and skills.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    teams: BTreeMap<String, Vec<(Tier, Vec<String>)>>,
}

/// Where a move lands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "landed")]
pub enum Landing {
    /// Where it was asked to go.
    AsAsked { team: Option<String>, tier: Option<Tier> },
    /// The nearest tier of the team asked for that has an agent.
    NearestTier { team: Option<String>, tier: Tier, why: String },
    /// Nowhere it could go has an agent: it stays where it is.
    Stayed { why: String },
}

impl Coverage {
    /// From the active agents: `(team, tier, skills)`.
    pub fn of<'a>(agents: impl IntoIterator<Item = (&'a str, Tier, &'a [Skill])>) -> Coverage {
        let mut teams: BTreeMap<String, Vec<(Tier, Vec<String>)>> = BTreeMap::new();
        for (team, tier, skills) in agents {
            teams.entry(team.to_string()).or_default().push((tier, skills.iter().map(|s| s.name.clone()).collect()));
        }
        Coverage { teams }
    }

    /// From a staff list: its active agents (whether online or not).
    pub fn of_active(agents: &[Agent]) -> Coverage {
        Coverage::of(agents.iter().filter(|a| a.active).map(|a| (a.team.as_str(), a.tier, &a.skills[..])))
    }

    /// The most senior tier someone of `team` works at.
    pub fn top(&self, team: &str) -> Option<Tier> {
        self.teams.get(team)?.iter().map(|(t, _)| *t).max()
    }

    /// Whether someone of `team` at `tier` or above holds every one of `skills`.
    pub fn covers(&self, team: &str, tier: Tier, skills: &[String]) -> bool {
        self.teams
            .get(team)
            .is_some_and(|agents| agents.iter().any(|(t, have)| *t >= tier && skills.iter().all(|s| have.contains(s))))
    }

    /// Where a ticket at `from` (team, tier) asked to go to `to` lands. A team
    /// it is moved to is not held to the category's skills (the receiving team's
    /// call), so any of its agents counts.
    pub fn landing(&self, from: (Option<&str>, Option<Tier>), to: (Option<&str>, Option<Tier>)) -> Landing {
        let (team, tier) = to;
        let Some(team_name) = team else { return Landing::AsAsked { team: None, tier } };
        let asked = tier.unwrap_or(Tier::L1);
        if self.covers(team_name, asked, &[]) {
            return Landing::AsAsked { team: team.map(String::from), tier };
        }
        let here = format!("{}/{}", from.0.unwrap_or("no team"), from.1.unwrap_or(Tier::L1));
        match self.top(team_name) {
            // Another team, with nobody as senior as asked: its most senior tier.
            // The same team: only a tier above where it is (the same or a lower
            // one is no escalation).
            Some(top) if Some(team_name) != from.0 || top > from.1.unwrap_or(Tier::L1) => Landing::NearestTier {
                team: team.map(String::from),
                tier: top,
                why: format!("nobody of {team_name} works at {asked}; {top} is its nearest tier with an agent"),
            },
            Some(_) => {
                Landing::Stayed { why: format!("nobody of {team_name} works at {asked} or above; it stays at {here}") }
            }
            None => Landing::Stayed { why: format!("team {team_name} has no active agent; it stays at {here}") },
        }
    }

    /// The places `policy` routes tickets to that no active agent covers, in
    /// words: each category's team at its entry tier with its skills, the tier
    /// above it where an escalation sends tickets to the next tier, and the
    /// teams escalations name.
    pub fn gaps(&self, policy: &Policy) -> Vec<String> {
        let mut out = Vec::new();
        for c in &policy.categories {
            if !self.covers(&c.team, c.tier, &c.skills) {
                out.push(format!(
                    "category `{}` routes to team `{}` at {}{}, where no active agent works: its tickets wait unworked",
                    c.name,
                    c.team,
                    c.tier,
                    if c.skills.is_empty() { String::new() } else { format!(" with {}", c.skills.join(", ")) }
                ));
            }
        }
        for e in &policy.escalations {
            match &e.reassign {
                Some(Reassign::NextTier) => {
                    let mut seen = Vec::new();
                    for c in &policy.categories {
                        let Some(next) = c.tier.next() else { continue };
                        if seen.contains(&(&c.team, next)) || self.covers(&c.team, next, &[]) {
                            continue;
                        }
                        seen.push((&c.team, next));
                        out.push(format!(
                            "escalation `{}` sends {} tickets to {next}, where nobody of the team works: they will stay at {}",
                            e.name, c.team, c.tier
                        ));
                    }
                }
                Some(Reassign::Team(t)) if self.top(t).is_none() => out.push(format!(
                    "escalation `{}` sends tickets to team `{t}`, which has no active agent: they will stay where they are",
                    e.name
                )),
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(n: &str) -> Skill {
        Skill { name: n.into(), proficiency: 3 }
    }

    #[test]
    fn a_move_lands_where_someone_can_work_it() {
        let sec = [skill("security")];
        let c = Coverage::of([("trust", Tier::L2, &sec[..]), ("payments", Tier::L1, &[][..])]);
        let from = (Some("trust"), Some(Tier::L2));
        assert_eq!(
            c.landing(from, (Some("trust"), Some(Tier::L3))),
            Landing::Stayed { why: "nobody of trust works at L3 or above; it stays at trust/L2".into() }
        );
        assert_eq!(
            c.landing((Some("trust"), Some(Tier::L1)), (Some("trust"), Some(Tier::L2))),
            Landing::AsAsked { team: Some("trust".into()), tier: Some(Tier::L2) }
        );
        assert!(matches!(
            c.landing(from, (Some("payments"), Some(Tier::L2))),
            Landing::NearestTier { tier: Tier::L1, .. }
        ));
        assert!(matches!(c.landing(from, (Some("accounts"), Some(Tier::L2))), Landing::Stayed { .. }));
        // Same team, someone two tiers up: the nearest tier with an agent.
        let c = Coverage::of([("eng", Tier::L1, &[][..]), ("eng", Tier::L3, &[][..])]);
        assert_eq!(
            c.landing((Some("eng"), Some(Tier::L1)), (Some("eng"), Some(Tier::L2))),
            Landing::AsAsked { team: Some("eng".into()), tier: Some(Tier::L2) },
            "an L3 agent covers L2"
        );
    }

    #[test]
    fn gaps_name_the_places_nobody_works() {
        let p = Policy::builtin();
        let none = Coverage::default();
        let gaps = none.gaps(&p);
        assert!(gaps.iter().any(|g| g.starts_with("category `account` routes to team `accounts` at L1 with accounts")));
        assert!(gaps
            .iter()
            .any(|g| g.contains("escalation `urgent resolution breached` sends payments tickets to L2")));
        let mut agents: Vec<(String, Tier, Vec<Skill>)> = Vec::new();
        for c in &p.categories {
            agents.push((c.team.clone(), Tier::L3, c.skills.iter().map(|s| skill(s)).collect()));
        }
        let full = Coverage::of(agents.iter().map(|(t, tier, s)| (t.as_str(), *tier, &s[..])));
        assert_eq!(full.gaps(&p), Vec::<String>::new());
    }
}
