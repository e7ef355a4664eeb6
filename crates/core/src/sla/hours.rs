//! Weekly business hours and holidays as support leads write them:
//! `mon-fri 09:00-17:00`, `mon 08:00-12:00,13:00-17:00`, `sat,sun 10:00-14:00`
//! (`24:00` allowed as an end); holidays `2026-12-25` or `2026-12-24..2026-12-26`.

use chrono::NaiveDate;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One business interval in a day, in seconds after local midnight (end up to 86,400).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DaySpan {
    pub start: u32,
    pub end: u32,
}

/// Business intervals per weekday, Monday first; each day's sorted, not overlapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Weekly(pub [Vec<DaySpan>; 7]);

/// A whole local day or an inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

fn day(s: &str, whole: &str) -> Result<usize, String> {
    DAYS.iter()
        .position(|d| *d == s.to_ascii_lowercase())
        .ok_or_else(|| format!("`{whole}`: `{s}` is not a day; use mon, tue, wed, thu, fri, sat or sun"))
}

fn clock(s: &str, whole: &str) -> Result<u32, String> {
    let bad = || format!("`{whole}`: `{s}` is not a time of day; write HH:MM, e.g. 09:00 or 24:00");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 3600 + m * 60)
}

/// Adds one `--hours` line (days, then intervals) to `week`.
pub fn parse_hours(line: &str, week: &mut Weekly) -> Result<(), String> {
    let line = line.trim();
    let (days, spans) = line
        .split_once(char::is_whitespace)
        .ok_or_else(|| format!("`{line}`: write days then hours, e.g. \"mon-fri 09:00-17:00\""))?;
    let mut which = Vec::new();
    for part in days.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a, line)?, day(b, line)?);
                if a > b {
                    return Err(format!("`{line}`: `{part}` runs backwards; write the earlier day first (mon-fri)"));
                }
                which.extend(a..=b);
            }
            None => which.push(day(part, line)?),
        }
    }
    let mut parsed = Vec::new();
    for span in spans.trim().split(',') {
        let span = span.trim();
        let (a, b) = span
            .split_once('-')
            .ok_or_else(|| format!("`{line}`: `{span}` is not an interval; write start-end, e.g. 09:00-17:00"))?;
        let (start, end) = (clock(a, line)?, clock(b, line)?);
        if start == 86_400 {
            return Err(format!("`{line}`: an interval cannot start at 24:00"));
        }
        if end <= start {
            return Err(format!("`{line}`: `{span}` ends before it starts; intervals stay within one day"));
        }
        parsed.push(DaySpan { start, end });
    }
    for d in which {
        let spans = &mut week.0[d];
        spans.extend(parsed.iter().copied());
        spans.sort();
        for w in spans.windows(2) {
            if w[1].start < w[0].end {
                return Err(format!("`{line}`: intervals on {} overlap; list each hour once", DAYS[d]));
            }
        }
    }
    Ok(())
}

/// One `--holiday`: a date or an inclusive `first..last` range.
pub fn parse_holiday(s: &str) -> Result<Holiday, String> {
    let date = |x: &str| {
        NaiveDate::parse_from_str(x.trim(), "%Y-%m-%d")
            .map_err(|_| format!("`{s}`: `{x}` is not a date; write YYYY-MM-DD, or a range 2026-12-24..2026-12-26"))
    };
    let (first, last) = match s.split_once("..") {
        Some((a, b)) => (date(a)?, date(b)?),
        None => (date(s)?, date(s)?),
    };
    if last < first {
        return Err(format!("`{s}`: the range ends before it starts"));
    }
    Ok(Holiday { first, last })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_lists_and_split_days() {
        let mut w = Weekly::default();
        parse_hours("mon-fri 09:00-17:00", &mut w).unwrap();
        parse_hours("sat,sun 10:00-14:00", &mut w).unwrap();
        assert_eq!(w.0[0], vec![DaySpan { start: 9 * 3600, end: 17 * 3600 }]);
        assert_eq!(w.0[6], vec![DaySpan { start: 10 * 3600, end: 14 * 3600 }]);
        let mut w = Weekly::default();
        parse_hours("mon 08:00-12:00,13:00-24:00", &mut w).unwrap();
        assert_eq!(w.0[0].len(), 2);
        assert_eq!(w.0[0][1].end, 86_400);
    }

    #[test]
    fn rejects_what_it_cannot_read_with_the_fix() {
        let mut w = Weekly::default();
        assert!(parse_hours("mon-fry 09:00-17:00", &mut w).unwrap_err().contains("`fry` is not a day"));
        assert!(parse_hours("fri-mon 09:00-17:00", &mut w).unwrap_err().contains("runs backwards"));
        assert!(parse_hours("mon 17:00-09:00", &mut w).unwrap_err().contains("ends before it starts"));
        assert!(parse_hours("mon 9-17", &mut w).unwrap_err().contains("not a time of day"));
        assert!(parse_hours("mon 24:30-25:00", &mut w).unwrap_err().contains("not a time of day"));
        assert!(parse_hours("09:00-17:00", &mut w).unwrap_err().contains("days then hours"));
        let mut w = Weekly::default();
        parse_hours("mon 09:00-12:00", &mut w).unwrap();
        assert!(parse_hours("mon 11:00-13:00", &mut w).unwrap_err().contains("overlap"));
        assert!(parse_holiday("2026-12-32").unwrap_err().contains("not a date"));
        assert!(parse_holiday("2026-12-26..2026-12-24").unwrap_err().contains("ends before"));
        assert_eq!(
            parse_holiday("2026-12-24..2026-12-26").unwrap().last,
            NaiveDate::from_ymd_opt(2026, 12, 26).unwrap()
        );
    }
}
