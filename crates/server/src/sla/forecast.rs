//! When a new ticket will really hear back: the tickets ahead of it in the queue
//! over the rate the team has been sending first responses.
//!
//! The rate is measured (first responses over the last hours, refreshed with the
//! queue volume), not configured, so the forecast follows the team's real pace;
//! the wait counts on the SLA calendar's business time, when agents answer.

use crate::state::AppState;
use serde::Serialize;
use triage_core::queue::QueueFilter;
use triage_core::sla::{due, when, Calendar, TicketSla};
use utoipa::ToSchema;

/// The team's recent pace.
#[derive(Debug, Default, Clone, Copy)]
pub struct Capacity {
    /// First responses sent per hour, measured over the last [`PACE_HOURS`].
    pub first_responses_per_hour: f64,
}

/// Hours the pace is measured over.
pub const PACE_HOURS: i64 = 4;
/// Tickets ahead counted at most (beyond, the forecast says "at least").
const AHEAD_CAP: usize = 10_000;
/// A forecast this close to the SLA due time is not worth a second sentence.
const WORTH_SAYING_MS: i64 = 15 * 60 * 1000;

/// What a new ticket's customer is told about the first response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpectedResponse {
    /// When the first response is due under the SLA.
    pub sla_due: Option<chrono::DateTime<chrono::Utc>>,
    /// When the current queue and pace say it will come (absent: no pace measured yet).
    pub forecast: Option<chrono::DateTime<chrono::Utc>>,
    /// Unassigned tickets ranked ahead of this one.
    pub tickets_ahead: usize,
    /// The team's recent first responses per hour.
    pub first_responses_per_hour: f64,
    /// The calendar's time zone the text uses.
    pub timezone: String,
    /// In plain words, as the acknowledgment says it.
    pub text: String,
}

/// The expected first response for a ticket scored `score` at `now`.
pub(crate) fn expected(
    s: &AppState,
    sla: &TicketSla,
    cal: &Calendar,
    score: f64,
    now: chrono::DateTime<chrono::Utc>,
) -> ExpectedResponse {
    let now_ms = now.timestamp_millis();
    let pace = s.capacity.read().map(|c| c.first_responses_per_hour).unwrap_or(0.0);
    let filter = QueueFilter { unassigned: true, ..Default::default() };
    let ahead = s.queue.lock().count_above(now_ms, &filter, score, AHEAD_CAP);
    let forecast = (pace > 0.0)
        .then(|| {
            let wait_ms = ((ahead + 1) as f64 / pace * 3_600_000.0) as i64;
            due(cal, now_ms, wait_ms, &[]).ok()
        })
        .flatten()
        .and_then(|d| chrono::DateTime::from_timestamp_millis(d.due_ms));
    let sla_due = sla.first_response.as_ref().map(|c| c.due);
    let mut text = sla.promise.clone().unwrap_or_default();
    if let Some(f) = forecast {
        let gap = sla_due.map(|d| f.timestamp_millis() - d.timestamp_millis());
        match gap {
            Some(g) if g < -WORTH_SAYING_MS => text
                .push_str(&format!(" With the queue as it is, we expect to reply sooner, around {}.", when(f, cal.tz))),
            Some(g) if g > WORTH_SAYING_MS => text.push_str(&format!(
                " We are busier than usual: with the queue as it is, our reply may come around {}.",
                when(f, cal.tz)
            )),
            None => text.push_str(&format!(" We expect to reply around {}.", when(f, cal.tz))),
            _ => {}
        }
    }
    ExpectedResponse {
        sla_due,
        forecast,
        tickets_ahead: ahead,
        first_responses_per_hour: pace,
        timezone: cal.tz.name().to_string(),
        text: text.trim().to_string(),
    }
}
