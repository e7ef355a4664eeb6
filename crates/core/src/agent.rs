//! Agents: the support staff, with role, skills, tier, team and capacity.

use crate::email::Email;
use crate::DomainError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// What an agent may do: admins also change policy, plans and tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentRole {
    Admin,
    Agent,
}

/// Support tier: L1 takes first contact, L2 and L3 take escalations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub enum Tier {
    L1,
    L2,
    L3,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::L1 => "L1",
            Tier::L2 => "L2",
            Tier::L3 => "L3",
        }
    }
    /// The tier an escalation goes to, if any.
    pub fn next(self) -> Option<Tier> {
        match self {
            Tier::L1 => Some(Tier::L2),
            Tier::L2 => Some(Tier::L3),
            Tier::L3 => None,
        }
    }
}

impl FromStr for Tier {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        match s.to_ascii_uppercase().as_str() {
            "L1" => Ok(Tier::L1),
            "L2" => Ok(Tier::L2),
            "L3" => Ok(Tier::L3),
            _ => Err(DomainError::new("tier", format!("`{s}` is not a tier; use L1, L2 or L3"))),
        }
    }
}
impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AgentRole {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentRole::Admin => "admin",
            AgentRole::Agent => "agent",
        }
    }
}
impl FromStr for AgentRole {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        match s {
            "admin" => Ok(AgentRole::Admin),
            "agent" => Ok(AgentRole::Agent),
            _ => Err(DomainError::new("role", format!("`{s}` is not a role; use admin or agent"))),
        }
    }
}

/// A skill an agent has, with proficiency 1 (novice) to 5 (expert).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Skill {
    pub name: String,
    pub proficiency: u8,
}

impl Skill {
    pub fn validate(&self, index: usize) -> Result<(), DomainError> {
        let field = format!("skills[{index}]");
        if self.name.trim().is_empty() {
            return Err(DomainError::new(format!("{field}.name"), "must not be empty"));
        }
        if !(1..=5).contains(&self.proficiency) {
            return Err(DomainError::new(format!("{field}.proficiency"), "must be between 1 and 5"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Agent {
    pub id: i64,
    pub name: String,
    #[schema(value_type = String, format = "email")]
    pub email: Email,
    pub role: AgentRole,
    pub skills: Vec<Skill>,
    pub tier: Tier,
    pub team: String,
    /// How much concurrent work the agent takes (in priority-weighted units).
    pub capacity: i64,
    /// IANA time zone of the agent's shifts.
    pub timezone: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// Checks a skill list: each valid, no name twice.
pub fn validate_skills(skills: &[Skill]) -> Result<(), DomainError> {
    for (i, s) in skills.iter().enumerate() {
        s.validate(i)?;
        if skills[..i].iter().any(|o| o.name == s.name) {
            return Err(DomainError::new(format!("skills[{i}].name"), format!("`{}` is listed twice", s.name)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_parse_and_escalate() {
        assert_eq!("l2".parse::<Tier>().unwrap(), Tier::L2);
        assert_eq!(Tier::L1.next(), Some(Tier::L2));
        assert_eq!(Tier::L3.next(), None);
        assert!("L4".parse::<Tier>().is_err());
    }

    #[test]
    fn skills_must_be_distinct_and_in_range() {
        let ok = vec![Skill { name: "billing".into(), proficiency: 3 }];
        assert!(validate_skills(&ok).is_ok());
        let dup = vec![ok[0].clone(), ok[0].clone()];
        assert_eq!(validate_skills(&dup).unwrap_err().field, "skills[1].name");
        let bad = vec![Skill { name: "x".into(), proficiency: 9 }];
        assert_eq!(validate_skills(&bad).unwrap_err().field, "skills[0].proficiency");
    }
}
