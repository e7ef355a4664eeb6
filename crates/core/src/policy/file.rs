//! The policy file as written: raw TOML shapes with source spans, before validation.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyFile {
    pub name: String,
    pub version: Spanned<String>,
    #[serde(default = "default_currency")]
    pub currency: String,
    pub default_level: Spanned<String>,
    pub levels: Spanned<Vec<Spanned<LevelFile>>>,
    pub matrix: Spanned<MatrixFile>,
    pub segments: SegmentsFile,
    #[serde(default)]
    pub plans: Vec<Spanned<PlanFile>>,
    #[serde(default)]
    pub calendars: Vec<Spanned<CalendarFile>>,
    #[serde(default)]
    pub sla_policies: Vec<Spanned<SlaPolicyFile>>,
    #[serde(default)]
    pub categories: Vec<Spanned<CategoryFile>>,
    #[serde(default)]
    pub custom_fields: Vec<Spanned<CustomFieldFile>>,
    pub priority: Option<Spanned<PriorityFile>>,
    #[serde(default)]
    pub views: Vec<Spanned<ViewFile>>,
    #[serde(default)]
    pub escalations: Vec<Spanned<EscalationFile>>,
    pub messages: Option<MessagesFile>,
    #[serde(default)]
    pub teams: Vec<Spanned<TeamFile>>,
    pub routing: Option<RoutingFile>,
    pub categorization: Option<CategorizationFile>,
    pub customers: Option<CustomersFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ViewFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub categories: Vec<Spanned<String>>,
    #[serde(default)]
    pub levels: Vec<Spanned<String>>,
    pub tag: Option<String>,
    #[serde(default)]
    pub unassigned: bool,
}

/// `name = points` tables.
pub(crate) type PointsFile = BTreeMap<Spanned<String>, Spanned<f64>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PriorityFile {
    #[serde(default)]
    pub weights: PointsFile,
    pub max_raise: Option<Spanned<i64>>,
    #[serde(default)]
    pub rules: Vec<Spanned<LevelRuleFile>>,
    pub customer: Option<CustomerFile>,
    pub emotion: Option<EmotionFile>,
    pub age: Option<AgeFile>,
    #[serde(default)]
    pub category: PointsFile,
    #[serde(default)]
    pub ai_urgency: PointsFile,
    pub sla: Option<SlaFile>,
    #[serde(default)]
    pub custom_fields: BTreeMap<Spanned<String>, CustomFieldRuleFile>,
    pub business_impact: Option<BusinessImpactFile>,
    #[serde(default)]
    pub surge: Vec<SurgeFile>,
}

/// `[[priority.rules]]`: conditions that set a level.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LevelRuleFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub level: Spanned<String>,
    #[serde(default)]
    pub categories: Vec<Spanned<String>>,
    #[serde(default)]
    pub impacts: Vec<Spanned<String>>,
    #[serde(default)]
    pub urgencies: Vec<Spanned<String>>,
    #[serde(default)]
    pub account_types: Vec<Spanned<String>>,
    pub vip: Option<bool>,
    #[serde(default)]
    pub customer_categories: Vec<Spanned<String>>,
    #[serde(default)]
    pub personas: Vec<Spanned<String>>,
    #[serde(default)]
    pub plans: Vec<Spanned<String>>,
    #[serde(default)]
    pub words: Vec<Spanned<String>>,
    #[serde(default)]
    pub signals: Vec<Spanned<String>>,
    #[serde(default)]
    pub custom_fields: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomerFile {
    #[serde(default)]
    pub account_type: PointsFile,
    pub vip: Option<Spanned<f64>>,
    #[serde(default)]
    pub customer_category: PointsFile,
    #[serde(default)]
    pub persona: PointsFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EmotionFile {
    #[serde(default)]
    pub words: PointsFile,
    #[serde(default)]
    pub shouting: f64,
    #[serde(default)]
    pub exclamations: f64,
    #[serde(default)]
    pub negative: f64,
    #[serde(default)]
    pub worsening: f64,
    #[serde(default)]
    pub follow_up: f64,
    pub max: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AgeFile {
    pub points_per_hour: Spanned<f64>,
    pub max: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SlaFile {
    pub horizon: Spanned<String>,
    pub max: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomFieldRuleFile {
    pub per_unit: Option<f64>,
    pub max: Option<f64>,
    #[serde(default)]
    pub values: BTreeMap<String, f64>,
    pub when_true: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BusinessImpactFile {
    #[serde(default)]
    pub per_10k_annual_value: f64,
    #[serde(default)]
    pub per_100_seats: f64,
    pub max: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SurgeFile {
    pub name: Spanned<String>,
    pub open_backlog_above: Option<u64>,
    pub arrivals_per_hour_above: Option<u64>,
    pub weights: PointsFile,
}

fn default_currency() -> String {
    "USD".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LevelFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub label: String,
    pub guideline: Option<Spanned<String>>,
    pub base_score: Spanned<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MatrixFile {
    pub impact: Spanned<Vec<String>>,
    pub urgency: Spanned<Vec<String>>,
    pub cells: Spanned<Vec<Spanned<Vec<Spanned<String>>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SegmentsFile {
    pub account_types: Spanned<Vec<String>>,
    pub customer_categories: Spanned<Vec<String>>,
    pub personas: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub price_cents: Spanned<i64>,
    pub channels: Spanned<Vec<String>>,
    pub sla_policy: Spanned<String>,
    #[serde(default)]
    pub priority_boost: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SlaPolicyFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    /// Business calendar the targets count on; absent: calendar time (24x7).
    pub calendar: Option<Spanned<String>>,
    /// Statuses that stop the clock (default: pending_customer and on_hold).
    pub pause_on: Option<Spanned<Vec<String>>>,
    /// Warn at this fraction of a target (default 0.75).
    pub warn_at: Option<Spanned<f64>>,
    #[serde(default)]
    pub targets: BTreeMap<Spanned<String>, Spanned<SlaTargetsFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CalendarFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub timezone: Spanned<String>,
    /// Weekly hours as in `triage sla due --hours`; none: around the clock.
    #[serde(default)]
    pub hours: Vec<Spanned<String>>,
    #[serde(default)]
    pub holidays: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SlaTargetsFile {
    pub first_response: Option<Spanned<String>>,
    pub next_reply: Option<Spanned<String>>,
    pub resolution: Option<Spanned<String>>,
    pub periodic_update: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CategoryFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub skills: Vec<String>,
    pub tier: Spanned<String>,
    pub team: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomFieldFile {
    pub name: Spanned<String>,
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub values: Vec<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Customers may see and set it.
    #[serde(default)]
    pub customer: bool,
}

/// `[[escalations]]`: what happens when an SLA clock warns or breaches.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EscalationFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    /// `warning` or `breach`.
    pub on: Spanned<String>,
    /// Clocks it applies to; empty: all.
    #[serde(default)]
    pub clocks: Vec<Spanned<String>>,
    /// Levels it applies to; empty: all.
    #[serde(default)]
    pub levels: Vec<Spanned<String>>,
    /// SLA policies it applies to; empty: all.
    #[serde(default)]
    pub sla_policies: Vec<Spanned<String>>,
    /// Raise the priority this many levels (stops at the most urgent).
    pub raise_priority: Option<Spanned<i64>>,
    /// `next_tier` or `team:<name>`.
    pub reassign: Option<Spanned<String>>,
    /// `assignee`, `owner` (the account's owner), `team` (the ticket's team), `team:<name>`.
    #[serde(default)]
    pub notify: Vec<Spanned<String>>,
    pub add_tag: Option<Spanned<String>>,
}

/// `[messages]`: what the customer is told, as templates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MessagesFile {
    pub acknowledgment: Option<Spanned<String>>,
    pub promise_changed: Option<Spanned<String>>,
    /// How long changes gather before the customer is told: "10m".
    pub coalesce: Option<Spanned<String>>,
}

/// `[customers]`: what customers may do.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomersFile {
    #[serde(default)]
    pub may_set: Vec<Spanned<String>>,
}

/// `[[teams]]`: a team and how it hands out work.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TeamFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    /// `skill_least_load`, `round_robin`, `load_balanced` or `pull_only`.
    pub strategy: Spanned<String>,
    /// Give work over capacity when everyone qualified is full.
    #[serde(default)]
    pub overflow: bool,
    /// The team lead's e-mail: told when a ticket cannot be moved where asked.
    pub lead: Option<Spanned<String>>,
}

/// `[routing]`: how much capacity each level's ticket takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RoutingFile {
    #[serde(default)]
    pub load: BTreeMap<Spanned<String>, Spanned<f64>>,
}

/// `[categorization]`: how sure a prediction must be to set a field, and how a
/// model's labels map to the policy's values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CategorizationFile {
    pub default_threshold: Option<Spanned<f64>>,
    #[serde(default)]
    pub thresholds: std::collections::BTreeMap<String, Spanned<f64>>,
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, std::collections::BTreeMap<String, Spanned<String>>>,
}
