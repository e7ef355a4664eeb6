//! The policy: what a support lead configures, loaded from TOML and validated
//! with precise errors (file, line, what to fix).

mod calendars;
mod categories;
mod categorization;
mod custom_field;
mod customers;
mod duration;
mod error;
mod escalation;
mod file;
mod levels;
mod lint;
mod matrix;
mod plans;
mod priority_rules;
mod segments;
mod sla_policies;
mod teams;
mod validate;
mod views;

pub use categorization::CategorizationDef;
pub use custom_field::{CustomFieldDef, CustomFieldType};
pub use duration::parse_duration;
pub use error::{PolicyError, PolicyErrors};
pub use escalation::{customer_text, render, EscalationDef, Messages, NotifyTarget, Reassign};
pub use teams::{RoutingDef, TeamDef};

use crate::agent::Tier;
use crate::ticket::Channel;
use crate::DomainError;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The policy compiled into the binary, used when no `--policy FILE` is given.
pub const BUILTIN_TOML: &str = include_str!("default.toml");

/// A validated policy. Build it with [`Policy::from_toml`].
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Policy {
    pub name: String,
    /// Recorded on every ticket this policy scores.
    pub version: String,
    pub currency: String,
    /// Priority levels, most urgent first.
    pub levels: Vec<Level>,
    pub default_level: String,
    pub matrix: Matrix,
    pub segments: Segments,
    pub plans: Vec<PlanDef>,
    /// Business calendars SLA policies count on.
    pub calendars: Vec<CalendarDef>,
    pub sla_policies: Vec<SlaPolicyDef>,
    pub categories: Vec<CategoryDef>,
    pub custom_fields: Vec<CustomFieldDef>,
    /// How strategies add up to a score (the `[priority]` table).
    pub priority: crate::priority::PriorityRules,
    /// Named queue views agents pick work from.
    pub views: Vec<ViewDef>,
    /// What happens when SLA clocks warn or breach.
    pub escalations: Vec<EscalationDef>,
    /// What the customer is told (acknowledgment, changed promise).
    pub messages: Messages,
    /// Teams and how each hands out work.
    pub teams: Vec<TeamDef>,
    /// How much capacity each level's ticket takes.
    pub routing: RoutingDef,
    /// How predicted fields are used on intake (`[categorization]`).
    pub categorization: CategorizationDef,
    /// What customers may set on the tickets they open (`[customers]`).
    pub customers: CustomersDef,
    /// What the linter found worth a look but not wrong (see `triage policy check`).
    #[serde(skip)]
    #[schema(ignore)]
    pub warnings: Vec<PolicyError>,
}

/// What customers may do (`[customers]`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CustomersDef {
    /// Ticket fields besides subject and body (and the custom fields declared
    /// `customer = true`) that customers may set when they open a ticket: any of
    /// `category`, `impact`, `urgency`, `tags`. What they send for the others is
    /// kept as their suggestion (`suggested`) for triage to decide.
    pub may_set: Vec<String>,
}

impl CustomersDef {
    /// The fields `may_set` may name.
    pub const SETTABLE: [&'static str; 4] = ["category", "impact", "urgency", "tags"];

    pub fn may_set(&self, field: &str) -> bool {
        self.may_set.iter().any(|f| f == field)
    }
}

/// A named, filtered view of the queue (pick-and-choose).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ViewDef {
    pub name: String,
    pub description: String,
    pub categories: Vec<String>,
    pub levels: Vec<String>,
    pub tag: Option<String>,
    pub unassigned: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Level {
    pub name: String,
    pub label: String,
    /// Written guidance shown where agents decide.
    pub guideline: String,
    /// The score a ticket at this level starts from.
    pub base_score: f64,
}

/// The ITIL-style impact x urgency matrix: `cells[impact][urgency]` is a level name.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Matrix {
    /// Impact values, most severe first.
    pub impact: Vec<String>,
    /// Urgency values, most urgent first.
    pub urgency: Vec<String>,
    pub cells: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Segments {
    pub account_types: Vec<String>,
    pub customer_categories: Vec<String>,
    pub personas: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlanDef {
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub channels: Vec<Channel>,
    pub sla_policy: String,
    pub priority_boost: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SlaPolicyDef {
    pub name: String,
    pub description: String,
    /// The business calendar targets count on; `None`: calendar time, around the clock.
    pub calendar: Option<String>,
    /// Statuses that stop the clock.
    #[schema(value_type = Vec<String>)]
    pub pause_on: Vec<crate::ticket::Status>,
    /// Fraction of a target at which a warning is raised.
    pub warn_at: f64,
    /// Targets per priority level.
    pub targets: BTreeMap<String, SlaTargets>,
}

/// A named business calendar: time zone, weekly hours, holidays.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CalendarDef {
    pub name: String,
    pub description: String,
    pub timezone: String,
    /// Weekly hours as written (`mon-fri 09:00-17:00`); empty: around the clock.
    pub hours: Vec<String>,
    /// Holidays as written (`2026-12-25`, `2026-12-24..2026-12-26`).
    pub holidays: Vec<String>,
    #[serde(skip)]
    #[schema(ignore)]
    pub compiled: crate::sla::Calendar,
}

/// Targets in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SlaTargets {
    pub first_response: Option<i64>,
    pub next_reply: Option<i64>,
    pub resolution: Option<i64>,
    /// For the most urgent levels: an update to the customer at least this often.
    pub periodic_update: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CategoryDef {
    pub name: String,
    pub description: String,
    pub skills: Vec<String>,
    pub tier: Tier,
    pub team: String,
}

impl Policy {
    /// Parses and validates a policy. `file` only names the source in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Policy, PolicyErrors> {
        validate::compile(file, text)
    }

    /// The built-in default policy.
    pub fn builtin() -> Policy {
        Policy::from_toml("<built-in policy>", BUILTIN_TOML).expect("the built-in policy is valid")
    }

    pub fn level(&self, name: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.name == name)
    }

    pub fn matrix_level(&self, impact: &str, urgency: &str) -> Option<&str> {
        let i = self.matrix.impact.iter().position(|x| x == impact)?;
        let u = self.matrix.urgency.iter().position(|x| x == urgency)?;
        Some(self.matrix.cells[i][u].as_str())
    }

    pub fn category(&self, name: &str) -> Option<&CategoryDef> {
        self.categories.iter().find(|c| c.name == name)
    }

    pub fn plan(&self, name: &str) -> Option<&PlanDef> {
        self.plans.iter().find(|p| p.name == name)
    }

    pub fn view(&self, name: &str) -> Option<&ViewDef> {
        self.views.iter().find(|v| v.name == name)
    }

    pub fn calendar(&self, name: &str) -> Option<&CalendarDef> {
        self.calendars.iter().find(|c| c.name == name)
    }

    pub fn team(&self, name: &str) -> Option<&TeamDef> {
        self.teams.iter().find(|t| t.name == name)
    }

    /// Every team tickets can be routed to: those declared and those the
    /// categories name, each once, declared first.
    pub fn team_names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.teams.iter().map(|t| t.name.as_str()).collect();
        for c in &self.categories {
            if !out.contains(&c.team.as_str()) {
                out.push(&c.team);
            }
        }
        out
    }

    pub fn sla_policy(&self, name: &str) -> Option<&SlaPolicyDef> {
        self.sla_policies.iter().find(|p| p.name == name)
    }

    /// Checks a value against one of the policy's closed lists.
    fn one_of(field: &str, value: &str, allowed: &[String], what: &str) -> Result<(), DomainError> {
        if allowed.iter().any(|a| a == value) {
            Ok(())
        } else {
            Err(DomainError::new(
                field,
                format!("`{value}` is not a known {what}; the policy allows: {}", allowed.join(", ")),
            ))
        }
    }

    pub fn check_category(&self, value: &str) -> Result<(), DomainError> {
        let names: Vec<String> = self.categories.iter().map(|c| c.name.clone()).collect();
        Self::one_of("category", value, &names, "category")
    }
    pub fn check_impact(&self, value: &str) -> Result<(), DomainError> {
        Self::one_of("impact", value, &self.matrix.impact, "impact")
    }
    pub fn check_urgency(&self, value: &str) -> Result<(), DomainError> {
        Self::one_of("urgency", value, &self.matrix.urgency, "urgency")
    }
    pub fn check_level(&self, value: &str) -> Result<(), DomainError> {
        let names: Vec<String> = self.levels.iter().map(|l| l.name.clone()).collect();
        Self::one_of("priority", value, &names, "priority level")
    }
    pub fn check_account_type(&self, value: &str) -> Result<(), DomainError> {
        Self::one_of("account_type", value, &self.segments.account_types, "account type")
    }
    pub fn check_customer_category(&self, value: &str) -> Result<(), DomainError> {
        Self::one_of("customer_category", value, &self.segments.customer_categories, "customer category")
    }
    pub fn check_persona(&self, value: &str) -> Result<(), DomainError> {
        Self::one_of("persona", value, &self.segments.personas, "persona")
    }
    pub fn check_sla_policy(&self, value: &str) -> Result<(), DomainError> {
        let names: Vec<String> = self.sla_policies.iter().map(|c| c.name.clone()).collect();
        Self::one_of("sla_policy", value, &names, "SLA policy")
    }

    /// Checks custom-field values against their declarations: unknown names and
    /// wrong types are errors naming `custom_fields.NAME`.
    pub fn check_custom_fields(&self, values: &BTreeMap<String, serde_json::Value>) -> Result<(), DomainError> {
        self.custom_field_errors(values).into_iter().next().map_or(Ok(()), Err)
    }

    /// Every custom-field value at fault, each named `custom_fields.NAME`.
    pub fn custom_field_errors(&self, values: &BTreeMap<String, serde_json::Value>) -> Vec<DomainError> {
        let mut errors = Vec::new();
        for (name, value) in values {
            match self.custom_fields.iter().find(|d| &d.name == name) {
                Some(def) => errors.extend(def.check(value).err()),
                None => {
                    let known: Vec<&str> = self.custom_fields.iter().map(|d| d.name.as_str()).collect();
                    errors.push(DomainError::new(
                        format!("custom_fields.{name}"),
                        format!("is not declared in the policy; declared fields: {}", known.join(", ")),
                    ));
                }
            }
        }
        errors
    }
}

#[cfg(test)]
mod tests;
