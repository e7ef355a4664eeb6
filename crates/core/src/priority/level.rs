//! A ticket's level: the promise made to the customer (it sets the SLA targets).
//!
//! It comes from criteria a person can read, never from time: an agent's
//! override, else the first of the policy's level rules that matches (`[[priority.rules]]`,
//! e.g. "VIP and outage -> P1"), else the impact x urgency matrix cell, else the
//! default level. Who the customer is (the strategies for which
//! [`Strategy::raises_level`] holds) may then raise it by at most
//! `[priority] max_raise` levels: it takes one level for each more urgent level's
//! base score that the base level's score plus those points reach. Waiting time,
//! SLA time left and surge mode only order the queue (the score).

use super::engine::{Facts, Points};
use super::strategy::Strategy;
use crate::policy::Policy;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A policy rule that sets a ticket's level when all of its conditions hold
/// (each list: any of its values; left empty: any ticket).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct LevelRule {
    pub name: String,
    pub description: String,
    /// The level it sets (before any raise for who the customer is).
    pub level: String,
    pub categories: Vec<String>,
    pub impacts: Vec<String>,
    pub urgencies: Vec<String>,
    pub account_types: Vec<String>,
    pub vip: Option<bool>,
    pub customer_categories: Vec<String>,
    pub personas: Vec<String>,
    pub plans: Vec<String>,
    /// Escalation words of `[priority.emotion]` found in the customer's text.
    pub words: Vec<String>,
    /// Signals read in the customer's messages: `outage`, `legal`, `threat to leave`.
    pub signals: Vec<String>,
    /// Custom field values (`true`, a number or a string), all required.
    #[schema(value_type = Object)]
    pub custom_fields: std::collections::BTreeMap<String, serde_json::Value>,
}

fn any_of(list: &[String], v: Option<&str>) -> bool {
    list.is_empty() || v.is_some_and(|v| list.iter().any(|x| x == v))
}

impl LevelRule {
    /// Whether every condition holds for these facts.
    pub fn matches(&self, f: &Facts) -> bool {
        any_of(&self.categories, f.category)
            && any_of(&self.impacts, f.impact)
            && any_of(&self.urgencies, f.urgency)
            && any_of(&self.account_types, Some(f.account_type))
            && self.vip.is_none_or(|v| v == f.vip)
            && any_of(&self.customer_categories, Some(f.customer_category))
            && any_of(&self.personas, f.persona)
            && any_of(&self.plans, f.plan.map(|(n, _)| n))
            && (self.words.is_empty() || self.words.iter().any(|w| f.emotion.words.contains(w)))
            && (self.signals.is_empty()
                || f.emotion.thread.as_ref().is_some_and(|t| t.signals.iter().any(|s| self.signals.contains(&s.kind))))
            && self.custom_fields.iter().all(|(k, v)| f.custom_fields.get(k) == Some(v))
    }
}

/// Where a ticket's level starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LevelSource {
    /// The impact x urgency matrix cell.
    Matrix,
    /// A `[[priority.rules]]` entry.
    Rule,
    /// Impact or urgency unknown: the policy's default level.
    Default,
    /// An agent's (or an escalation's) override.
    Override,
}

/// How the level was decided, in parts and in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LevelDecision {
    /// The level the criteria gave, before any raise.
    pub base: String,
    pub source: LevelSource,
    /// The rule that set it, when a rule did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Points from who the customer is (customer, plan, business impact, custom
    /// fields, emotion), at the policy's normal weights.
    pub raise_points: f64,
    /// Levels raised for who the customer is (at most `max_raise`).
    pub raised: u32,
    /// The level: `base` raised by `raised`.
    pub level: String,
    pub reason: String,
}

/// Where a ticket's level starts: the level index (most urgent first) the
/// criteria give, where it came from, and the rule's index when a rule did.
pub(crate) type Base = (usize, LevelSource, Option<usize>);

/// The level the criteria give (an agent's override aside). Time plays no part.
pub(crate) fn base_level(policy: &Policy, f: &Facts) -> Base {
    let idx = |name: &str| policy.levels.iter().position(|l| l.name == name);
    for (r, rule) in policy.priority.rules.iter().enumerate() {
        if rule.matches(f) {
            if let Some(i) = idx(&rule.level) {
                return (i, LevelSource::Rule, Some(r));
            }
        }
    }
    if let (Some(i), Some(u)) = (f.impact, f.urgency) {
        if let Some(l) = policy.matrix_level(i, u).and_then(idx) {
            return (l, LevelSource::Matrix, None);
        }
    }
    (idx(&policy.default_level).unwrap_or(policy.levels.len() - 1), LevelSource::Default, None)
}

/// The reason a matrix cell gives a level, in words.
pub(crate) fn matrix_reason(impact: &str, urgency: &str, level: &str) -> String {
    format!("impact {impact} x urgency {urgency} gives {level}")
}

/// The reason the default level applies, in words.
pub(crate) fn default_reason(level: &str) -> String {
    format!("impact and urgency not both known: default level {level}")
}

/// The points that may raise a level: those of the strategies for who the
/// customer is, at the policy's normal weights (never a surge rule's).
pub fn raise_points(policy: &Policy, pts: &Points) -> f64 {
    let w = &policy.priority.weights;
    Strategy::ALL.iter().filter(|s| s.raises_level()).map(|s| pts.get(*s) * w.get(*s)).sum()
}

/// How many levels `points` raise a ticket whose criteria gave level `base`: one
/// for each more urgent level whose base score `base`'s score plus the points
/// reach, at most `max_raise`. Overrides are never raised.
pub fn levels_raised(policy: &Policy, base: usize, points: f64) -> usize {
    let from = policy.levels[base].base_score;
    let reached = policy.levels[..base].iter().filter(|l| from + points >= l.base_score).count();
    reached.min(policy.priority.max_raise)
}

/// Where a level's reason goes on from its base to its raise.
pub(crate) const RAISED: &str = "; who the customer is (";

fn count_words(n: usize) -> &'static str {
    match n {
        1 => "one level",
        2 => "two levels",
        3 => "three levels",
        _ => "several levels",
    }
}

/// The decision in full from where the level starts (see [`base_level`]), with
/// its reason in words.
pub(crate) fn decision(policy: &Policy, f: &Facts, pts: &Points, (base, source, rule): Base) -> LevelDecision {
    let points = raise_points(policy, pts);
    let raised = if source == LevelSource::Override { 0 } else { levels_raised(policy, base, points) };
    let base_name = &policy.levels[base].name;
    let level = &policy.levels[base - raised].name;
    let rule_name = rule.map(|r| policy.priority.rules[r].name.clone());
    let mut reason = match source {
        LevelSource::Override => format!("{base_name}, set by hand"),
        LevelSource::Rule => format!("rule `{}` gives {base_name}", rule_name.as_deref().unwrap_or("")),
        LevelSource::Matrix => matrix_reason(f.impact.unwrap_or_default(), f.urgency.unwrap_or_default(), base_name),
        LevelSource::Default => default_reason(base_name),
    };
    if raised > 0 {
        let w = &policy.priority.weights;
        let parts: Vec<String> = Strategy::ALL
            .iter()
            .filter(|s| s.raises_level() && pts.get(**s) * w.get(**s) != 0.0)
            .map(|s| format!("{} {}", s.as_str().replace('_', " "), super::engine::fmt_points(pts.get(*s) * w.get(*s))))
            .collect();
        let capped = raised == policy.priority.max_raise
            && policy.levels[..base - raised].iter().any(|l| policy.levels[base].base_score + points >= l.base_score);
        reason.push_str(&format!(
            "{RAISED}{}: {} points) raises it {} to {level}{}",
            parts.join(", "),
            super::engine::fmt_points(points),
            count_words(raised),
            if capped {
                format!(", the most the policy allows (max_raise {})", policy.priority.max_raise)
            } else {
                String::new()
            }
        ));
    }
    LevelDecision {
        base: base_name.clone(),
        source,
        rule: rule_name,
        raise_points: points,
        raised: raised as u32,
        level: level.clone(),
        reason,
    }
}
