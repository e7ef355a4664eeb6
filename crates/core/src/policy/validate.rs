//! Turns a policy file into a [`Policy`], collecting every error with its place.

use super::custom_field::{CustomFieldDef, CustomFieldType};
use super::error::{Lines, PolicyError, PolicyErrors};
use super::file::PolicyFile;
use super::*;
use std::collections::HashSet;
use std::ops::Range;
use toml::Spanned;

/// The longest SLA target a policy may set: a year.
const MAX_TARGET_SECONDS: i64 = 365 * 86_400;
/// The longest holiday range a calendar may have: a calendar must keep
/// business time for its clocks to run in.
const MAX_HOLIDAY_DAYS: i64 = 31;

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

    fn unique_values(&mut self, what: &str, list: &Spanned<Vec<String>>) {
        let mut seen = HashSet::new();
        for v in list.get_ref() {
            if !seen.insert(v) {
                self.at(list.span(), format!("{what} `{v}` is listed twice"), "list each value once");
            }
        }
    }
}

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

    // Levels.
    let levels_span = raw.levels.span();
    let levels: Vec<Level> = raw
        .levels
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
    errs.unique_names("level", raw.levels.get_ref().iter().map(|l| &l.get_ref().name));
    let mut prev_score: Option<f64> = None;
    for l in raw.levels.get_ref() {
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
    let level_names: HashSet<&str> = levels.iter().map(|l| l.name.as_str()).collect();
    let level_list = levels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ");
    let check_level = |errs: &mut Errors, s: &Spanned<String>, ctx: &str| {
        if !level_names.contains(s.get_ref().as_str()) {
            errs.at(
                s.span(),
                format!("{ctx} names unknown level `{}`", s.get_ref()),
                format!("use one of: {level_list}"),
            );
        }
    };
    check_level(&mut errs, &raw.default_level, "default_level");

    // Matrix.
    let m = raw.matrix.get_ref();
    errs.unique_values("impact", &m.impact);
    errs.unique_values("urgency", &m.urgency);
    let rows = m.cells.get_ref();
    if rows.len() != m.impact.get_ref().len() {
        errs.at(
            m.cells.span(),
            format!("matrix has {} rows of cells but {} impact values", rows.len(), m.impact.get_ref().len()),
            "write one row per impact value, in the same order",
        );
    }
    for (i, row) in rows.iter().enumerate() {
        if row.get_ref().len() != m.urgency.get_ref().len() {
            errs.at(
                row.span(),
                format!(
                    "matrix row {} has {} cells but there are {} urgency values",
                    i + 1,
                    row.get_ref().len(),
                    m.urgency.get_ref().len()
                ),
                "write one cell per urgency value, in the same order",
            );
        }
        for cell in row.get_ref() {
            check_level(&mut errs, cell, "matrix cell");
        }
    }
    let matrix = Matrix {
        impact: m.impact.get_ref().clone(),
        urgency: m.urgency.get_ref().clone(),
        cells: rows.iter().map(|r| r.get_ref().iter().map(|c| c.get_ref().clone()).collect()).collect(),
    };

    // Segments.
    let s = &raw.segments;
    for (what, list) in [("account type", &s.account_types), ("customer category", &s.customer_categories)] {
        errs.unique_values(what, list);
    }
    if let Some(p) = &s.personas {
        errs.unique_values("persona", p);
    }
    if s.account_types.get_ref().is_empty() {
        errs.at(
            s.account_types.span(),
            "no account types are declared",
            "e.g. account_types = [\"free\", \"pro\", \"enterprise\"]",
        );
    }
    if s.customer_categories.get_ref().is_empty() {
        errs.at(
            s.customer_categories.span(),
            "no customer categories are declared",
            "e.g. customer_categories = [\"new\", \"standard\"]",
        );
    }
    let segments = Segments {
        account_types: s.account_types.get_ref().clone(),
        customer_categories: s.customer_categories.get_ref().clone(),
        personas: s.personas.as_ref().map(|p| p.get_ref().clone()).unwrap_or_default(),
    };

    // Business calendars.
    errs.unique_names("calendar", raw.calendars.iter().map(|c| &c.get_ref().name));
    let mut calendars = Vec::new();
    for c in &raw.calendars {
        let c = c.get_ref();
        let tz = match c.timezone.get_ref().parse::<chrono_tz::Tz>() {
            Ok(tz) => tz,
            Err(_) => {
                errs.at(
                    c.timezone.span(),
                    format!("calendar `{}`: `{}` is not an IANA time zone", c.name.get_ref(), c.timezone.get_ref()),
                    "write a zone like Europe/Berlin, America/New_York or UTC",
                );
                chrono_tz::Tz::UTC
            }
        };
        let mut week = crate::sla::Weekly::default();
        let mut hours_ok = true;
        for h in &c.hours {
            if let Err(e) = crate::sla::parse_hours(h.get_ref(), &mut week) {
                hours_ok = false;
                errs.at(h.span(), format!("calendar `{}`: {e}", c.name.get_ref()), "e.g. \"mon-fri 09:00-17:00\"");
            }
        }
        let mut holidays = Vec::new();
        for h in &c.holidays {
            match crate::sla::parse_holiday(h.get_ref()) {
                // A calendar closed for long has no business time for a clock
                // to run in: tickets would get no due time and no promise.
                Ok(x) if (x.last - x.first).num_days() >= MAX_HOLIDAY_DAYS => errs.at(
                    h.span(),
                    format!(
                        "calendar `{}`: `{}` closes the calendar for {} days; a holiday range spans at most {MAX_HOLIDAY_DAYS}",
                        c.name.get_ref(),
                        h.get_ref(),
                        (x.last - x.first).num_days() + 1
                    ),
                    "split a long closure into the days it really is closed, or change the calendar's hours",
                ),
                Ok(x) => holidays.push(x),
                Err(e) => errs.at(h.span(), format!("calendar `{}`: {e}", c.name.get_ref()), ""),
            }
        }
        let week = (!c.hours.is_empty()).then_some(week);
        let compiled = match crate::sla::Calendar::new(tz, week, holidays) {
            Ok(cal) => cal,
            Err(e) => {
                if hours_ok {
                    errs.at(c.name.span(), format!("calendar `{}`: {e}", c.name.get_ref()), "");
                }
                crate::sla::Calendar::always()
            }
        };
        calendars.push(CalendarDef {
            name: c.name.get_ref().clone(),
            description: c.description.clone(),
            timezone: c.timezone.get_ref().clone(),
            hours: c.hours.iter().map(|h| h.get_ref().clone()).collect(),
            holidays: c.holidays.iter().map(|h| h.get_ref().clone()).collect(),
            compiled,
        });
    }

    // SLA policies.
    errs.unique_names("SLA policy", raw.sla_policies.iter().map(|p| &p.get_ref().name));
    let mut sla_policies = Vec::new();
    for p in &raw.sla_policies {
        let p = p.get_ref();
        let mut targets = BTreeMap::new();
        for (level, t) in &p.targets {
            check_level(&mut errs, level, &format!("SLA policy `{}`", p.name.get_ref()));
            let mut dur = |d: &Option<Spanned<String>>| -> Option<i64> {
                let d = d.as_ref()?;
                match parse_duration(d.get_ref()) {
                    // A target beyond a year is a typo, and so long no clock
                    // would show it: the ticket would seem to have no SLA.
                    Ok(s) if s > MAX_TARGET_SECONDS => {
                        errs.at(
                            d.span(),
                            format!("target `{}` is longer than a year", d.get_ref()),
                            "write at most 365d",
                        );
                        None
                    }
                    Ok(s) => Some(s),
                    Err(e) => {
                        errs.at(d.span(), format!("invalid duration {e}"), "write durations like 30m, 4h, 2d or 1h30m");
                        None
                    }
                }
            };
            let t = t.get_ref();
            targets.insert(
                level.get_ref().clone(),
                SlaTargets {
                    first_response: dur(&t.first_response),
                    next_reply: dur(&t.next_reply),
                    resolution: dur(&t.resolution),
                    periodic_update: dur(&t.periodic_update),
                },
            );
        }
        if let Some(c) = &p.calendar {
            if !calendars.iter().any(|x| &x.name == c.get_ref()) {
                let names: Vec<&str> = calendars.iter().map(|x| x.name.as_str()).collect();
                errs.at(
                    c.span(),
                    format!("SLA policy `{}` names unknown calendar `{}`", p.name.get_ref(), c.get_ref()),
                    if names.is_empty() {
                        "declare it in [[calendars]], or leave `calendar` out to count calendar time".to_string()
                    } else {
                        format!("declare it in [[calendars]] or use one of: {}", names.join(", "))
                    },
                );
            }
        }
        let pause_on = match &p.pause_on {
            None => vec![crate::ticket::Status::PendingCustomer, crate::ticket::Status::OnHold],
            Some(list) => {
                let mut out = Vec::new();
                for s in list.get_ref() {
                    match s.parse::<crate::ticket::Status>() {
                        Ok(st @ (crate::ticket::Status::PendingCustomer | crate::ticket::Status::OnHold)) => {
                            out.push(st)
                        }
                        _ => errs.at(
                            list.span(),
                            format!("SLA policy `{}`: `{s}` cannot pause the clock", p.name.get_ref()),
                            "pause_on takes pending_customer and on_hold",
                        ),
                    }
                }
                out
            }
        };
        let warn_at = match &p.warn_at {
            None => 0.75,
            Some(w) if *w.get_ref() > 0.0 && *w.get_ref() < 1.0 => *w.get_ref(),
            Some(w) => {
                errs.at(w.span(), "warn_at must be a fraction between 0 and 1", "e.g. warn_at = 0.75 warns at 75%");
                0.75
            }
        };
        sla_policies.push(SlaPolicyDef {
            name: p.name.get_ref().clone(),
            description: p.description.clone(),
            calendar: p.calendar.as_ref().map(|c| c.get_ref().clone()),
            pause_on,
            warn_at,
            targets,
        });
    }
    let sla_names: Vec<&str> = sla_policies.iter().map(|p| p.name.as_str()).collect();

    // Plans.
    errs.unique_names("plan", raw.plans.iter().map(|p| &p.get_ref().name));
    let mut plans = Vec::new();
    for p in &raw.plans {
        let p = p.get_ref();
        if !(0..=crate::plan::MAX_PRICE_CENTS).contains(p.price_cents.get_ref()) {
            errs.at(
                p.price_cents.span(),
                format!(
                    "plan `{}`: price_cents must be between 0 and {}",
                    p.name.get_ref(),
                    crate::plan::MAX_PRICE_CENTS
                ),
                "a price in cents, e.g. 49900 for 499.00",
            );
        }
        let boost = p.priority_boost.as_ref().map_or(0.0, |b| *b.get_ref());
        if let Some(b) = p.priority_boost.as_ref().filter(|b| !crate::plan::boost_in_range(*b.get_ref())) {
            errs.at(
                b.span(),
                format!(
                    "plan `{}`: priority_boost must be between -{max} and {max}",
                    p.name.get_ref(),
                    max = crate::plan::MAX_PRIORITY_BOOST
                ),
                "points added to the priority score of the plan's customers, e.g. 3",
            );
        }
        let mut channels = Vec::new();
        for c in p.channels.get_ref() {
            match c.parse::<Channel>() {
                Ok(ch) => channels.push(ch),
                Err(e) => errs.at(p.channels.span(), e, ""),
            }
        }
        if !sla_names.contains(&p.sla_policy.get_ref().as_str()) {
            errs.at(
                p.sla_policy.span(),
                format!("plan `{}` names unknown SLA policy `{}`", p.name.get_ref(), p.sla_policy.get_ref()),
                format!("declare it in [[sla_policies]] or use one of: {}", sla_names.join(", ")),
            );
        }
        plans.push(PlanDef {
            name: p.name.get_ref().clone(),
            description: p.description.clone(),
            price_cents: *p.price_cents.get_ref(),
            channels,
            sla_policy: p.sla_policy.get_ref().clone(),
            priority_boost: boost,
        });
    }

    // Categories.
    errs.unique_names("category", raw.categories.iter().map(|c| &c.get_ref().name));
    let mut categories = Vec::new();
    for c in &raw.categories {
        let c = c.get_ref();
        let tier = match c.tier.get_ref().parse::<Tier>() {
            Ok(t) => t,
            Err(e) => {
                errs.at(c.tier.span(), e.message, "");
                Tier::L1
            }
        };
        categories.push(CategoryDef {
            name: c.name.get_ref().clone(),
            description: c.description.clone(),
            skills: c.skills.clone(),
            tier,
            team: c.team.clone(),
        });
    }

    // Custom fields.
    errs.unique_names("custom field", raw.custom_fields.iter().map(|c| &c.get_ref().name));
    let mut custom_fields = Vec::new();
    for f in &raw.custom_fields {
        let f = f.get_ref();
        let Some(kind) = CustomFieldType::parse(f.kind.get_ref()) else {
            errs.at(
                f.kind.span(),
                format!("unknown custom field type `{}`", f.kind.get_ref()),
                "use int, float, string, bool or enum",
            );
            continue;
        };
        if kind == CustomFieldType::Enum && f.values.is_empty() {
            errs.at(
                f.name.span(),
                format!("enum field `{}` has no values", f.name.get_ref()),
                "add values = [\"a\", \"b\"]",
            );
        }
        if kind != CustomFieldType::Enum && !f.values.is_empty() {
            errs.at(
                f.name.span(),
                format!("field `{}` lists values but is not an enum", f.name.get_ref()),
                "set type = \"enum\" or remove values",
            );
        }
        custom_fields.push(CustomFieldDef {
            name: f.name.get_ref().clone(),
            kind,
            description: f.description.clone(),
            values: f.values.clone(),
            min: f.min,
            max: f.max,
            customer: f.customer,
        });
    }

    let priority = super::priority_rules::compile(
        &mut errs,
        raw.priority.as_ref().map(|p| p.get_ref()),
        super::priority_rules::Known {
            segments: &segments,
            levels: &levels.iter().map(|l| l.name.clone()).collect::<Vec<_>>(),
            impact: &matrix.impact,
            urgency: &matrix.urgency,
            plans: &plans.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
            categories: &categories,
            custom_fields: &custom_fields,
        },
    );

    // Views.
    errs.unique_names("view", raw.views.iter().map(|v| &v.get_ref().name));
    let mut views = Vec::new();
    for v in &raw.views {
        let v = v.get_ref();
        for c in &v.categories {
            if !categories.iter().any(|x| &x.name == c.get_ref()) {
                errs.at(c.span(), format!("view `{}` names unknown category `{}`", v.name.get_ref(), c.get_ref()), "");
            }
        }
        for l in &v.levels {
            check_level(&mut errs, l, &format!("view `{}`", v.name.get_ref()));
        }
        views.push(ViewDef {
            name: v.name.get_ref().clone(),
            description: v.description.clone(),
            categories: v.categories.iter().map(|c| c.get_ref().clone()).collect(),
            levels: v.levels.iter().map(|c| c.get_ref().clone()).collect(),
            tag: v.tag.clone(),
            unassigned: v.unassigned,
        });
    }

    let escalations = super::escalation::escalations(
        &mut errs,
        &raw.escalations,
        super::escalation::Known {
            levels: &levels.iter().map(|l| l.name.clone()).collect::<Vec<_>>(),
            sla_policies: &sla_policies.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
            teams: &{
                let mut t: Vec<String> = categories.iter().map(|c| c.team.clone()).collect();
                t.sort();
                t.dedup();
                t
            },
        },
    );
    let messages = super::escalation::messages(&mut errs, raw.messages.as_ref());
    let teams = super::teams::teams(&mut errs, &raw.teams, &raw.categories);
    let routing = super::teams::routing(
        &mut errs,
        raw.routing.as_ref(),
        &levels.iter().map(|l| l.name.clone()).collect::<Vec<_>>(),
    );
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
        customers: super::CustomersDef {
            may_set: raw
                .customers
                .iter()
                .flat_map(|c| c.may_set.iter())
                .filter_map(|f| {
                    if super::CustomersDef::SETTABLE.contains(&f.get_ref().as_str()) {
                        Some(f.get_ref().clone())
                    } else {
                        errs.at(
                            f.span(),
                            format!("customers.may_set names `{}`, which customers cannot be given", f.get_ref()),
                            format!("use any of: {}", super::CustomersDef::SETTABLE.join(", ")),
                        );
                        None
                    }
                })
                .collect(),
        },
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
