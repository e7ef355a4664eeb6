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
fn pauses_across_dst_changes_count_the_real_hours_they_stop() {
    // Berlin night shift, Sunday 00:00-06:00: 5 real hours on 29 March (02:00 CET
    // jumps to 03:00 CEST), 7 on 25 October (03:00 CEST falls back to 02:00 CET).
    let c = cal(Tz::Europe__Berlin, &["sun 00:00-06:00"], &[]);
    // Spring: paused 01:00 CET to 04:00 CEST is 2 real hours of business time, so a
    // 4 h target from Saturday noon takes the 3 other hours of that night (00-01,
    // 04-06) and the first hour of the next Sunday.
    let start = ms("2026-03-28T12:00:00+01:00");
    let p = Pause { start_ms: ms("2026-03-29T01:00:00+01:00"), end_ms: ms("2026-03-29T04:00:00+02:00") };
    let d = due(&c, start, 4 * H, &[p]).unwrap();
    assert_eq!(local(&c, d.due_ms), "2026-04-05T01:00:00+02:00");
    assert_eq!(d.paused_ms, 2 * H);
    // Autumn: paused from 01:00 CEST to 03:00 CET is 3 real hours (02:00-03:00
    // happens twice), leaving 4 of the night's 7: a 4 h target is met at 06:00.
    let start = ms("2026-10-24T12:00:00+02:00");
    let p = Pause { start_ms: ms("2026-10-25T01:00:00+02:00"), end_ms: ms("2026-10-25T03:00:00+01:00") };
    let d = due(&c, start, 4 * H, &[p]).unwrap();
    assert_eq!(local(&c, d.due_ms), "2026-10-25T06:00:00+01:00");
    assert_eq!(d.paused_ms, 3 * H);
    // New York, autumn (1 November, 02:00 EDT falls back to 01:00 EST), office
    // hours Monday: a weekend pause costs nothing, a Monday one its length.
    let c = cal(Tz::America__New_York, &["mon-fri 09:00-17:00"], &[]);
    let start = ms("2026-10-30T16:00:00-04:00");
    let weekend = Pause { start_ms: ms("2026-10-31T00:00:00-04:00"), end_ms: ms("2026-11-02T09:00:00-05:00") };
    let monday = Pause { start_ms: ms("2026-11-02T10:00:00-05:00"), end_ms: ms("2026-11-02T11:30:00-05:00") };
    let d = due(&c, start, 3 * H, &[weekend, monday]).unwrap();
    assert_eq!(local(&c, d.due_ms), "2026-11-02T12:30:00-05:00", "1 h Friday, 2 h Monday around the pause");
    assert_eq!(d.paused_ms, 3 * H / 2);
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

    /// Skipping ordinary weeks whole gives the same due time as walking day by
    /// day, across holidays, DST changes and pauses, for targets of weeks.
    #[test]
    fn skipping_whole_weeks_changes_nothing(
        c in arb_cal(), start_min in 0i64..525_600, target_min in 1i64..40_000,
        pause_at in 0i64..60_000, pause_len in 0i64..5_000,
    ) {
        let start = ms("2026-01-01T00:00:00Z") + start_min * 60_000;
        let p = [Pause { start_ms: start + pause_at * 60_000, end_ms: start + (pause_at + pause_len) * 60_000 }];
        for pauses in [&[][..], &p[..]] {
            let fast = due(&c, start, target_min * 60_000, pauses).unwrap();
            let slow = due_day_by_day(&c, start, target_min * 60_000, pauses).unwrap();
            prop_assert_eq!(fast, slow);
        }
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

mod clocks {
    use super::*;
    use crate::policy::Policy;
    use crate::ticket::Status;

    fn at(s: &str) -> i64 {
        ms(&format!("2026-{s}+01:00"))
    }

    fn sla(h: &History, now: &str) -> TicketSla {
        let p = Policy::builtin();
        let def = p.sla_policy("standard").unwrap();
        let cal = &p.calendar(def.calendar.as_deref().unwrap()).unwrap().compiled;
        ticket_sla(def, cal, "P2", h, at(now))
    }

    fn created() -> History {
        History {
            created_ms: at("11-30T09:00:00"),
            statuses: vec![(at("11-30T09:00:00"), Status::New)],
            ..Default::default()
        }
    }

    #[test]
    fn first_response_runs_warns_and_breaches_on_office_hours() {
        // Standard plan, P2: first response within 4 business hours (office: Berlin, 9-17).
        let h = created();
        let s = sla(&h, "11-30T11:00:00");
        let fr = s.first_response.unwrap();
        assert_eq!(fr.due.to_rfc3339(), "2026-11-30T12:00:00+00:00", "13:00 in Berlin");
        assert_eq!((fr.state, fr.remaining_seconds, fr.warning), (ClockPhase::Running, 7200, false));
        assert_eq!(sla(&h, "11-30T11:00:00").promise.as_deref(), Some("We will reply by Mon 30 Nov 13:00 CET."));
        assert!(sla(&h, "11-30T12:30:00").first_response.unwrap().warning, "3.5 of 4 hours: past 75%");
        assert_eq!(
            sla(&h, "11-30T11:00:00").next_due().map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-11-30T12:00:00+00:00"),
            "the first response is the next thing due"
        );
        let late = sla(&h, "11-30T14:00:00").first_response.unwrap();
        assert_eq!((late.state, late.remaining_seconds), (ClockPhase::Breached, -3600));
        let mut answered = created();
        answered.agent_replies = vec![at("11-30T12:00:00")];
        assert_eq!(sla(&answered, "11-30T14:00:00").first_response.unwrap().state, ClockPhase::Met);
    }

    #[test]
    fn waiting_on_the_customer_stops_the_clock() {
        let mut h = created();
        h.statuses.push((at("11-30T10:00:00"), Status::PendingCustomer));
        let s = sla(&h, "11-30T11:00:00").first_response.unwrap();
        assert_eq!((s.state, s.paused, s.remaining_seconds), (ClockPhase::Paused, true, 3 * 3600));
        assert_eq!(sla(&h, "11-30T11:00:00").next_due(), None, "nothing runs while paused");
        let promise = sla(&h, "11-30T11:00:00").promise.unwrap();
        assert!(promise.starts_with("We are waiting for your answer; then we will reply by Mon 30 Nov 1"), "{promise}");
        h.statuses.push((at("11-30T12:00:00"), Status::Open));
        let s = sla(&h, "11-30T12:30:00").first_response.unwrap();
        assert_eq!(s.due.to_rfc3339(), "2026-11-30T14:00:00+00:00", "two paused hours: 15:00 in Berlin");
        assert_eq!((s.state, s.paused), (ClockPhase::Running, false));
    }

    #[test]
    fn next_reply_restarts_with_each_customer_reply_and_resolution_stops_when_solved() {
        let mut h = created();
        h.agent_replies = vec![at("11-30T12:00:00")];
        h.customer_replies = vec![at("12-01T10:00:00")];
        let s = sla(&h, "12-01T11:00:00");
        let nr = s.next_reply.unwrap();
        // 8 business hours from Tue 10:00: 7 on Tuesday, 1 on Wednesday.
        assert_eq!(nr.due.to_rfc3339(), "2026-12-02T09:00:00+00:00");
        assert_eq!(nr.state, ClockPhase::Running);
        h.agent_replies.push(at("12-01T15:00:00"));
        assert_eq!(sla(&h, "12-01T16:00:00").next_reply.unwrap().state, ClockPhase::Met);
        h.statuses.push((at("12-01T16:00:00"), Status::Solved));
        h.solved_ms = Some(at("12-01T16:00:00"));
        let s = sla(&h, "12-02T09:00:00");
        assert_eq!(s.resolution.unwrap().state, ClockPhase::Met, "solved within 2 business days");
    }

    #[test]
    fn triggers_fall_at_the_warning_and_the_due_time_and_are_named_by_their_run() {
        // Standard P2: 4 business hours from Mon 10:00 Berlin; warn at 75% (3 h).
        let h = created();
        let s = sla(&h, "11-30T10:00:00");
        let fr: Vec<_> = s.triggers().into_iter().filter(|t| t.clock == ClockName::FirstResponse).collect();
        assert_eq!(fr.len(), 2);
        assert_eq!((fr[0].kind, fr[0].at_ms), (TriggerKind::Warning, at("11-30T12:00:00")));
        assert_eq!((fr[1].kind, fr[1].at_ms), (TriggerKind::Breach, at("11-30T13:00:00")));
        assert_eq!(fr[1].key(), format!("first_response:breach:{}", at("11-30T09:00:00")));
        // Nothing fell yet; the alarm is the first warning.
        let (fell, alarm) = due_triggers(&s, &[], at("11-30T10:00:00"));
        assert!(fell.is_empty());
        assert_eq!(alarm, Some(at("11-30T12:00:00")));
        // Past the warning: it falls; once acted on, the alarm moves to the breach.
        let s = sla(&h, "11-30T12:30:00");
        let (fell, _) = due_triggers(&s, &[], at("11-30T12:30:00"));
        assert_eq!(fell.iter().map(|t| t.kind).collect::<Vec<_>>(), [TriggerKind::Warning]);
        let done = vec![fell[0].key()];
        let (fell, alarm) = due_triggers(&s, &done, at("11-30T12:30:00"));
        assert!(fell.is_empty());
        assert_eq!(alarm, Some(at("11-30T13:00:00")));
        // A paused clock holds no trigger: the pause moves them.
        let mut paused = created();
        paused.statuses.push((at("11-30T11:00:00"), Status::PendingCustomer));
        let s = sla(&paused, "11-30T12:30:00");
        assert!(s.triggers().iter().all(|t| t.clock != ClockName::FirstResponse));
        // An answered clock neither: the reply met it.
        let mut answered = created();
        answered.agent_replies = vec![at("11-30T11:00:00")];
        let s = sla(&answered, "11-30T12:30:00");
        assert!(s.triggers().iter().all(|t| t.clock != ClockName::FirstResponse));
    }

    #[test]
    fn a_priority_change_retargets_a_running_clock_under_the_same_key() {
        let p = Policy::builtin();
        let def = p.sla_policy("standard").unwrap();
        let cal = &p.calendar(def.calendar.as_deref().unwrap()).unwrap().compiled;
        let h = created();
        let now = at("11-30T10:00:00");
        let p2 = ticket_sla(def, cal, "P2", &h, now).first_response.unwrap();
        let p1 = ticket_sla(def, cal, "P1", &h, now).first_response.unwrap();
        // Created Mon 09:00: P1 is 1 business hour (due 10:00), P2 4 (13:00).
        assert_eq!(p1.due.timestamp_millis(), at("11-30T10:00:00"));
        assert_eq!(p2.due.timestamp_millis(), at("11-30T13:00:00"));
        assert_eq!(p1.started_ms, p2.started_ms, "the same run: a warning raised at P2 is not raised again at P1");
    }

    #[test]
    fn a_promise_moves_when_its_clock_time_or_pause_changes() {
        let base = Promise { clock: ClockName::FirstResponse, due_ms: 0, paused: false };
        assert!(!base.moved_from(&Promise { due_ms: 59_000, ..base }), "seconds are not news");
        assert!(base.moved_from(&Promise { due_ms: 3_600_000, ..base }));
        assert!(base.moved_from(&Promise { paused: true, ..base }));
        assert!(base.moved_from(&Promise { clock: ClockName::Resolution, ..base }));
    }

    #[test]
    fn a_past_instant_reads_as_it_did_then() {
        let mut h = created();
        h.statuses.push((at("11-30T10:00:00"), Status::PendingCustomer));
        h.statuses.push((at("11-30T12:00:00"), Status::Open));
        h.agent_replies = vec![at("11-30T14:00:00")];
        h.statuses.push((at("11-30T15:00:00"), Status::Solved));
        h.solved_ms = Some(at("11-30T15:00:00"));
        // At 11:00 the ticket waited on the customer, unanswered.
        let then = sla(&h.as_of(at("11-30T11:00:00")), "11-30T11:00:00");
        let fr = then.first_response.unwrap();
        assert_eq!((fr.state, fr.paused, fr.elapsed_seconds), (ClockPhase::Paused, true, 3600));
        assert_eq!(then.resolution.unwrap().state, ClockPhase::Paused);
        // At 13:30 it ran again: 1 h before the pause, 1.5 h after; due 15:00 + 2 h paused.
        let then = sla(&h.as_of(at("11-30T13:30:00")), "11-30T13:30:00");
        let fr = then.first_response.unwrap();
        assert_eq!((fr.state, fr.elapsed_seconds), (ClockPhase::Running, 9000));
        assert_eq!(fr.due.timestamp_millis(), at("11-30T15:00:00"));
        // Today, all of it: answered at 14:00 (met), solved at 15:00.
        let now = sla(&h, "12-01T09:00:00");
        assert_eq!(now.first_response.as_ref().unwrap().state, ClockPhase::Met);
        assert_eq!(now.resolution.as_ref().unwrap().state, ClockPhase::Met);
        assert_eq!(sla(&h.as_of(at("12-01T09:00:00")), "12-01T09:00:00"), now, "as of now is the whole history");
    }

    #[test]
    fn a_met_clock_keeps_its_due_through_a_later_pause() {
        // Answered at 11:00, due 13:00; the ticket then waits on the customer.
        let mut h = created();
        h.agent_replies = vec![at("11-30T11:00:00")];
        let before = sla(&h, "11-30T11:30:00").first_response.unwrap();
        h.statuses.push((at("11-30T11:30:00"), Status::PendingCustomer));
        let after = sla(&h, "12-02T09:00:00").first_response.unwrap();
        assert_eq!(after.state, ClockPhase::Met);
        assert_eq!(after.due, before.due, "a pause after the reply does not move the due time it met");
        assert_eq!(after.stopped_ms, Some(at("11-30T11:00:00")));
    }

    #[test]
    fn recorded_outcomes_stand_whatever_the_level_becomes() {
        let p = Policy::builtin();
        let def = p.sla_policy("standard").unwrap();
        let cal = &p.calendar(def.calendar.as_deref().unwrap()).unwrap().compiled;
        let h = created();
        let now = at("11-30T14:00:00");
        // At P2 (4 business hours, due 13:00) the first response breached at 13:00.
        let p2 = ticket_sla(def, cal, "P2", &h, now);
        let records = p2.unrecorded(&[], "P2", "standard", "v1");
        let fr = records.iter().find(|o| o.clock == ClockName::FirstResponse).unwrap().clone();
        assert_eq!(
            (fr.verdict, fr.decided_ms, fr.due_ms),
            (Verdict::Breached, at("11-30T13:00:00"), at("11-30T13:00:00"))
        );
        assert!(records.iter().all(|o| o.clock == ClockName::FirstResponse), "nothing else is decided: {records:?}");
        // Lowered to P3 (8 business hours) the computed clock would run again; the record holds.
        let mut p3 = ticket_sla(def, cal, "P3", &h, now);
        assert_eq!(p3.first_response.as_ref().unwrap().state, ClockPhase::Running);
        p3.apply_outcomes(std::slice::from_ref(&fr), "v2", cal.tz);
        let c = p3.first_response.as_ref().unwrap();
        assert_eq!((c.state, c.due.timestamp_millis(), c.target_seconds), (ClockPhase::Breached, fr.due_ms, 4 * 3600));
        assert_eq!((c.policy_version.as_deref(), c.recorded), (Some("v1"), true));
        assert_eq!(c.remaining_seconds, -3600, "an hour past the recorded target");
        assert!(p3.promise.as_deref().unwrap_or_default().starts_with("Our reply is overdue"), "{:?}", p3.promise);
        let r = p3.resolution.as_ref().unwrap();
        assert_eq!(
            (r.policy_version.as_deref(), r.recorded),
            (Some("v2"), false),
            "a running clock: the policy in force"
        );
        assert!(p3.unrecorded(&[fr], "P3", "standard", "v2").is_empty(), "nothing more to record");
    }
}
