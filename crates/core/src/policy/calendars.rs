//! Business calendars (`[[calendars]]`): time zone, weekly hours and holidays,
//! compiled for the SLA clocks to count on.

use super::file::CalendarFile;
use super::validate::Errors;
use super::CalendarDef;
use toml::Spanned;

/// The longest holiday range a calendar may have: a calendar must keep
/// business time for its clocks to run in.
const MAX_HOLIDAY_DAYS: i64 = 31;

/// Checks and compiles the calendars; one at fault compiles to what it can
/// (UTC, around the clock) so later sections can still name it.
pub(super) fn calendars(errs: &mut Errors, raw: &[Spanned<CalendarFile>]) -> Vec<CalendarDef> {
    errs.unique_names("calendar", raw.iter().map(|c| &c.get_ref().name));
    let mut calendars = Vec::new();
    for c in raw {
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
    calendars
}
