//! Routing: who works a ticket.
//!
//! A ticket's category names the team, the entry tier and the skills it needs;
//! the team's strategy (policy `[[teams]]`) picks among the agents who qualify —
//! available (online, on shift), in the team, holding every skill, at the tier
//! (a higher tier only when nobody at the tier has room) and with room for the
//! ticket's weight (its level's load, policy `[routing.load]`), unless the team
//! allows overflow:
//!
//! - `skill_least_load`: the best skill match, then the least utilized;
//! - `round_robin`: the one assigned longest ago (fair over rounds);
//! - `load_balanced`: the lowest utilization after taking the ticket;
//! - `pull_only`: nobody is pushed work; agents take it from their views.
//!
//! [`Router`] holds what it needs of each agent in flat arrays (skills as a
//! bitmask and a proficiency table), so choosing among 1,000 agents is a scan
//! of a few microseconds. Pure: the caller says who is available and when.

mod coverage;
mod evenness;
mod router;
pub mod sim;
mod strategy;
#[cfg(test)]
mod tests;

pub use coverage::{Coverage, Landing};
pub use evenness::Evenness;
pub use router::{AgentState, Choice, Need, Router};
pub use strategy::RoutingStrategy;
