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
    /// The tier a de-escalation goes back to, if any.
    pub fn previous(self) -> Option<Tier> {
        match self {
            Tier::L1 => None,
            Tier::L2 => Some(Tier::L1),
            Tier::L3 => Some(Tier::L2),
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
    #[schema(value_type = String)]
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
    /// Whether the agent takes work now.
    #[serde(default)]
    pub availability: Availability,
    /// Weekly shifts in the agent's time zone, as calendar hours are written
    /// (`mon-fri 09:00-17:00`); empty: any time.
    #[serde(default)]
    pub shifts: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl Agent {
    /// An agent as the API makes one when nothing more is said: an active,
    /// online L1 agent of team `support`, no skills, capacity 10, UTC, any time.
    pub fn new(name: impl Into<String>, email: Email, now: DateTime<Utc>) -> Agent {
        Agent {
            id: 0,
            name: name.into(),
            email,
            role: AgentRole::Agent,
            skills: vec![],
            tier: Tier::L1,
            team: "support".into(),
            capacity: 10,
            timezone: "UTC".into(),
            active: true,
            availability: Availability::Online,
            shifts: vec![],
            created_at: now,
        }
    }
}

/// Whether an agent takes work: only `online` agents on shift are given tickets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    #[default]
    Online,
    /// Around but not taking new work (keeps what they have).
    Away,
    /// Gone: their open tickets go back to the team.
    Offline,
}

impl Availability {
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Online => "online",
            Availability::Away => "away",
            Availability::Offline => "offline",
        }
    }
}

impl FromStr for Availability {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        match s {
            "online" => Ok(Availability::Online),
            "away" => Ok(Availability::Away),
            "offline" => Ok(Availability::Offline),
            _ => Err(DomainError::new(
                "availability",
                format!("`{s}` is not an availability; use online, away or offline"),
            )),
        }
    }
}

impl Agent {
    /// The agent's shift calendar (in their time zone); `None`: any time.
    pub fn shift_calendar(&self) -> Result<Option<crate::sla::Calendar>, DomainError> {
        if self.shifts.is_empty() {
            return Ok(None);
        }
        let tz: chrono_tz::Tz = self
            .timezone
            .parse()
            .map_err(|_| DomainError::new("timezone", format!("`{}` is not an IANA time zone", self.timezone)))?;
        let mut week = crate::sla::Weekly::default();
        for (i, h) in self.shifts.iter().enumerate() {
            crate::sla::parse_hours(h, &mut week).map_err(|e| DomainError::new(format!("shifts[{i}]"), e))?;
        }
        crate::sla::Calendar::new(tz, Some(week), vec![]).map(Some).map_err(|e| DomainError::new("shifts", e))
    }

    /// Whether the agent is on shift at `at_ms` (always, without shifts).
    pub fn on_shift(cal: Option<&crate::sla::Calendar>, at_ms: i64) -> bool {
        let Some(cal) = cal else { return true };
        let mut v = Vec::with_capacity(4);
        let date = cal.local_date(at_ms);
        // Today's intervals, and yesterday's that run past midnight (24:00 ends).
        [date.pred_opt(), Some(date)].into_iter().flatten().any(|d| {
            cal.day_intervals(d, &mut v);
            v.iter().any(|&(a, b)| a <= at_ms && at_ms < b)
        })
    }
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
    fn shifts_in_the_agents_zone() {
        let mut a = Agent {
            id: 1,
            name: "Ana".into(),
            email: Email::parse("ana@x.example").unwrap(),
            role: AgentRole::Agent,
            skills: vec![],
            tier: Tier::L1,
            team: "t".into(),
            capacity: 10,
            timezone: "America/New_York".into(),
            active: true,
            availability: Availability::Online,
            shifts: vec!["mon-fri 09:00-17:00".into()],
            created_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
        };
        let cal = a.shift_calendar().unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis();
        assert!(Agent::on_shift(cal.as_ref(), at("2026-11-30T09:30:00-05:00")));
        assert!(!Agent::on_shift(cal.as_ref(), at("2026-11-30T08:59:00-05:00")));
        assert!(!Agent::on_shift(cal.as_ref(), at("2026-11-28T12:00:00-05:00")), "Saturday");
        a.shifts = vec!["mon 9-5".into()];
        assert_eq!(a.shift_calendar().unwrap_err().field, "shifts[0]");
        a.shifts = vec![];
        assert!(Agent::on_shift(a.shift_calendar().unwrap().as_ref(), 0), "no shifts: any time");
        assert_eq!("away".parse::<Availability>().unwrap(), Availability::Away);
        assert!("busy".parse::<Availability>().is_err());
    }

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
