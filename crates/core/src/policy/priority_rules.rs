//! Compiles the policy's `[priority]` table: every name must be one the policy
//! declares, every number a finite non-negative one, so that raising an input
//! can never lower a score.

use super::custom_field::{CustomFieldDef, CustomFieldType};
use super::file::{LevelRuleFile, PointsFile, PriorityFile};
use super::parse_duration;
use super::validate::Errors;
use super::{CategoryDef, Segments};
use crate::priority::{
    AgeRules, BusinessImpactRules, CustomFieldRule, CustomerRules, EmotionRules, LevelRule, PriorityRules, SlaRules,
    Strategy, SurgeRule, Weights,
};
use toml::Spanned;

pub(super) struct Known<'a> {
    pub segments: &'a Segments,
    pub levels: &'a [String],
    pub impact: &'a [String],
    pub urgency: &'a [String],
    pub plans: &'a [String],
    pub categories: &'a [CategoryDef],
    pub custom_fields: &'a [CustomFieldDef],
}

/// The most any points value, weight or cap may be: levels are tens of points
/// apart, so anything near this already outweighs everything else.
pub(super) const MAX_NUMBER: f64 = 1_000.0;

fn check_number(errs: &mut Errors, v: &Spanned<f64>, what: &str) -> f64 {
    let x = *v.get_ref();
    if !x.is_finite() || !(0.0..=MAX_NUMBER).contains(&x) {
        errs.at(
            v.span(),
            format!("{what} must be a number between 0 and {MAX_NUMBER}"),
            "points and weights only ever raise a priority; levels are tens of points apart",
        );
        return 0.0;
    }
    x
}

/// Checks a `name = points` table against the names the policy allows.
fn points(errs: &mut Errors, table: &PointsFile, allowed: &[&str], what: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for (k, v) in table {
        if !allowed.contains(&k.get_ref().as_str()) {
            errs.at(
                k.span(),
                format!("unknown {what} `{}`", k.get_ref()),
                format!("use one of: {}", allowed.join(", ")),
            );
            continue;
        }
        out.push((k.get_ref().clone(), check_number(errs, v, &format!("points for {what} `{}`", k.get_ref()))));
    }
    out
}

fn weights(errs: &mut Errors, table: &PointsFile, base: Weights) -> Weights {
    let mut w = base;
    let names: Vec<&str> = Strategy::ALL.iter().map(|s| s.as_str()).collect();
    for (k, v) in table {
        match Strategy::parse(k.get_ref()) {
            Some(s) => w.set(s, check_number(errs, v, &format!("weight of `{}`", k.get_ref()))),
            None => errs.at(
                k.span(),
                format!("unknown strategy `{}`", k.get_ref()),
                format!("use one of: {}", names.join(", ")),
            ),
        }
    }
    w
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

pub(super) fn compile(errs: &mut Errors, raw: Option<&PriorityFile>, known: Known) -> PriorityRules {
    let Some(raw) = raw else { return PriorityRules::default() };
    let seg = known.segments;
    let (accounts, cats, personas) = (refs(&seg.account_types), refs(&seg.customer_categories), refs(&seg.personas));
    let urg = refs(known.urgency);

    let mut rules = PriorityRules { weights: weights(errs, &raw.weights, Weights::default()), ..Default::default() };
    if let Some(m) = &raw.max_raise {
        match usize::try_from(*m.get_ref()) {
            Ok(n) if n < known.levels.len().max(1) => rules.max_raise = n,
            _ => errs.at(
                m.span(),
                format!("max_raise must be a whole number from 0 to {}", known.levels.len().saturating_sub(1)),
                "how many levels who the customer is may raise a ticket: 0 (never) or 1 are usual",
            ),
        }
    }
    if let Some(c) = &raw.customer {
        rules.customer = CustomerRules {
            account_type: points(errs, &c.account_type, &accounts, "account type"),
            vip: c.vip.as_ref().map_or(0.0, |v| check_number(errs, v, "vip")),
            customer_category: points(errs, &c.customer_category, &cats, "customer category"),
            persona: points(errs, &c.persona, &personas, "persona"),
        };
    }
    if let Some(e) = &raw.emotion {
        let words = e
            .words
            .iter()
            .map(|(k, v)| (k.get_ref().to_lowercase(), check_number(errs, v, &format!("points for `{}`", k.get_ref()))))
            .collect();
        rules.emotion = EmotionRules {
            words,
            shouting: e.shouting.max(0.0),
            exclamations: e.exclamations.max(0.0),
            negative: e.negative.max(0.0),
            worsening: e.worsening.max(0.0),
            follow_up: e.follow_up.max(0.0),
            max: check_number(errs, &e.max, "emotion.max"),
        };
    }
    if let Some(a) = &raw.age {
        rules.age = AgeRules {
            points_per_hour: check_number(errs, &a.points_per_hour, "age.points_per_hour"),
            max: check_number(errs, &a.max, "age.max"),
        };
    }
    let cat_names: Vec<&str> = known.categories.iter().map(|c| c.name.as_str()).collect();
    rules.category = points(errs, &raw.category, &cat_names, "category");
    rules.ai_urgency = points(errs, &raw.ai_urgency, &urg, "urgency");
    if let Some(s) = &raw.sla {
        let horizon = match parse_duration(s.horizon.get_ref()) {
            Ok(x) => x,
            Err(e) => {
                errs.at(s.horizon.span(), format!("invalid duration {e}"), "write durations like 30m, 4h or 1d");
                0
            }
        };
        rules.sla = SlaRules { horizon_seconds: horizon, max: check_number(errs, &s.max, "sla.max") };
    }
    for (name, r) in &raw.custom_fields {
        let Some(def) = known.custom_fields.iter().find(|d| &d.name == name.get_ref()) else {
            let declared: Vec<&str> = known.custom_fields.iter().map(|d| d.name.as_str()).collect();
            errs.at(
                name.span(),
                format!("custom field `{}` is not declared", name.get_ref()),
                format!("declare it in [[custom_fields]] or use one of: {}", declared.join(", ")),
            );
            continue;
        };
        let fits = match def.kind {
            CustomFieldType::Int | CustomFieldType::Float => {
                r.values.is_empty() && r.when_true.is_none() && r.per_unit.is_some()
            }
            CustomFieldType::Enum | CustomFieldType::String => {
                r.per_unit.is_none() && r.when_true.is_none() && !r.values.is_empty()
            }
            CustomFieldType::Bool => r.per_unit.is_none() && r.values.is_empty() && r.when_true.is_some(),
        };
        if !fits {
            errs.at(
                name.span(),
                format!("the rule for `{}` does not fit its type", name.get_ref()),
                "numbers take per_unit (and max); enums and strings take values = { ... }; bools take when_true",
            );
            continue;
        }
        for v in r.values.keys() {
            if def.kind == CustomFieldType::Enum && !def.values.contains(v) {
                errs.at(
                    name.span(),
                    format!("`{v}` is not a value of `{}`", def.name),
                    format!("use one of: {}", def.values.join(", ")),
                );
            }
        }
        let negative = r.per_unit.is_some_and(|x| x < 0.0)
            || r.max.is_some_and(|x| x < 0.0)
            || r.when_true.is_some_and(|x| x < 0.0)
            || r.values.values().any(|x| *x < 0.0);
        if negative {
            errs.at(name.span(), "custom field points must be >= 0", "points only ever raise a priority");
        }
        rules.custom_fields.push(CustomFieldRule {
            field: def.name.clone(),
            per_unit: r.per_unit,
            max: r.max,
            values: r.values.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            when_true: r.when_true,
        });
    }
    if let Some(b) = &raw.business_impact {
        rules.business_impact = BusinessImpactRules {
            per_10k_annual_value: b.per_10k_annual_value.max(0.0),
            per_100_seats: b.per_100_seats.max(0.0),
            max: check_number(errs, &b.max, "business_impact.max"),
        };
    }
    for s in &raw.surge {
        if s.open_backlog_above.is_none() && s.arrivals_per_hour_above.is_none() {
            errs.at(
                s.name.span(),
                format!("surge rule `{}` has no condition", s.name.get_ref()),
                "add open_backlog_above = N or arrivals_per_hour_above = N",
            );
        }
        rules.surge.push(SurgeRule {
            name: s.name.get_ref().clone(),
            open_backlog_above: s.open_backlog_above,
            arrivals_per_hour_above: s.arrivals_per_hour_above,
            weights: weights(errs, &s.weights, Weights::default()),
        });
    }
    let compiled: Vec<LevelRule> = raw.rules.iter().map(|r| level_rule(errs, r, &known)).collect();
    rules.rules = compiled;
    rules
}

/// Checks one `[[priority.rules]]` entry: a known level, names the policy
/// declares, at least one condition, custom field values of the field's type.
fn level_rule(errs: &mut Errors, r: &Spanned<LevelRuleFile>, known: &Known) -> LevelRule {
    let f = r.get_ref();
    let name = f.name.get_ref();
    let mut list = |values: &[Spanned<String>], allowed: &[&str], what: &str| -> Vec<String> {
        let mut out = Vec::new();
        for v in values {
            if allowed.contains(&v.get_ref().as_str()) {
                out.push(v.get_ref().clone());
            } else {
                errs.at(
                    v.span(),
                    format!("rule `{name}` names unknown {what} `{}`", v.get_ref()),
                    format!("use one of: {}", allowed.join(", ")),
                );
            }
        }
        out
    };
    let seg = known.segments;
    let cats: Vec<&str> = known.categories.iter().map(|c| c.name.as_str()).collect();
    let signals: Vec<&str> = crate::sentiment::SIGNAL_KINDS.to_vec();
    let mut rule = LevelRule {
        name: name.clone(),
        description: f.description.clone(),
        level: f.level.get_ref().clone(),
        categories: list(&f.categories, &cats, "category"),
        impacts: list(&f.impacts, &refs(known.impact), "impact"),
        urgencies: list(&f.urgencies, &refs(known.urgency), "urgency"),
        account_types: list(&f.account_types, &refs(&seg.account_types), "account type"),
        vip: f.vip,
        customer_categories: list(&f.customer_categories, &refs(&seg.customer_categories), "customer category"),
        personas: list(&f.personas, &refs(&seg.personas), "persona"),
        plans: list(&f.plans, &refs(known.plans), "plan"),
        words: f.words.iter().map(|w| w.get_ref().to_lowercase()).collect(),
        signals: list(&f.signals, &signals, "signal"),
        custom_fields: Default::default(),
    };
    if !known.levels.contains(f.level.get_ref()) {
        errs.at(
            f.level.span(),
            format!("rule `{name}` sets unknown level `{}`", f.level.get_ref()),
            format!("use one of: {}", known.levels.join(", ")),
        );
    }
    for (field, value) in &f.custom_fields {
        let Some(def) = known.custom_fields.iter().find(|d| &d.name == field.get_ref()) else {
            errs.at(field.span(), format!("rule `{name}`: custom field `{}` is not declared", field.get_ref()), "");
            continue;
        };
        let json = match value.get_ref() {
            toml::Value::Boolean(b) if def.kind == CustomFieldType::Bool => Some(serde_json::json!(b)),
            toml::Value::Integer(i) if def.kind == CustomFieldType::Int => Some(serde_json::json!(i)),
            toml::Value::Integer(i) if def.kind == CustomFieldType::Float => Some(serde_json::json!(*i as f64)),
            toml::Value::Float(x) if def.kind == CustomFieldType::Float => Some(serde_json::json!(x)),
            toml::Value::String(v) if def.kind == CustomFieldType::String => Some(serde_json::json!(v)),
            toml::Value::String(v) if def.kind == CustomFieldType::Enum && def.values.contains(v) => {
                Some(serde_json::json!(v))
            }
            _ => None,
        };
        match json {
            Some(v) => {
                rule.custom_fields.insert(def.name.clone(), v);
            }
            None => errs.at(
                value.span(),
                format!("rule `{name}`: `{}` is not a value of custom field `{}`", value.get_ref(), def.name),
                match def.kind {
                    CustomFieldType::Enum => format!("use one of: {}", def.values.join(", ")),
                    _ => format!("give a value of type {:?}", def.kind).to_lowercase(),
                },
            ),
        }
    }
    let no_condition = f.categories.is_empty()
        && f.impacts.is_empty()
        && f.urgencies.is_empty()
        && f.account_types.is_empty()
        && f.vip.is_none()
        && f.customer_categories.is_empty()
        && f.personas.is_empty()
        && f.plans.is_empty()
        && f.words.is_empty()
        && f.signals.is_empty()
        && f.custom_fields.is_empty();
    if no_condition {
        errs.at(
            f.name.span(),
            format!("rule `{name}` has no condition, so it would set {} on every ticket", f.level.get_ref()),
            "add a condition (categories, vip, signals, custom_fields, ...) or use default_level",
        );
    }
    rule
}
