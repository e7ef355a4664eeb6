//! SLA policies (`[[sla_policies]]`): targets per level, the calendar they
//! count on, what pauses the clock and when to warn.

use super::file::SlaPolicyFile;
use super::levels::KnownLevels;
use super::validate::Errors;
use super::{parse_duration, CalendarDef, SlaPolicyDef, SlaTargets};
use std::collections::BTreeMap;
use toml::Spanned;

/// The longest SLA target a policy may set: a year.
const MAX_TARGET_SECONDS: i64 = 365 * 86_400;

/// Checks the SLA policies against the declared levels and calendars.
pub(super) fn sla_policies(
    errs: &mut Errors,
    raw: &[Spanned<SlaPolicyFile>],
    levels: &KnownLevels,
    calendars: &[CalendarDef],
) -> Vec<SlaPolicyDef> {
    errs.unique_names("SLA policy", raw.iter().map(|p| &p.get_ref().name));
    let mut sla_policies = Vec::new();
    for p in raw {
        let p = p.get_ref();
        let mut targets = BTreeMap::new();
        for (level, t) in &p.targets {
            levels.check(errs, level, &format!("SLA policy `{}`", p.name.get_ref()));
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
    sla_policies
}
