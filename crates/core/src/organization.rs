//! Customer organizations: who they are (segments), what support they bought
//! (plan history with effective dates) and what they are worth (business impact).

use crate::DomainError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A customer organization as stored. Its current plan is derived from
/// [`PlanChange`] history at a given instant, see [`effective_plan`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    /// One of the policy's `segments.account_types` (e.g. free, pro, enterprise).
    pub account_type: String,
    pub vip: bool,
    /// One of the policy's `segments.customer_categories` (e.g. new, at_risk, strategic).
    pub customer_category: String,
    /// One of the policy's `segments.personas`, if known.
    pub persona: Option<String>,
    /// Contract terms that override the plan for this organization.
    pub contract: ContractOverrides,
    /// Annual contract value in the policy's currency units.
    pub annual_value: f64,
    pub seats: i64,
    /// IANA time zone the customer works in (used for SLA wording).
    pub timezone: String,
    /// The agent who owns the account: told when a VIP or enterprise promise moves
    /// and when an escalation notifies `owner`.
    #[serde(default)]
    pub owner_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Per-organization exceptions negotiated in a contract.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractOverrides {
    /// SLA policy name replacing the plan's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_policy: Option<String>,
    /// Business calendar replacing the SLA policy's (e.g. the customer's own office hours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// Priority boost replacing the plan's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_boost: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// One purchase, upgrade or downgrade of a support plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanChange {
    pub id: i64,
    pub organization_id: i64,
    pub plan_id: i64,
    /// When the plan starts to apply (may be in the future: a scheduled change).
    pub effective_from: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub actor: String,
    pub reason: Option<String>,
}

/// The plan in force at `at`: the change with the latest `effective_from` not after `at`
/// (ties go to the one recorded last).
pub fn effective_plan(changes: &[PlanChange], at: DateTime<Utc>) -> Option<&PlanChange> {
    changes.iter().filter(|c| c.effective_from <= at).max_by_key(|c| (c.effective_from, c.recorded_at, c.id))
}

/// The next change that will take effect after `at`, if one is scheduled.
pub fn upcoming_plan(changes: &[PlanChange], at: DateTime<Utc>) -> Option<&PlanChange> {
    changes.iter().filter(|c| c.effective_from > at).min_by_key(|c| (c.effective_from, c.id))
}

/// The longest name of an organization, contact or agent.
pub const MAX_NAME_CHARS: usize = 200;

/// Checks a name (an organization's, a contact's, an agent's): one line
/// ([`crate::text::ONE_LINE`]) of at most 200 characters; returned trimmed.
pub fn validate_name(name: &str) -> Result<String, DomainError> {
    crate::text::check_line(name, MAX_NAME_CHARS).map(str::to_string).map_err(|m| DomainError::new("name", m))
}

/// Checks an IANA time zone name such as `Europe/Berlin`.
pub fn validate_timezone(field: &str, tz: &str) -> Result<String, DomainError> {
    tz.parse::<chrono_tz::Tz>()
        .map(|_| tz.to_string())
        .map_err(|_| DomainError::new(field, format!("`{tz}` is not an IANA time zone (e.g. Europe/Berlin, UTC)")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn change(id: i64, plan: i64, day: u32, recorded_day: u32) -> PlanChange {
        PlanChange {
            id,
            organization_id: 1,
            plan_id: plan,
            effective_from: Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap(),
            recorded_at: Utc.with_ymd_and_hms(2026, 1, recorded_day, 0, 0, 0).unwrap(),
            actor: "system".into(),
            reason: None,
        }
    }

    #[test]
    fn scheduled_downgrade_applies_only_from_its_date() {
        let h = vec![change(1, 10, 1, 1), change(2, 20, 15, 2)];
        let jan10 = Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap();
        let jan20 = Utc.with_ymd_and_hms(2026, 1, 20, 0, 0, 0).unwrap();
        assert_eq!(effective_plan(&h, jan10).unwrap().plan_id, 10);
        assert_eq!(upcoming_plan(&h, jan10).unwrap().plan_id, 20);
        assert_eq!(effective_plan(&h, jan20).unwrap().plan_id, 20);
        assert!(upcoming_plan(&h, jan20).is_none());
    }

    #[test]
    fn no_plan_before_the_first_purchase() {
        let h = vec![change(1, 10, 5, 1)];
        assert!(effective_plan(&h, Utc.with_ymd_and_hms(2026, 1, 4, 0, 0, 0).unwrap()).is_none());
    }

    #[test]
    fn timezones_are_checked() {
        assert!(validate_timezone("timezone", "Europe/Berlin").is_ok());
        assert_eq!(validate_timezone("timezone", "Mars/Base").unwrap_err().field, "timezone");
    }
}
