//! When a target falls due: count business time from a start, skipping pauses.

use super::calendar::Calendar;

/// A stretch when the clock stood still (pending customer, on hold), UTC ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub start_ms: i64,
    pub end_ms: i64,
}

/// A target's due time and how the time until it was spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub due_ms: i64,
    /// Business time from start to due, pauses excluded (the target).
    pub business_ms: i64,
    /// Business time that fell inside pauses before the due time.
    pub paused_ms: i64,
}

/// Merges pauses into sorted, disjoint stretches.
fn merged(pauses: &[Pause]) -> Vec<Pause> {
    let mut ps: Vec<Pause> = pauses.iter().copied().filter(|p| p.end_ms > p.start_ms).collect();
    ps.sort_by_key(|p| p.start_ms);
    let mut out: Vec<Pause> = Vec::with_capacity(ps.len());
    for p in ps {
        match out.last_mut() {
            Some(last) if p.start_ms <= last.end_ms => last.end_ms = last.end_ms.max(p.end_ms),
            _ => out.push(p),
        }
    }
    out
}

/// Business time between two instants with the clock stopped during `pauses`.
pub fn elapsed(cal: &Calendar, start_ms: i64, end_ms: i64, pauses: &[Pause]) -> i64 {
    if end_ms <= start_ms {
        return 0;
    }
    let pauses = merged(pauses);
    let mut total = 0;
    let mut date = cal.local_date(start_ms);
    let last = cal.local_date(end_ms);
    let mut intervals = Vec::with_capacity(4);
    while date <= last {
        cal.day_intervals(date, &mut intervals);
        for &(a, b) in &intervals {
            let (a, b) = (a.max(start_ms), b.min(end_ms));
            if b <= a {
                continue;
            }
            let paused: i64 = pauses.iter().map(|p| (p.end_ms.min(b) - p.start_ms.max(a)).max(0)).sum();
            total += b - a - paused;
        }
        match date.succ_opt() {
            Some(d) => date = d,
            None => break,
        }
    }
    total
}

/// Search at most this far ahead for business time.
const HORIZON_DAYS: i64 = 3_660;

/// The instant `target_ms` of business time after `start_ms` on `cal`, with the
/// clock stopped during `pauses` (any order, may overlap).
///
/// Walks the calendar a day at a time; whole ordinary weeks (no holiday, no
/// clock change, no pause left) are taken in one step, so a target of weeks of
/// business time costs about what a target of a few days does.
pub fn due(cal: &Calendar, start_ms: i64, target_ms: i64, pauses: &[Pause]) -> Result<Due, String> {
    due_walk(cal, start_ms, target_ms, pauses, true)
}

/// [`due`] walking every day, weeks not skipped: the reference the benchmarks
/// and property tests compare with.
#[doc(hidden)]
pub fn due_day_by_day(cal: &Calendar, start_ms: i64, target_ms: i64, pauses: &[Pause]) -> Result<Due, String> {
    due_walk(cal, start_ms, target_ms, pauses, false)
}

fn due_walk(cal: &Calendar, start_ms: i64, target_ms: i64, pauses: &[Pause], skip_weeks: bool) -> Result<Due, String> {
    let mut ps: Vec<Pause> = pauses.iter().copied().filter(|p| p.end_ms > start_ms && p.end_ms > p.start_ms).collect();
    ps.sort_by_key(|p| p.start_ms);
    let mut merged: Vec<Pause> = Vec::with_capacity(ps.len());
    for p in ps {
        match merged.last_mut() {
            Some(last) if p.start_ms <= last.end_ms => last.end_ms = last.end_ms.max(p.end_ms),
            _ => merged.push(p),
        }
    }
    let mut left = target_ms.max(0);
    let (mut business, mut paused) = (0i64, 0i64);
    if left == 0 {
        return Ok(Due { due_ms: start_ms, business_ms: 0, paused_ms: 0 });
    }
    let mut date = cal.local_date(start_ms);
    let first_date = date;
    let week_ms = cal.week_ms();
    let mut intervals = Vec::with_capacity(4);
    let mut next_pause = 0;
    let mut days = 0;
    while days < HORIZON_DAYS {
        // Past the first (partial) day, with no pause ahead: skip whole weeks.
        while skip_weeks
            && date > first_date
            && left > week_ms
            && week_ms > 0
            && merged.len() == next_pause
            && days + 7 < HORIZON_DAYS
            && cal.plain_week(date)
        {
            left -= week_ms;
            business += week_ms;
            date += chrono::Duration::days(7);
            days += 7;
        }
        days += 1;
        cal.day_intervals(date, &mut intervals);
        for &(a, b) in &intervals {
            let mut t = a.max(start_ms);
            while t < b {
                while next_pause < merged.len() && merged[next_pause].end_ms <= t {
                    next_pause += 1;
                }
                let (free_end, pause_end) = match merged.get(next_pause) {
                    Some(p) if p.start_ms <= t => (t, p.end_ms.min(b)),
                    Some(p) => (p.start_ms.min(b), p.start_ms.min(b)),
                    None => (b, b),
                };
                let free = free_end - t;
                if free >= left {
                    return Ok(Due { due_ms: t + left, business_ms: business + left, paused_ms: paused });
                }
                left -= free;
                business += free;
                paused += pause_end - free_end;
                t = pause_end.max(free_end);
            }
        }
        date = date.succ_opt().ok_or("the due time is beyond the calendar's range")?;
    }
    Err(format!("no business time to spend the target in within {} years of the start", HORIZON_DAYS / 366))
}
