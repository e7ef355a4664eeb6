//! `[categorization]`: confidence thresholds per predicted field and the map
//! from a model's labels to the policy's values.

use super::file::CategorizationFile;
use super::validate::Errors;
use super::Policy;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// How predictions are used on intake.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CategorizationDef {
    /// Below this confidence a prediction only suggests (targets without their own).
    pub default_threshold: f64,
    /// Per target (`category`, `urgency`, `impact`, an enum custom field).
    pub thresholds: BTreeMap<String, f64>,
    /// Per target: model label -> policy value.
    pub labels: BTreeMap<String, BTreeMap<String, String>>,
}

pub const DEFAULT_THRESHOLD: f64 = 0.6;

impl Default for CategorizationDef {
    fn default() -> Self {
        CategorizationDef { default_threshold: DEFAULT_THRESHOLD, thresholds: BTreeMap::new(), labels: BTreeMap::new() }
    }
}

impl CategorizationDef {
    pub fn threshold(&self, target: &str) -> f64 {
        self.thresholds.get(target).copied().unwrap_or(self.default_threshold)
    }
}

impl Policy {
    /// The values a predicted `target` may take: the categories, the matrix's
    /// impacts or urgencies, an enum custom field's values. `None`: not a field
    /// a model can fill.
    pub fn predictable_values(&self, target: &str) -> Option<Vec<String>> {
        predictable(target, &self.categories.iter().map(|c| c.name.clone()).collect::<Vec<_>>(), self)
    }

    /// The policy value for a model's `label` on `target`: mapped by
    /// `[categorization.labels]`, else the label itself when the policy knows it.
    pub fn policy_value(&self, target: &str, label: &str) -> Option<String> {
        let label = self.categorization.labels.get(target).and_then(|m| m.get(label)).map_or(label, |v| v.as_str());
        self.predictable_values(target)?.iter().find(|v| v.as_str() == label).cloned()
    }
}

fn predictable(target: &str, categories: &[String], p: &Policy) -> Option<Vec<String>> {
    match target {
        "category" => Some(categories.to_vec()),
        "impact" => Some(p.matrix.impact.clone()),
        "urgency" => Some(p.matrix.urgency.clone()),
        other => p
            .custom_fields
            .iter()
            .find(|f| f.name == other && f.kind == super::CustomFieldType::Enum)
            .map(|f| f.values.clone()),
    }
}

/// Checks `[categorization]` against the rest of the (otherwise built) policy.
pub(super) fn categorization(errs: &mut Errors, raw: Option<&CategorizationFile>, p: &Policy) -> CategorizationDef {
    let Some(raw) = raw else { return CategorizationDef::default() };
    let categories: Vec<String> = p.categories.iter().map(|c| c.name.clone()).collect();
    let targets = "category, urgency, impact or an enum custom field";
    let check_threshold = |errs: &mut Errors, t: &toml::Spanned<f64>, what: String| {
        let v = *t.get_ref();
        if !(v > 0.0 && v <= 1.0) {
            errs.at(t.span(), format!("{what} is {v}"), "a confidence between 0 (exclusive) and 1");
        }
        v
    };
    let default_threshold = raw
        .default_threshold
        .as_ref()
        .map_or(DEFAULT_THRESHOLD, |t| check_threshold(errs, t, "categorization.default_threshold".into()));
    let mut thresholds = BTreeMap::new();
    for (target, t) in &raw.thresholds {
        if predictable(target, &categories, p).is_none() {
            errs.at(t.span(), format!("categorization.thresholds names `{target}`, which no model can fill"), targets);
        }
        thresholds.insert(target.clone(), check_threshold(errs, t, format!("categorization.thresholds.{target}")));
    }
    let mut labels = BTreeMap::new();
    for (target, map) in &raw.labels {
        let values = predictable(target, &categories, p);
        let mut out = BTreeMap::new();
        for (label, v) in map {
            match &values {
                None => errs.at(
                    v.span(),
                    format!("categorization.labels names `{target}`, which no model can fill"),
                    targets,
                ),
                Some(values) if !values.contains(v.get_ref()) => errs.at(
                    v.span(),
                    format!("categorization.labels.{target} maps `{label}` to `{}`, not a {target} value", v.get_ref()),
                    format!("use one of: {}", values.join(", ")),
                ),
                Some(_) => {}
            }
            out.insert(label.clone(), v.get_ref().clone());
        }
        labels.insert(target.clone(), out);
    }
    CategorizationDef { default_threshold, thresholds, labels }
}
