//! The ways a team hands out work.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoutingStrategy {
    /// The best skill match among qualified agents with room, then the least utilized.
    SkillLeastLoad,
    /// Qualified agents with room in turn: the one assigned longest ago.
    RoundRobin,
    /// The qualified agent with room whose utilization after taking it is lowest.
    LoadBalanced,
    /// No pushing: agents pull from their views ("pick and choose").
    PullOnly,
}

impl RoutingStrategy {
    pub const ALL: [RoutingStrategy; 4] = [Self::SkillLeastLoad, Self::RoundRobin, Self::LoadBalanced, Self::PullOnly];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SkillLeastLoad => "skill_least_load",
            Self::RoundRobin => "round_robin",
            Self::LoadBalanced => "load_balanced",
            Self::PullOnly => "pull_only",
        }
    }
}

impl std::str::FromStr for RoutingStrategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| {
            format!("unknown routing strategy `{s}`: use skill_least_load, round_robin, load_balanced or pull_only")
        })
    }
}
