//! The policy linter: rules that are each valid alone but wrong together.
//! Errors stop the policy from loading; warnings are shown by `triage policy check`.

use super::file::PolicyFile;
use super::validate::Errors;
use super::Policy;
use crate::priority::Strategy;
use std::collections::hash_map::{Entry, HashMap};
use toml::Spanned;

pub(super) fn check(raw: &PolicyFile, p: &Policy, errs: &mut Errors) {
    sla_targets_follow_priority(raw, p, errs);
    every_level_is_reachable(raw, p, errs);
    raise_is_bounded(raw, p, errs);
    surge_rules_are_unambiguous(raw, errs);
    escalation_words_are_unambiguous(raw, errs);
    categories_are_distinct(raw, errs);
    views_are_distinct(raw, errs);
    strategies_matter(raw, p, errs);
}

/// A category name folded to what a person (or an import, or a classifier label)
/// would take for the same thing: case, spaces, `-` and `_` ignored.
fn folded(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// `top_up` and `Top-Up` are one request type to a person: two categories that
/// differ only so overlap, and tickets would be split between them at random.
fn categories_are_distinct(raw: &PolicyFile, errs: &mut Errors) {
    // By folded name, the first of each: one pass, however many categories.
    let mut first: HashMap<String, &Spanned<String>> = HashMap::new();
    for c in &raw.categories {
        let n = &c.get_ref().name;
        match first.entry(folded(n.get_ref())) {
            Entry::Vacant(e) => {
                e.insert(n);
            }
            Entry::Occupied(e) if e.get().get_ref() != n.get_ref() => errs.at(
                n.span(),
                format!(
                    "category `{}` overlaps category `{}`: they differ only in case or punctuation, so a ticket fits both",
                    n.get_ref(),
                    e.get().get_ref()
                ),
                "merge them into one category, or name them for what sets them apart",
            ),
            Entry::Occupied(_) => {}
        }
    }
}

/// Two views with the same filter show the same tickets under two names: agents
/// picking from one do not know the other is the same queue.
fn views_are_distinct(raw: &PolicyFile, errs: &mut Errors) {
    let key = |v: &super::file::ViewFile| {
        let mut c: Vec<String> = v.categories.iter().map(|x| x.get_ref().clone()).collect();
        c.sort();
        let mut l: Vec<String> = v.levels.iter().map(|x| x.get_ref().clone()).collect();
        l.sort();
        (c, l, v.tag.as_ref().map(|t| t.to_lowercase()), v.unassigned)
    };
    let mut first: HashMap<_, &Spanned<super::file::ViewFile>> = HashMap::new();
    for v in &raw.views {
        match first.entry(key(v.get_ref())) {
            Entry::Vacant(e) => {
                e.insert(v);
            }
            Entry::Occupied(e) => errs.at(
                v.span(),
                format!(
                    "view `{}` shows exactly the tickets of view `{}` (same categories, levels, tag and assignment)",
                    v.get_ref().name.get_ref(),
                    e.get().get_ref().name.get_ref()
                ),
                "remove one, or change its filter",
            ),
        }
    }
}

/// Words match case-insensitively: `Cancel = 6` and `cancel = 10` would match the
/// same text with two different point values.
fn escalation_words_are_unambiguous(raw: &PolicyFile, errs: &mut Errors) {
    let Some(pr) = &raw.priority else { return };
    let Some(e) = &pr.get_ref().emotion else { return };
    let mut first: HashMap<String, &Spanned<String>> = HashMap::new();
    for w in e.words.keys() {
        match first.entry(w.get_ref().to_lowercase()) {
            Entry::Vacant(e) => {
                e.insert(w);
            }
            Entry::Occupied(e) => errs.at(
                w.span(),
                format!(
                    "escalation word `{}` is listed again as `{}`: words match regardless of case",
                    e.get().get_ref(),
                    w.get_ref()
                ),
                "keep one of them",
            ),
        }
    }
}

/// A more urgent level must never get a longer target than a less urgent one.
fn sla_targets_follow_priority(raw: &PolicyFile, p: &Policy, errs: &mut Errors) {
    for sp in &raw.sla_policies {
        let sp = sp.get_ref();
        for kind in ["first_response", "next_reply", "resolution"] {
            let mut prev: Option<(&str, i64)> = None;
            for level in &p.levels {
                let Some((name, t)) = sp.targets.iter().find(|(k, _)| k.get_ref() == &level.name) else { continue };
                let t = t.get_ref();
                let field = match kind {
                    "first_response" => &t.first_response,
                    "next_reply" => &t.next_reply,
                    _ => &t.resolution,
                };
                let Some(field) = field else { continue };
                let Ok(secs) = super::parse_duration(field.get_ref()) else { continue };
                if let Some((prev_level, prev_secs)) = prev {
                    if secs < prev_secs {
                        errs.at(
                            field.span(),
                            format!(
                                "SLA policy `{}`: {kind} for {} ({}) is shorter than for the more urgent {prev_level}",
                                sp.name.get_ref(),
                                name.get_ref(),
                                field.get_ref()
                            ),
                            format!("give {prev_level} a target at most as long as {}'s", name.get_ref()),
                        );
                    }
                }
                prev = Some((level.name.as_str(), secs));
            }
        }
    }
}

/// The most points each strategy can add (None: unbounded).
fn max_points(p: &Policy, s: Strategy) -> Option<f64> {
    let r = &p.priority;
    let top = |v: &[(String, f64)]| v.iter().map(|(_, x)| *x).fold(0.0, f64::max);
    Some(match s {
        Strategy::Severity => p.levels.iter().map(|l| l.base_score).fold(0.0, f64::max),
        Strategy::Customer => {
            top(&r.customer.account_type)
                + r.customer.vip
                + top(&r.customer.customer_category)
                + top(&r.customer.persona)
        }
        Strategy::Emotion => r.emotion.max,
        Strategy::Age => r.age.max,
        Strategy::Category => top(&r.category),
        Strategy::AiUrgency => top(&r.ai_urgency),
        Strategy::Plan => p.plans.iter().map(|x| x.priority_boost).fold(0.0, f64::max),
        Strategy::Sla => r.sla.max,
        Strategy::CustomFields => {
            let mut total = 0.0;
            for c in &r.custom_fields {
                total += match (c.per_unit, c.max) {
                    (Some(_), None) => return None,
                    (Some(_), Some(m)) => m,
                    _ => top(&c.values) + c.when_true.unwrap_or(0.0),
                };
            }
            total
        }
        Strategy::BusinessImpact => r.business_impact.max,
    })
}

/// A level comes from a matrix cell, a rule or the default level, raised by at
/// most `max_raise` for who the customer is (or an agent's override). A level
/// none of those gives can never be chosen automatically.
/// The levels a ticket can start from: matrix cells, rules, the default level.
fn base_levels(p: &Policy) -> Vec<usize> {
    let idx = |name: &str| p.levels.iter().position(|l| l.name == name);
    let mut bases: Vec<usize> = p.matrix.cells.iter().flatten().filter_map(|c| idx(c)).collect();
    bases.extend(idx(&p.default_level));
    bases.extend(p.priority.rules.iter().filter_map(|r| idx(&r.level)));
    bases.sort();
    bases.dedup();
    bases
}

fn every_level_is_reachable(raw: &PolicyFile, p: &Policy, errs: &mut Errors) {
    let bases = base_levels(p);
    let most = raise_ceiling(p);
    let reachable = |i: usize| {
        bases
            .iter()
            .any(|&b| b == i || (b > i && most.is_none_or(|m| super::super::priority::levels_raised(p, b, m) >= b - i)))
    };
    for (i, level) in p.levels.iter().enumerate() {
        if reachable(i) {
            continue;
        }
        let span = raw.levels.get_ref().get(i).map_or(0..0, |l| l.get_ref().name.span());
        errs.at(
            span,
            format!(
                "level `{}` can never be reached: no matrix cell, rule or default level gives it, nor a raise for who the customer is",
                level.name
            ),
            "map a matrix cell to it, add a [[priority.rules]] entry that sets it, or remove the level",
        );
    }
}

/// The most points who the customer is can add at the normal weights (None:
/// unbounded, a numeric custom field without a max).
fn raise_ceiling(p: &Policy) -> Option<f64> {
    Strategy::ALL
        .iter()
        .filter(|s| s.raises_level())
        .map(|s| max_points(p, *s).map(|m| m * p.priority.weights.get(*s)))
        .sum()
}

/// Who the customer is may raise a level by at most `max_raise`: the weights
/// must not be able to add more points than that many levels apart (the clamp
/// at run time is a safety net, not the policy).
fn raise_is_bounded(raw: &PolicyFile, p: &Policy, errs: &mut Errors) {
    let Some(pr) = &raw.priority else { return };
    let span = pr.get_ref().max_raise.as_ref().map_or(pr.span(), |m| m.span());
    let max = p.priority.max_raise;
    let parts: Vec<String> = Strategy::ALL
        .iter()
        .filter(|s| s.raises_level())
        .map(|s| match max_points(p, *s) {
            Some(m) => format!("{} {}", s.as_str(), m * p.priority.weights.get(*s)),
            None => format!("{} unbounded", s.as_str()),
        })
        .collect();
    let Some(ceiling) = raise_ceiling(p) else {
        errs.at(
            span,
            "who the customer is could raise a level without bound: a numeric custom field rule has no max",
            "give every per_unit custom field rule under [priority.custom_fields] a max",
        );
        return;
    };
    for i in base_levels(p).into_iter().filter(|i| *i > max) {
        let (level, target) = (&p.levels[i], &p.levels[i - max - 1]);
        if level.base_score + ceiling >= target.base_score {
            errs.at(
                span,
                format!(
                    "who the customer is can add up to {ceiling} points ({}), enough to raise {} to {}: more than max_raise = {max} level{}",
                    parts.join(", "),
                    level.name,
                    target.name,
                    if max == 1 { "" } else { "s" }
                ),
                format!(
                    "keep those strategies' most points (times their weights) under {}, or raise max_raise",
                    target.base_score - level.base_score
                ),
            );
            return;
        }
    }
}

/// Two surge rules that apply at exactly the same volume but weigh differently.
fn surge_rules_are_unambiguous(raw: &PolicyFile, errs: &mut Errors) {
    let Some(pr) = &raw.priority else { return };
    let mut first: HashMap<_, &super::file::SurgeFile> = HashMap::new();
    for a in &pr.get_ref().surge {
        let at = (a.open_backlog_above, a.arrivals_per_hour_above);
        match first.entry(at) {
            Entry::Vacant(e) => {
                e.insert(a);
            }
            Entry::Occupied(b) => errs.at(
                a.name.span(),
                format!(
                    "surge rules `{}` and `{}` switch on at the same volume: which weights apply is ambiguous",
                    b.get().name.get_ref(),
                    a.name.get_ref()
                ),
                "give one of them a different threshold or merge them",
            ),
        }
    }
}

/// Strategies that are switched off or have nothing to add.
fn strategies_matter(raw: &PolicyFile, p: &Policy, errs: &mut Errors) {
    let Some(pr) = &raw.priority else { return };
    let span_of =
        |s: Strategy| pr.get_ref().weights.keys().find(|k| k.get_ref() == s.as_str()).map_or(pr.span(), |k| k.span());
    for s in Strategy::ALL {
        let w = p.priority.weights.get(s);
        if w == 0.0 {
            errs.warn(span_of(s), format!("strategy `{}` is off (weight 0)", s.as_str()), "");
        } else if s != Strategy::Severity && s != Strategy::Plan && max_points(p, s) == Some(0.0) {
            errs.warn(
                span_of(s),
                format!("strategy `{}` has weight {w} but no rules, so it never adds points", s.as_str()),
                format!("add points under [priority.{}] or set its weight to 0", s.as_str()),
            );
        }
    }
}
