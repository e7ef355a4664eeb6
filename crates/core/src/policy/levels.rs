//! Priority levels (`[[levels]]`), most urgent first, and the check of the
//! level names other sections give.

use super::file::LevelFile;
use super::validate::Errors;
use super::Level;
use std::collections::HashSet;
use toml::Spanned;

/// Checks the levels: at least one, each named once, each with a guideline,
/// base scores strictly decreasing.
pub(super) fn levels(errs: &mut Errors, raw: &Spanned<Vec<Spanned<LevelFile>>>) -> Vec<Level> {
    let levels_span = raw.span();
    let levels: Vec<Level> = raw
        .get_ref()
        .iter()
        .map(|l| {
            let l = l.get_ref();
            Level {
                name: l.name.get_ref().clone(),
                label: l.label.clone(),
                guideline: l.guideline.as_ref().map(|g| g.get_ref().trim().to_string()).unwrap_or_default(),
                base_score: *l.base_score.get_ref(),
            }
        })
        .collect();
    if levels.is_empty() {
        errs.at(
            levels_span,
            "no priority levels are declared",
            "add [[levels]] tables, most urgent first (P1, P2, ...)",
        );
    }
    errs.unique_names("level", raw.get_ref().iter().map(|l| &l.get_ref().name));
    let mut prev_score: Option<f64> = None;
    for l in raw.get_ref() {
        let l = l.get_ref();
        if l.guideline.as_ref().is_none_or(|g| g.get_ref().trim().is_empty()) {
            errs.at(
                l.name.span(),
                format!("level `{}` has no guideline text", l.name.get_ref()),
                "add `guideline = \"...\"` saying when agents should choose this level",
            );
        }
        let s = *l.base_score.get_ref();
        if !s.is_finite() || s < 0.0 {
            errs.at(l.base_score.span(), "base_score must be a number >= 0", "");
        } else if prev_score.is_some_and(|p| s >= p) {
            errs.at(
                l.base_score.span(),
                format!("level `{}` has a base_score not below the level before it", l.name.get_ref()),
                "levels are listed most urgent first, so base scores must strictly decrease",
            );
        }
        prev_score = Some(s);
    }
    levels
}

/// The declared level names, for checking the names other sections give.
pub(super) struct KnownLevels<'a> {
    names: HashSet<&'a str>,
    /// Every name, in order, for the hint.
    list: String,
}

impl<'a> KnownLevels<'a> {
    pub(super) fn new(levels: &'a [Level]) -> Self {
        KnownLevels {
            names: levels.iter().map(|l| l.name.as_str()).collect(),
            list: levels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", "),
        }
    }

    /// Reports `s` if it names no declared level; `ctx` says who names it.
    pub(super) fn check(&self, errs: &mut Errors, s: &Spanned<String>, ctx: &str) {
        if !self.names.contains(s.get_ref().as_str()) {
            errs.at(
                s.span(),
                format!("{ctx} names unknown level `{}`", s.get_ref()),
                format!("use one of: {}", self.list),
            );
        }
    }
}
