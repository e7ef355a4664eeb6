//! When a new ticket will really hear back: the tickets ahead of it in the queue
//! over the rate the team has been sending first responses.
//!
//! The rate is measured (first responses over the last hours, refreshed with the
//! queue volume), not configured, so the forecast follows the team's real pace;
//! the wait counts on the SLA calendar's business time, when agents answer.

use crate::state::AppState;
use serde::Serialize;
use triage_core::sla::{due, when, Calendar, TicketSla};
use utoipa::ToSchema;

/// The team's recent pace.
#[derive(Debug, Default, Clone, Copy)]
pub struct Capacity {
    /// First responses sent per hour, measured over the last [`PACE_HOURS`].
    /// The team's recent first responses per hour (0 when the ticket went to an
    /// agent on arrival: no queue ahead to forecast).
    pub first_responses_per_hour: f64,
}

/// Hours the pace is measured over.
pub const PACE_HOURS: i64 = 4;
/// A forecast this close to the SLA due time is not worth a second sentence.
const WORTH_SAYING_MS: i64 = 15 * 60 * 1000;
/// Business weeks beyond which no date is forecast: a queue that deep will be
/// worked down by surge measures long before the pace of the last hours
/// clears it, so a date that far out would be false precision (and walking
/// the calendar to it costs each new ticket more the deeper the queue).
pub const FORECAST_WEEKS: i64 = 4;

/// What a new ticket's customer is told about the first response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpectedResponse {
    /// When the first response is due under the SLA.
    pub sla_due: Option<chrono::DateTime<chrono::Utc>>,
    /// When the current queue and pace say it will come (absent: no pace
    /// measured yet, or the wait is beyond [`FORECAST_WEEKS`] business weeks).
    pub forecast: Option<chrono::DateTime<chrono::Utc>>,
    /// The wait the queue and pace give is beyond four business weeks: no date
    /// is forecast, and the text says the reply may take longer than that.
    pub forecast_beyond_weeks: bool,
    /// Unassigned tickets ranked ahead of this one.
    pub tickets_ahead: usize,
    /// `false`: at least `tickets_ahead` (only the best few thousand are ranked).
    pub tickets_ahead_exact: bool,
    /// The team's recent first responses per hour (0 when the ticket went to an
    /// agent on arrival: no queue ahead to forecast).
    pub first_responses_per_hour: f64,
    /// The time zone the text uses: the customer's.
    pub timezone: String,
    /// In plain words, as the acknowledgment says it.
    pub text: String,
}

/// The expected first response for a ticket scored `score` at `now`; one
/// `assigned` on arrival has no queue ahead of it and gets the promise alone.
pub(crate) fn expected(
    s: &AppState,
    sla: &TicketSla,
    cal: &Calendar,
    tz: chrono_tz::Tz,
    score: f64,
    now: chrono::DateTime<chrono::Utc>,
    assigned: bool,
) -> ExpectedResponse {
    let now_ms = now.timestamp_millis();
    let pace = if assigned { 0.0 } else { s.capacity.read().map(|c| c.first_responses_per_hour).unwrap_or(0.0) };
    let (ahead, exact) = if assigned { (0, true) } else { s.queue.ahead(now_ms, score) };
    let wait_ms = (pace > 0.0).then(|| ((ahead + 1) as f64 / pace * 3_600_000.0) as i64);
    let beyond = wait_ms.is_some_and(|w| w > FORECAST_WEEKS * cal.week_ms().max(1));
    let forecast = wait_ms
        .filter(|_| !beyond)
        .and_then(|w| due(cal, now_ms, w, &[]).ok())
        .and_then(|d| chrono::DateTime::from_timestamp_millis(d.due_ms));
    let sla_due = sla.first_response.as_ref().map(|c| c.due);
    let mut text = sla.promise.clone().unwrap_or_default();
    if let Some(f) = forecast {
        let gap = sla_due.map(|d| f.timestamp_millis() - d.timestamp_millis());
        match gap {
            Some(g) if g < -WORTH_SAYING_MS => {
                text.push_str(&format!(" With the queue as it is, we expect to reply sooner, around {}.", when(f, tz)))
            }
            Some(g) if g > WORTH_SAYING_MS => text.push_str(&format!(
                " We are busier than usual: with the queue as it is, our reply may come around {}.",
                when(f, tz)
            )),
            None => text.push_str(&format!(" We expect to reply around {}.", when(f, tz))),
            _ => {}
        }
    } else if beyond {
        text.push_str(&format!(
            " We are much busier than usual: with the queue as it is, our reply may take more than {FORECAST_WEEKS} weeks."
        ));
    }
    ExpectedResponse {
        sla_due,
        forecast,
        forecast_beyond_weeks: beyond,
        tickets_ahead: ahead,
        tickets_ahead_exact: exact,
        first_responses_per_hour: pace,
        timezone: tz.name().to_string(),
        text: text.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use triage_core::clock::ManualClock;
    use triage_core::policy::Policy;
    use triage_core::queue::QueueItem;
    use triage_core::sla::{ticket_sla, History};
    use triage_store::scratch::ScratchDatabase;
    use triage_store::{Backend, DatabaseUrl, Store};

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc)
    }

    #[tokio::test]
    async fn the_forecast_is_the_queue_ahead_over_the_team_pace_in_business_time() {
        let db = ScratchDatabase::new(Backend::Sqlite).await;
        let store = Store::connect(&DatabaseUrl::parse(&db.url).unwrap()).await.unwrap();
        // Monday 30 Nov 2026, 10:00 Berlin.
        let now = at("2026-11-30T09:00:00Z");
        let s = AppState::new(store, Policy::builtin(), Arc::new(ManualClock::new(now)));
        // 30 unassigned tickets scoring 50-79, one assigned scoring more (not ahead).
        for i in 0..31 {
            let item = QueueItem {
                id: i + 1,
                version: 1,
                open: true,
                assigned: i == 30,
                created_ms: now.timestamp_millis(),
                category: None,
                team: None,
                tier: None,
                tags: &[],
                points: None,
                score: Some(if i == 30 { 99.0 } else { 50.0 + i as f64 }),
                level: None,
                sla_due_ms: None,
            };
            s.queue.lock().upsert(&item, now.timestamp_millis());
        }
        s.capacity.write().unwrap().first_responses_per_hour = 10.0;
        let def = s.policy.sla_policy("standard").unwrap();
        let cal = s.policy.calendar("office").unwrap().compiled.clone();
        let ms = now.timestamp_millis();
        let h = History::new(ms, None);
        // Standard P2: first response in 4 business hours, due 14:00 Berlin.
        let sla = ticket_sla(def, &cal, "P2", &h, ms);
        let e = expected(&s, &sla, &cal, cal.tz, 40.0, now, false);
        assert_eq!((e.tickets_ahead, e.tickets_ahead_exact), (30, true));
        // 31 tickets (with this one) at 10 an hour: 3 h 6 min, 13:06 Berlin.
        assert_eq!(e.forecast, Some(at("2026-11-30T12:06:00Z")));
        assert_eq!(e.sla_due, Some(at("2026-11-30T13:00:00Z")));
        assert_eq!(
            e.text,
            "We will reply by Mon 30 Nov 14:00 CET. With the queue as it is, we expect to reply sooner, around Mon 30 Nov 13:06 CET."
        );
        // A ticket scoring 65 has 14 ahead (66..79).
        assert_eq!(expected(&s, &sla, &cal, cal.tz, 65.0, now, false).tickets_ahead, 14);
        // A slow team: 1 an hour puts 31 tickets days out, past the promise.
        s.capacity.write().unwrap().first_responses_per_hour = 1.0;
        let e = expected(&s, &sla, &cal, cal.tz, 40.0, now, false);
        assert!(e.forecast.unwrap() > e.sla_due.unwrap());
        assert!(e.text.contains("We are busier than usual"), "{}", e.text);
        // A queue over four business weeks deep at this pace (office hours,
        // 40 h a week, 160 h in four: 31 tickets at 0.15 an hour is 207 h):
        // no date, said so.
        s.capacity.write().unwrap().first_responses_per_hour = 0.15;
        let e = expected(&s, &sla, &cal, cal.tz, 40.0, now, false);
        assert!(e.forecast.is_none() && e.forecast_beyond_weeks, "{e:?}");
        assert!(e.text.ends_with("our reply may take more than 4 weeks."), "{}", e.text);
        // Just under it (0.25 an hour: 124 h, 3.1 weeks): a date, as before.
        s.capacity.write().unwrap().first_responses_per_hour = 0.25;
        let e = expected(&s, &sla, &cal, cal.tz, 40.0, now, false);
        assert!(e.forecast.is_some() && !e.forecast_beyond_weeks, "{e:?}");
        // No pace measured yet: the promise alone.
        s.capacity.write().unwrap().first_responses_per_hour = 0.0;
        let e = expected(&s, &sla, &cal, cal.tz, 40.0, now, false);
        assert_eq!((e.forecast, e.text.as_str()), (None, "We will reply by Mon 30 Nov 14:00 CET."));
    }
}
