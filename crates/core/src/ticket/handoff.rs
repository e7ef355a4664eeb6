//! Escalation and de-escalation: where a ticket goes and the note that goes
//! with it, so the receiving side starts from what was tried.

use crate::agent::Tier;
use crate::DomainError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a hand-off sends a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandoffTo {
    NextTier,
    PreviousTier,
    Tier(Tier),
    Team(String),
}

impl std::str::FromStr for HandoffTo {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        let s = crate::text::without_final_newline(s);
        match s {
            "next_tier" => Ok(HandoffTo::NextTier),
            "previous_tier" => Ok(HandoffTo::PreviousTier),
            _ => {
                if let Some(t) = s.strip_prefix("tier:") {
                    return t.parse::<Tier>().map(HandoffTo::Tier).map_err(|e| DomainError::new("to", e.message));
                }
                if let Some(t) = s.strip_prefix("team:").filter(|t| !t.is_empty()) {
                    return Ok(HandoffTo::Team(t.to_string()));
                }
                Err(DomainError::new(
                    "to",
                    format!("`{s}` is not a destination; use next_tier, previous_tier, tier:L2 or team:<name>"),
                ))
            }
        }
    }
}

/// The note that travels with a hand-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Handoff {
    /// Who handed it over (`agent:3`).
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
    /// `escalated` or `deescalated`.
    pub direction: String,
    pub from_team: Option<String>,
    pub to_team: Option<String>,
    pub from_tier: Option<Tier>,
    pub to_tier: Option<Tier>,
    pub what_was_tried: String,
    pub what_is_needed: String,
}

/// Where a ticket at `team`/`tier` lands, and whether that is an escalation
/// (up a tier or to another team) or a de-escalation (down a tier).
pub fn destination(
    to: &HandoffTo,
    team: Option<&str>,
    tier: Option<Tier>,
) -> Result<(Option<String>, Option<Tier>, bool), DomainError> {
    let here = tier.unwrap_or(Tier::L1);
    let (to_team, to_tier) = match to {
        HandoffTo::NextTier => (
            team.map(String::from),
            Some(here.next().ok_or_else(|| DomainError::new("to", "already at the top tier (L3)"))?),
        ),
        HandoffTo::PreviousTier => (
            team.map(String::from),
            Some(here.previous().ok_or_else(|| DomainError::new("to", "already at the first tier (L1)"))?),
        ),
        HandoffTo::Tier(t) => (team.map(String::from), Some(*t)),
        HandoffTo::Team(t) => (Some(t.clone()), tier),
    };
    if to_team.as_deref() == team && to_tier == tier {
        return Err(DomainError::new("to", "the ticket is there already"));
    }
    let down = to_tier.zip(tier).is_some_and(|(a, b)| a < b);
    Ok((to_team, to_tier, !down))
}

/// The longest part of a hand-off note.
pub const MAX_NOTE_CHARS: usize = 5_000;

/// Checks the hand-off note's two parts: both said, neither a novel. Names
/// every part at fault.
pub fn validate_note(tried: &str, needed: &str) -> Result<(String, String), Vec<DomainError>> {
    let check = |field: &str, v: &str| {
        if crate::text::is_blank(v) {
            return Err(DomainError::new(field, "say it: the receiving side starts from this note"));
        }
        if crate::text::chars(v) > MAX_NOTE_CHARS {
            return Err(DomainError::new(field, "must be at most 5,000 characters"));
        }
        Ok(v.trim().to_string())
    };
    match (check("what_was_tried", tried), check("what_is_needed", needed)) {
        (Ok(t), Ok(n)) => Ok((t, n)),
        (t, n) => Err(t.err().into_iter().chain(n.err()).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_and_direction() {
        let to = |s: &str| s.parse::<HandoffTo>().unwrap();
        assert_eq!(
            destination(&to("next_tier"), Some("payments"), Some(Tier::L1)).unwrap(),
            (Some("payments".into()), Some(Tier::L2), true)
        );
        assert_eq!(
            destination(&to("previous_tier"), Some("payments"), Some(Tier::L2)).unwrap(),
            (Some("payments".into()), Some(Tier::L1), false)
        );
        assert_eq!(
            destination(&to("team:engineering_support"), Some("payments"), Some(Tier::L1)).unwrap(),
            (Some("engineering_support".into()), Some(Tier::L1), true)
        );
        assert_eq!(
            destination(&to("next_tier"), None, Some(Tier::L3)).unwrap_err().message,
            "already at the top tier (L3)"
        );
        assert!(destination(&to("tier:L2"), Some("t"), Some(Tier::L2)).is_err(), "nowhere to go");
        assert_eq!("upstairs".parse::<HandoffTo>().unwrap_err().field, "to");
        assert!("tier:L9".parse::<HandoffTo>().is_err());
        assert_eq!(validate_note(" ", "x").unwrap_err()[0].field, "what_was_tried");
        assert_eq!(validate_note("reset", " ").unwrap_err()[0].field, "what_is_needed");
        assert_eq!(validate_note("", "").unwrap_err().len(), 2, "both parts named at once");
    }
}
