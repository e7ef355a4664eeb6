//! Turns a policy file into a [`Policy`], collecting every error with its place.
//! Each section is checked by its own module, in an order where a section may
//! name what the sections before it declare.

use super::error::{Lines, PolicyError, PolicyErrors};
use super::file::PolicyFile;
use super::levels::KnownLevels;
use super::*;
use std::collections::HashSet;
use std::ops::Range;
use toml::Spanned;

/// The errors and warnings found so far, each placed by line and column in `file`.
pub(super) struct Errors<'a> {
    file: &'a str,
    lines: Lines,
    list: Vec<PolicyError>,
    warnings: Vec<PolicyError>,
}

impl Errors<'_> {
    /// A finding that does not stop the policy from loading.
    pub(super) fn warn(&mut self, span: Range<usize>, message: impl Into<String>, hint: impl Into<String>) {
        self.at(span, message, hint);
        let w = self.list.pop().expect("just pushed");
        self.warnings.push(w);
    }

    pub(super) fn at(&mut self, span: Range<usize>, message: impl Into<String>, hint: impl Into<String>) {
        let (line, column) = self.lines.line_col(span.start);
        let hint = hint.into();
        self.list.push(PolicyError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
            hint: (!hint.is_empty()).then_some(hint),
        });
    }

    /// Reports names that are empty or appear twice in one list.
    pub(super) fn unique_names<'n>(&mut self, what: &str, names: impl Iterator<Item = &'n Spanned<String>>) {
        let mut seen = HashSet::new();
        for n in names {
            if n.get_ref().trim().is_empty() {
                self.at(n.span(), format!("{what} name is empty"), format!("give every {what} a name"));
            } else if !seen.insert(n.get_ref().clone()) {
                self.at(
                    n.span(),
                    format!("{what} `{}` is declared twice", n.get_ref()),
                    format!("{what} names must be unique; rename or remove one"),
                );
            }
        }
    }

    /// Reports values that appear twice in one list.
    pub(super) fn unique_values(&mut self, what: &str, list: &Spanned<Vec<String>>) {
        let mut seen = HashSet::new();
        for v in list.get_ref() {
            if !seen.insert(v) {
                self.at(list.span(), format!("{what} `{v}` is listed twice"), "list each value once");
            }
        }
    }
}

/// Parses `text` and checks it section by section; errors come sorted by place.
pub(super) fn compile(file: &str, text: &str) -> Result<Policy, PolicyErrors> {
    let mut errs = Errors { file, lines: Lines::new(text), list: Vec::new(), warnings: Vec::new() };
    let raw: PolicyFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            errs.at(span, e.message().trim().to_string(), parse_hint(e.message()));
            return Err(PolicyErrors(errs.list));
        }
    };

    let levels = super::levels::levels(&mut errs, &raw.levels);
    let known_levels = KnownLevels::new(&levels);
    known_levels.check(&mut errs, &raw.default_level, "default_level");
    let level_names: Vec<String> = levels.iter().map(|l| l.name.clone()).collect();
    let matrix = super::matrix::matrix(&mut errs, raw.matrix.get_ref(), &known_levels);
    let segments = super::segments::segments(&mut errs, &raw.segments);
    let calendars = super::calendars::calendars(&mut errs, &raw.calendars);
    let sla_policies = super::sla_policies::sla_policies(&mut errs, &raw.sla_policies, &known_levels, &calendars);
    let plans = super::plans::plans(&mut errs, &raw.plans, &sla_policies);
    let categories = super::categories::categories(&mut errs, &raw.categories);
    let custom_fields = super::custom_field::custom_fields(&mut errs, &raw.custom_fields);
    let priority = super::priority_rules::compile(
        &mut errs,
        raw.priority.as_ref().map(|p| p.get_ref()),
        super::priority_rules::Known {
            segments: &segments,
            levels: &level_names,
            impact: &matrix.impact,
            urgency: &matrix.urgency,
            plans: &plans.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
            categories: &categories,
            custom_fields: &custom_fields,
        },
    );
    let views = super::views::views(&mut errs, &raw.views, &categories, &known_levels);
    let escalations = super::escalation::escalations(
        &mut errs,
        &raw.escalations,
        super::escalation::Known {
            levels: &level_names,
            sla_policies: &sla_policies.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
            teams: &super::categories::teams_routed_to(&categories),
        },
    );
    let messages = super::escalation::messages(&mut errs, raw.messages.as_ref());
    let teams = super::teams::teams(&mut errs, &raw.teams, &raw.categories);
    let routing = super::teams::routing(&mut errs, raw.routing.as_ref(), &level_names);
    let customers = super::customers::customers(&mut errs, raw.customers.as_ref());
    let mut policy = Policy {
        name: raw.name.clone(),
        version: raw.version.get_ref().clone(),
        currency: raw.currency.clone(),
        levels,
        default_level: raw.default_level.get_ref().clone(),
        matrix,
        segments,
        plans,
        calendars,
        sla_policies,
        categories,
        custom_fields,
        priority,
        views,
        escalations,
        messages,
        teams,
        routing,
        categorization: Default::default(),
        customers,
        warnings: Vec::new(),
    };
    policy.categorization = super::categorization::categorization(&mut errs, raw.categorization.as_ref(), &policy);
    if errs.list.is_empty() {
        super::lint::check(&raw, &policy, &mut errs);
    }
    if !errs.list.is_empty() {
        errs.list.sort_by_key(|e| (e.line, e.column));
        return Err(PolicyErrors(errs.list));
    }
    errs.warnings.sort_by_key(|e| (e.line, e.column));
    policy.warnings = errs.warnings;
    Ok(policy)
}

fn parse_hint(message: &str) -> String {
    if message.contains("unknown field") {
        "remove the field or check its spelling against the policy reference in the README".into()
    } else if message.contains("missing field") {
        "add the missing field".into()
    } else {
        "check the TOML syntax at this place".into()
    }
}
