//! The priority engine: a ticket's facts, the policy and the time in; a level, a
//! score and the reasons out. Pure and reproducible: the same facts, policy version
//! and instant always give the same answer.
//!
//! [`points`] is the allocation-free hot path (queue ranking, re-scoring); [`decide`]
//! adds the explanation and uses the very same numbers.

use super::emotion::EmotionSignals;
use super::level::{base_level, decision, LevelDecision, LevelSource};
use super::ramp::Ramp;
use super::rules::{lookup, SurgeRule};
use super::strategy::{Strategy, Weights};
use super::{Contribution, Explanation, MatrixCell, Override, Priority};
use crate::policy::Policy;
use crate::ticket::CustomFields;
use chrono::{DateTime, Utc};

/// Everything about a ticket that its priority depends on.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub impact: Option<&'a str>,
    pub urgency: Option<&'a str>,
    pub category: Option<&'a str>,
    pub created_at: DateTime<Utc>,
    pub account_type: &'a str,
    pub vip: bool,
    pub customer_category: &'a str,
    pub persona: Option<&'a str>,
    pub annual_value: f64,
    pub seats: i64,
    /// The plan's name and priority boost (a contract override already applied).
    pub plan: Option<(&'a str, f64)>,
    pub emotion: &'a EmotionSignals,
    /// The classifier's urgency and its confidence (0-1), when there is one.
    pub ai_urgency: Option<(&'a str, f64)>,
    /// When the next SLA target is due.
    pub sla_due: Option<DateTime<Utc>>,
    pub custom_fields: &'a CustomFields,
}

/// Unweighted points per strategy (stored with each ticket, so the queue index can
/// weigh them again when surge mode switches the weights).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Points(pub [f64; Strategy::COUNT]);

impl Points {
    pub fn get(&self, s: Strategy) -> f64 {
        self.0[s.index()]
    }
    /// The score under `weights`.
    pub fn score(&self, weights: &Weights) -> f64 {
        self.0.iter().zip(weights.0.iter()).map(|(p, w)| p * w).sum()
    }
    /// The score without the strategies that move with time (age and SLA).
    pub fn static_score(&self, weights: &Weights) -> f64 {
        let mut total = 0.0;
        for (i, (p, w)) in self.0.iter().zip(weights.0.iter()).enumerate() {
            if i != Strategy::Age.index() && i != Strategy::Sla.index() {
                total += p * w;
            }
        }
        total
    }
}

fn custom_field_points(policy: &Policy, fields: &CustomFields) -> f64 {
    let mut total = 0.0;
    for rule in &policy.priority.custom_fields {
        let Some(v) = fields.get(&rule.field) else { continue };
        let p = match v {
            serde_json::Value::Number(n) => {
                let raw = n.as_f64().unwrap_or(0.0).max(0.0) * rule.per_unit.unwrap_or(0.0);
                rule.max.map_or(raw, |m| raw.min(m))
            }
            serde_json::Value::String(s) => lookup(&rule.values, s),
            serde_json::Value::Bool(true) => rule.when_true.unwrap_or(0.0),
            _ => 0.0,
        };
        total += p;
    }
    total
}

fn emotion_points(policy: &Policy, e: &EmotionSignals) -> f64 {
    let r = &policy.priority.emotion;
    let mut p: f64 = e.words.iter().map(|w| lookup(&r.words, w)).sum();
    if e.shouting {
        p += r.shouting;
    }
    if e.exclamations {
        p += r.exclamations;
    }
    if let Some(t) = &e.thread {
        if t.current.tone == crate::sentiment::Tone::Negative {
            p += r.negative * f64::from(t.current.strength);
        }
        if t.trend == crate::sentiment::Trend::Worsening {
            p += r.worsening;
        }
        p += r.follow_up * f64::from(t.follow_ups);
    }
    p.min(r.max)
}

/// Each strategy's unweighted points for these facts at `now`. No allocation.
pub fn points(policy: &Policy, f: &Facts, now: DateTime<Utc>) -> Points {
    points_from(policy, f, now, base_level(policy, f).0)
}

/// [`points`] for facts whose criteria gave the level at index `base`.
fn points_from(policy: &Policy, f: &Facts, now: DateTime<Utc>, base: usize) -> Points {
    let r = &policy.priority;
    let mut p = [0.0; Strategy::COUNT];
    p[Strategy::Severity.index()] = policy.levels[base].base_score;
    let c = &r.customer;
    p[Strategy::Customer.index()] = lookup(&c.account_type, f.account_type)
        + if f.vip { c.vip } else { 0.0 }
        + lookup(&c.customer_category, f.customer_category)
        + f.persona.map_or(0.0, |x| lookup(&c.persona, x));
    p[Strategy::Emotion.index()] = emotion_points(policy, f.emotion);
    let now_ms = now.timestamp_millis();
    p[Strategy::Age.index()] = Ramp::age(&r.age, f.created_at.timestamp_millis()).value(now_ms);
    p[Strategy::Category.index()] = f.category.map_or(0.0, |x| lookup(&r.category, x));
    p[Strategy::AiUrgency.index()] =
        f.ai_urgency.map_or(0.0, |(label, conf)| lookup(&r.ai_urgency, label) * conf.clamp(0.0, 1.0));
    p[Strategy::Plan.index()] = f.plan.map_or(0.0, |(_, boost)| boost.max(0.0));
    p[Strategy::Sla.index()] = Ramp::sla(&r.sla, f.sla_due.map(|d| d.timestamp_millis())).value(now_ms);
    p[Strategy::CustomFields.index()] = custom_field_points(policy, f.custom_fields);
    let b = &r.business_impact;
    let value =
        f.annual_value.max(0.0) / 10_000.0 * b.per_10k_annual_value + f.seats.max(0) as f64 / 100.0 * b.per_100_seats;
    p[Strategy::BusinessImpact.index()] = value.min(b.max);
    Points(p)
}

/// The score alone (queue ranking, re-scoring): no explanation, no allocation.
pub fn score(policy: &Policy, f: &Facts, now: DateTime<Utc>, surge: Option<&SurgeRule>) -> f64 {
    points(policy, f, now).score(&policy.priority.weights_for(surge))
}

/// The level these facts give (an override's, or the criteria's raised for who
/// the customer is): what the SLA targets are looked up by. Time plays no part.
pub fn level<'p>(policy: &'p Policy, f: &Facts, override_: Option<&str>) -> &'p str {
    if let Some(l) = override_.and_then(|o| policy.level(o)) {
        return &l.name;
    }
    let base = base_level(policy, f);
    let d = decision(policy, f, &points_from(policy, f, f.created_at, base.0), base);
    policy.level(&d.level).map_or(policy.default_level.as_str(), |l| l.name.as_str())
}

pub(crate) fn fmt_points(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

/// Why a strategy gave its points, in words (without the weight).
fn reason(policy: &Policy, s: Strategy, f: &Facts, now: DateTime<Utc>, level: &LevelDecision) -> String {
    let r = &policy.priority;
    match s {
        Strategy::Severity => level.reason.split(super::level::RAISED).next().unwrap_or_default().to_string(),
        Strategy::Customer => {
            let c = &r.customer;
            let mut parts = Vec::new();
            for (label, p) in [
                (format!("{} account", f.account_type), lookup(&c.account_type, f.account_type)),
                ("VIP".to_string(), if f.vip { c.vip } else { 0.0 }),
                (format!("{} customer", f.customer_category), lookup(&c.customer_category, f.customer_category)),
                (format!("persona {}", f.persona.unwrap_or("")), f.persona.map_or(0.0, |x| lookup(&c.persona, x))),
            ] {
                if p != 0.0 {
                    parts.push(format!("{label} +{}", fmt_points(p)));
                }
            }
            parts.join(", ")
        }
        Strategy::Emotion => {
            let mut parts: Vec<String> = f.emotion.words.iter().map(|w| format!("\"{w}\"")).collect();
            if f.emotion.shouting {
                parts.push("writing in capitals".into());
            }
            if f.emotion.exclamations {
                parts.push("exclamation marks".into());
            }
            let wrote =
                if parts.is_empty() { String::new() } else { format!("the customer wrote {}", parts.join(", ")) };
            match &f.emotion.thread {
                Some(t) if wrote.is_empty() => t.explanation.clone(),
                Some(t) => format!("{wrote}; {}", t.explanation),
                None => wrote,
            }
        }
        Strategy::Age => age_reason(f.created_at, now),
        Strategy::Category => format!("category {}", f.category.unwrap_or("")),
        Strategy::AiUrgency => {
            let (label, conf) = f.ai_urgency.unwrap_or(("", 0.0));
            format!("predicted urgency {label} ({:.0}% confident)", conf * 100.0)
        }
        Strategy::Plan => format!("{} plan", f.plan.map_or("", |(n, _)| n)),
        Strategy::Sla => sla_reason(f.sla_due, now),
        Strategy::CustomFields => "custom fields".to_string(),
        Strategy::BusinessImpact => format!("annual value {:.0}, {} seats", f.annual_value, f.seats),
    }
}

pub(crate) fn age_reason(created_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!("waiting {:.1} h", (now - created_at).num_seconds().max(0) as f64 / 3600.0)
}

pub(crate) fn sla_reason(due: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match due {
        Some(due) if due <= now => "SLA target breached".to_string(),
        Some(due) => format!("next SLA target due in {} min", (due - now).num_minutes()),
        None => String::new(),
    }
}

/// Level, score and explanation. The level comes from criteria (see
/// [`super::level`]); with `override_`, it is the agent's. The score is every
/// strategy's weighted points (an override's level's base score in place of
/// severity), so it orders the queue and adds up to its explanation.
pub fn decide(
    policy: &Policy,
    f: &Facts,
    now: DateTime<Utc>,
    surge: Option<&SurgeRule>,
    override_: Option<&Override>,
) -> Priority {
    decide_with_due(policy, f, now, surge, override_, |_| f.sla_due).0
}

/// [`decide`] for a ticket whose SLA due time depends on its level (the level
/// picks the targets, the targets the SLA points): `due_for(level)` is asked
/// with the level decided, and the score counts the due time it answers, which
/// is returned too. The facts are read once: time plays no part in the level.
pub fn decide_with_due(
    policy: &Policy,
    f: &Facts,
    now: DateTime<Utc>,
    surge: Option<&SurgeRule>,
    override_: Option<&Override>,
    due_for: impl FnOnce(&str) -> Option<DateTime<Utc>>,
) -> (Priority, Option<DateTime<Utc>>) {
    let over = override_.filter(|o| policy.level(&o.level).is_some());
    let base = base_level(policy, f);
    let mut pts = points_from(policy, f, now, base.0);
    let computed = decision(policy, f, &pts, base);
    let level = match over {
        Some(o) => {
            pts.0[Strategy::Severity.index()] = policy.level(&o.level).map_or(0.0, |l| l.base_score);
            LevelDecision {
                base: o.level.clone(),
                source: LevelSource::Override,
                rule: None,
                raised: 0,
                level: o.level.clone(),
                reason: format!("set to {} by {} (computed: {}): {}", o.level, o.by, computed.level, o.reason),
                ..computed
            }
        }
        None => computed,
    };
    let due = due_for(&level.level);
    if due != f.sla_due {
        let ramp = Ramp::sla(&policy.priority.sla, due.map(|d| d.timestamp_millis()));
        pts.0[Strategy::Sla.index()] = ramp.value(now.timestamp_millis());
    }
    let f = &Facts { sla_due: due, ..f.clone() };
    let weights = policy.priority.weights_for(surge);
    let mut contributions = Vec::with_capacity(Strategy::COUNT);
    for s in Strategy::ALL {
        let raw = pts.get(s);
        if raw == 0.0 && s != Strategy::Severity {
            continue;
        }
        let reason = if s == Strategy::Severity && over.is_some() {
            level.reason.clone()
        } else {
            reason(policy, s, f, now, &level)
        };
        let strategy = if s == Strategy::Severity && over.is_some() { "override" } else { s.as_str() };
        contributions.push(Contribution::weighted(strategy, raw, weights.get(s), reason));
    }
    let matrix_cell = match (f.impact, f.urgency) {
        (Some(i), Some(u)) => {
            policy.matrix_level(i, u).map(|l| MatrixCell { impact: i.into(), urgency: u.into(), level: l.into() })
        }
        _ => None,
    };
    let explanation = Explanation {
        contributions,
        matrix_cell,
        override_: over.cloned(),
        level: Some(level),
        surge: surge.map(|s| s.name.clone()),
    };
    let pr = Priority {
        level: explanation.level.as_ref().map(|l| l.level.clone()).unwrap_or_default(),
        score: explanation.score(),
        explanation,
        points: Some(pts),
        policy_version: policy.version.clone(),
    };
    (pr, due)
}
