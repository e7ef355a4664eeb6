//! Who did something: an agent, a customer contact, or the system itself.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Serialized as `agent:7`, `contact:3` or `system`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Actor {
    System,
    Agent(i64),
    Contact(i64),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::System => f.write_str("system"),
            Actor::Agent(id) => write!(f, "agent:{id}"),
            Actor::Contact(id) => write!(f, "contact:{id}"),
        }
    }
}

impl FromStr for Actor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "system" {
            return Ok(Actor::System);
        }
        let bad = || format!("`{s}` is not an actor (agent:ID, contact:ID or system)");
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        match kind {
            "agent" => Ok(Actor::Agent(id)),
            "contact" => Ok(Actor::Contact(id)),
            _ => Err(bad()),
        }
    }
}

impl TryFrom<String> for Actor {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}
impl From<Actor> for String {
    fn from(a: Actor) -> String {
        a.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn round_trips() {
        for a in [Actor::System, Actor::Agent(7), Actor::Contact(3)] {
            assert_eq!(a.to_string().parse::<Actor>().unwrap(), a);
        }
        assert!("robot:1".parse::<Actor>().is_err());
    }
}
