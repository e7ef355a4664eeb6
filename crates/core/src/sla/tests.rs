//! Due times worked out by hand: nights, weekends, holidays, both DST changes in
//! Europe/Berlin and America/New_York, pauses; and properties over random calendars.

use super::*;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

fn ms(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp_millis()
}

fn local(cal: &Calendar, t: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(t).unwrap().with_timezone(&cal.tz).to_rfc3339()
}

fn cal(tz: Tz, hours: &[&str], holidays: &[&str]) -> Calendar {
    let week = if hours.is_empty() {
        None
    } else {
        let mut w = Weekly::default();
        for h in hours {
            parse_hours(h, &mut w).unwrap();
        }
        Some(w)
    };
    Calendar::new(tz, week, holidays.iter().map(|h| parse_holiday(h).unwrap()).collect()).unwrap()
}

const H: i64 = 3_600_000;

#[test]
fn friday_evening_rolls_over_the_weekend() {
    let c = cal(Tz::UTC, &["mon-fri 09:00-17:00"], &[]);
    let d = due(&c, ms("2026-11-27T16:00:00Z"), 2 * H, &[]).unwrap();
    assert_eq!(local(&c, d.due_ms), "2026-11-30T10:00:00+00:00", "1 h on Friday, 1 h on Monday");
    assert_eq!(d.business_ms, 2 * H);
}

#[test]
fn holidays_are_skipped_whole() {
    let c = cal(Tz::Europe__Berlin, &["mon-fri 09:00-17:00"], &["2026-12-24..2026-12-26"]);
    // Wed 23 Dec 16:00: one hour that day; Thu-Fri holidays; weekend; Mon 28 Dec 09:00 + 3 h.
    let d = due(&c, ms("2026-12-23T16:00:00+01:00"), 4 * H, &[]).unwrap();
    assert_eq!(local(&c, d.due_ms), "2026-12-28T12:00:00+01:00");
}

#[test]
fn around_the_clock_is_real_time_across_dst() {
    let c = cal(Tz::Europe__Berlin, &[], &[]);
    let d = due(&c, ms("2026-03-28T12:00:00+01:00"), 24 * H, &[]).unwrap();
    assert_eq!(local(&c, d.due_ms), "2026-03-29T13:00:00+02:00", "the night lost an hour of clock time");
    let d = due(&c, ms("2026-10-24T12:00:00+02:00"), 24 * H, &[]).unwrap();
    assert_eq!(local(&c, d.due_ms), "2026-10-25T11:00:00+01:00", "the night repeated an hour");
}

#[test]
fn berlin_spring_forward_shortens_the_night_shift() {
    // Sunday 29 March 2026: 02:00 CET jumps to 03:00 CEST. 00:00-06:00 is 5 real hours.
    let c = cal(Tz::Europe__Berlin, &["sun 00:00-06:00"], &[]);
    let start = ms("2026-03-28T12:00:00+01:00");
    assert_eq!(local(&c, due(&c, start, 5 * H, &[]).unwrap().due_ms), "2026-03-29T06:00:00+02:00");
    assert_eq!(local(&c, due(&c, start, 5 * H + H / 2, &[]).unwrap().due_ms), "2026-04-05T00:30:00+02:00");
    // Hours that start inside the skipped hour start when the clocks jump.
    let c = cal(Tz::Europe__Berlin, &["sun 02:30-05:00"], &[]);
    assert_eq!(local(&c, due(&c, start, 2 * H, &[]).unwrap().due_ms), "2026-03-29T05:00:00+02:00");
}

#[test]
fn berlin_fall_back_lengthens_the_night_shift() {
    // Sunday 25 October 2026: 03:00 CEST falls back to 02:00 CET. 00:00-06:00 is 7 real hours.
    let c = cal(Tz::Europe__Berlin, &["sun 00:00-06:00"], &[]);
    let start = ms("2026-10-24T12:00:00+02:00");
    assert_eq!(local(&c, due(&c, start, 7 * H, &[]).unwrap().due_ms), "2026-10-25T06:00:00+01:00");
    assert_eq!(local(&c, due(&c, start, 6 * H, &[]).unwrap().due_ms), "2026-10-25T05:00:00+01:00");
}

#[test]
fn new_york_both_ways() {
    // 8 March 2026: 02:00 EST jumps to 03:00 EDT; 01:00-04:00 is 2 real hours.
    let c = cal(Tz::America__New_York, &["sun 01:00-04:00"], &[]);
    let d = due(&c, ms("2026-03-07T12:00:00-05:00"), 2 * H, &[]).unwrap();
    assert_eq!(local(&c, d.due_ms), "2026-03-08T04:00:00-04:00");
    // 1 November 2026: 02:00 EDT falls back to 01:00 EST; 00:00-03:00 is 4 real hours.
    let c = cal(Tz::America__New_York, &["sun 00:00-03:00"], &[]);
    let d = due(&c, ms("2026-10-31T12:00:00-04:00"), 4 * H, &[]).unwrap();
    assert_eq!(local(&c, d.due_ms), "2026-11-01T03:00:00-05:00");
}

#[test]
fn pauses_stop_the_clock_and_it_resumes_where_it_stopped() {
    let c = cal(Tz::UTC, &["mon-fri 09:00-17:00"], &[]);
    let start = ms("2026-11-30T09:00:00Z");
    let p = Pause { start_ms: ms("2026-11-30T10:00:00Z"), end_ms: ms("2026-11-30T11:30:00Z") };
    let d = due(&c, start, 4 * H, &[p]).unwrap();
    assert_eq!(local(&c, d.due_ms), "2026-11-30T14:30:00+00:00");
    assert_eq!(d.paused_ms, 3 * H / 2);
    // A pause over the night only costs the business hours inside it.
    let p = Pause { start_ms: ms("2026-11-30T16:00:00Z"), end_ms: ms("2026-12-01T10:00:00Z") };
    let d = due(&c, start, 8 * H, &[p]).unwrap();
    assert_eq!(local(&c, d.due_ms), "2026-12-01T11:00:00+00:00");
    assert_eq!(d.paused_ms, 2 * H);
}

#[test]
fn a_week_without_hours_is_refused() {
    assert!(Calendar::new(Tz::UTC, Some(Weekly::default()), vec![]).is_err());
}

const ZONES: [Tz; 5] =
    [Tz::UTC, Tz::Europe__Berlin, Tz::America__New_York, Tz::Asia__Kolkata, Tz::Australia__Lord_Howe];
const PATTERNS: [&[&str]; 5] = [
    &[],
    &["mon-fri 09:00-17:00"],
    &["mon-fri 08:00-12:00,13:00-17:00", "sat 10:00-14:00"],
    &["sun 00:00-06:00", "wed 01:30-03:30"],
    &["mon-sun 02:00-03:00"],
];

fn arb_cal() -> impl Strategy<Value = Calendar> {
    (0usize..ZONES.len(), 0usize..PATTERNS.len(), any::<bool>()).prop_map(|(z, p, hol)| {
        let holidays: &[&str] =
            if hol { &["2026-03-29", "2026-10-20..2026-10-27", "2026-12-24..2026-12-26"] } else { &[] };
        cal(ZONES[z], PATTERNS[p], holidays)
    })
}

/// Whether `t` is inside or at the end of a business interval.
fn in_business_time(c: &Calendar, t: i64) -> bool {
    let date = c.local_date(t);
    let mut v = Vec::new();
    [date.pred_opt().unwrap(), date].iter().any(|d| {
        c.day_intervals(*d, &mut v);
        v.iter().any(|&(a, b)| a < t && t <= b)
    })
}

proptest! {
    /// A due time is never in non-business time (nights, weekends, holidays, skipped hours).
    #[test]
    fn due_times_fall_in_business_time(c in arb_cal(), start_min in 0i64..525_600, target_min in 1i64..10_000) {
        let start = ms("2026-01-01T00:00:00Z") + start_min * 60_000;
        let d = due(&c, start, target_min * 60_000, &[]).unwrap();
        prop_assert!(in_business_time(&c, d.due_ms), "{} not in business time", local(&c, d.due_ms));
        prop_assert!(d.due_ms >= start + target_min * 60_000 || c.week.is_some());
        prop_assert_eq!(d.business_ms, target_min * 60_000);
    }

    /// Pausing never makes a target due earlier; a longer pause never either.
    #[test]
    fn pausing_never_brings_the_due_time_forward(
        c in arb_cal(), start_min in 0i64..525_600, target_min in 1i64..5_000,
        pause_at in 0i64..20_000, pause_len in 1i64..5_000, more in 0i64..3_000,
    ) {
        let start = ms("2026-01-01T00:00:00Z") + start_min * 60_000;
        let target = target_min * 60_000;
        let plain = due(&c, start, target, &[]).unwrap();
        let p = Pause { start_ms: start + pause_at * 60_000, end_ms: start + (pause_at + pause_len) * 60_000 };
        let paused = due(&c, start, target, &[p]).unwrap();
        prop_assert!(paused.due_ms >= plain.due_ms);
        let longer = due(&c, start, target, &[Pause { end_ms: p.end_ms + more * 60_000, ..p }]).unwrap();
        prop_assert!(longer.due_ms >= paused.due_ms);
        prop_assert!(paused.paused_ms >= 0 && paused.paused_ms <= pause_len * 60_000);
    }
}
