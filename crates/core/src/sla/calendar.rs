//! A business calendar: a time zone, weekly hours and holidays.

use super::hours::{Holiday, Weekly};
use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub tz: Tz,
    /// `None`: around the clock (24x7).
    pub week: Option<Weekly>,
    pub holidays: Vec<Holiday>,
}

impl Calendar {
    /// Around the clock in UTC, no holidays.
    pub fn always() -> Calendar {
        Calendar { tz: Tz::UTC, week: None, holidays: vec![] }
    }

    /// A calendar with business hours (`None`: 24x7). Refuses a week without any.
    pub fn new(tz: Tz, week: Option<Weekly>, holidays: Vec<Holiday>) -> Result<Calendar, String> {
        if let Some(w) = &week {
            if w.0.iter().all(|d| d.is_empty()) {
                return Err("the business hours cover no time at all; give at least one day's hours".into());
            }
        }
        Ok(Calendar { tz, week, holidays })
    }

    /// Business time in a whole week without holidays or clock changes, ms.
    pub fn week_ms(&self) -> i64 {
        match &self.week {
            Some(w) => w.0.iter().flatten().map(|s| i64::from(s.end - s.start) * 1000).sum(),
            None => 7 * 86_400_000,
        }
    }

    /// Whether the seven local days from `date` are an ordinary week: no holiday
    /// and one UTC offset throughout (real zones change at most once a week, so
    /// equal offsets at both ends and in the middle mean none changed).
    pub fn plain_week(&self, date: NaiveDate) -> bool {
        let last = date + Duration::days(6);
        if self.holidays.iter().any(|h| h.first <= last && date <= h.last) {
            return false;
        }
        let offset = |d: NaiveDate| {
            let noon = d.and_hms_opt(12, 0, 0).unwrap_or_default();
            self.tz.from_local_datetime(&noon).earliest().map(|t| t.naive_local() - t.naive_utc())
        };
        let first = offset(date - Duration::days(1));
        first.is_some() && first == offset(date + Duration::days(3)) && first == offset(date + Duration::days(7))
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.iter().any(|h| h.first <= date && date <= h.last)
    }

    /// The local date an instant falls on.
    pub fn local_date(&self, t_ms: i64) -> NaiveDate {
        let t = DateTime::<Utc>::from_timestamp_millis(t_ms).unwrap_or_default();
        t.with_timezone(&self.tz).date_naive()
    }

    /// Business intervals of a local date as UTC milliseconds `[start, end)`, in order.
    pub fn day_intervals(&self, date: NaiveDate, out: &mut Vec<(i64, i64)>) {
        out.clear();
        if self.is_holiday(date) {
            return;
        }
        let full = [super::hours::DaySpan { start: 0, end: 86_400 }];
        let spans: &[super::hours::DaySpan] = match &self.week {
            Some(w) => &w.0[date.weekday().num_days_from_monday() as usize],
            None => &full,
        };
        for s in spans {
            let (a, b) = (self.instant(date, s.start, false), self.instant(date, s.end, true));
            if b > a {
                out.push((a, b));
            }
        }
    }

    /// The instant a local wall-clock time happens. A time the clocks skip (spring
    /// forward) happens when they jump; a time they repeat (fall back) is taken at
    /// its first occurrence for a start and its second for an end, so the repeated
    /// hour counts, as it is really worked.
    fn instant(&self, date: NaiveDate, secs: u32, end: bool) -> i64 {
        let (date, secs) = if secs >= 86_400 { (date + Duration::days(1), secs - 86_400) } else { (date, secs) };
        let naive = date.and_hms_opt(secs / 3600, secs % 3600 / 60, secs % 60).unwrap_or_default();
        match self.tz.from_local_datetime(&naive) {
            LocalResult::Single(t) => t.timestamp_millis(),
            LocalResult::Ambiguous(first, second) => {
                if end {
                    second.timestamp_millis()
                } else {
                    first.timestamp_millis()
                }
            }
            LocalResult::None => self.jump(naive),
        }
    }

    /// The instant the clocks jump over a skipped local time.
    fn jump(&self, naive: NaiveDateTime) -> i64 {
        let offset = |n: NaiveDateTime| {
            self.tz.from_local_datetime(&n).earliest().map(|t| t.naive_local() - t.naive_utc()).unwrap_or_default()
        };
        let (before, after) = (offset(naive - Duration::hours(3)), offset(naive + Duration::hours(3)));
        let mut lo = (naive - after).and_utc().timestamp();
        let mut hi = (naive - before).and_utc().timestamp();
        if lo > hi {
            std::mem::swap(&mut lo, &mut hi);
        }
        // The first second whose local reading is at or after `naive`.
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let local = self.tz.timestamp_opt(mid, 0).unwrap().naive_local();
            if local >= naive {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo * 1000
    }
}
