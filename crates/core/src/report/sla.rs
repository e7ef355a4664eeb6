//! SLA attainment and response-time distributions over a set of tickets.
//!
//! Pure: the caller hands each ticket's clocks (from `sla::ticket_sla`) with the
//! keys to group by and the measured times; this adds them up.

use crate::sla::{ClockPhase, TicketSla};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Met, breached and still running (or paused) targets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Tally {
    pub met: u64,
    pub breached: u64,
    pub in_progress: u64,
}

impl Tally {
    fn add(&mut self, phase: ClockPhase) {
        match phase {
            ClockPhase::Met => self.met += 1,
            ClockPhase::Breached => self.breached += 1,
            ClockPhase::Running | ClockPhase::Paused => self.in_progress += 1,
        }
    }

    /// Met out of decided (met + breached), in percent; `None` before any is decided.
    pub fn attainment_pct(&self) -> Option<f64> {
        let decided = self.met + self.breached;
        (decided > 0).then(|| 100.0 * self.met as f64 / decided as f64)
    }
}

/// Attainment of one group: first response, next reply and resolution targets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Attainment {
    /// The group's value (a plan, level, category, team, agent id); `none` when unset.
    pub key: String,
    pub tickets: u64,
    pub first_response: Tally,
    pub next_reply: Tally,
    pub resolution: Tally,
    /// Met out of decided, all targets together, in percent.
    pub attainment_pct: Option<f64>,
}

impl Attainment {
    fn add(&mut self, sla: &TicketSla) {
        self.tickets += 1;
        for (tally, clock) in [
            (&mut self.first_response, &sla.first_response),
            (&mut self.next_reply, &sla.next_reply),
            (&mut self.resolution, &sla.resolution),
        ] {
            if let Some(c) = clock {
                tally.add(c.state);
            }
        }
        let all = Tally {
            met: self.first_response.met + self.next_reply.met + self.resolution.met,
            breached: self.first_response.breached + self.next_reply.breached + self.resolution.breached,
            in_progress: 0,
        };
        self.attainment_pct = all.attainment_pct();
    }
}

/// Median and 90th percentile of a set of durations, in seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct Distribution {
    pub count: u64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

impl Distribution {
    pub fn of(mut values: Vec<i64>) -> Distribution {
        values.sort_unstable();
        Distribution {
            count: values.len() as u64,
            median_seconds: percentile(&values, 0.5),
            p90_seconds: percentile(&values, 0.9),
        }
    }
}

/// A time measured two ways: business time on the SLA calendar (pauses
/// excluded), and plain elapsed time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct Times {
    pub business: Distribution,
    pub calendar: Distribution,
}

/// One ticket as the report reads it.
#[derive(Debug, Clone)]
pub struct ReportTicket {
    pub plan: Option<String>,
    pub level: Option<String>,
    pub category: Option<String>,
    pub team: Option<String>,
    pub agent: Option<i64>,
    pub sla: TicketSla,
    /// Creation to first agent reply, (business, calendar) seconds.
    pub first_response: Option<(i64, i64)>,
    /// Creation to solved.
    pub resolution: Option<(i64, i64)>,
}

/// SLA attainment by plan, priority, category, team and agent, and the time
/// distributions, over the tickets given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct SlaReport {
    pub overall: Attainment,
    pub by_plan: Vec<Attainment>,
    pub by_priority: Vec<Attainment>,
    pub by_category: Vec<Attainment>,
    pub by_team: Vec<Attainment>,
    pub by_agent: Vec<Attainment>,
    pub first_response_time: Times,
    pub resolution_time: Times,
}

fn grouped(
    tickets: &[ReportTicket],
    key: impl Fn(&ReportTicket) -> Option<String>,
    order: &[String],
) -> Vec<Attainment> {
    let mut groups: BTreeMap<String, Attainment> = BTreeMap::new();
    for t in tickets {
        let k = key(t).unwrap_or_else(|| "none".into());
        groups.entry(k.clone()).or_insert_with(|| Attainment { key: k, ..Default::default() }).add(&t.sla);
    }
    let mut out: Vec<Attainment> = groups.into_values().collect();
    // Levels read best most urgent first; everything else by name.
    out.sort_by_key(|a| (order.iter().position(|o| *o == a.key).unwrap_or(usize::MAX), a.key.clone()));
    out
}

/// Adds up the report; `levels` orders the by-priority rows (most urgent first).
pub fn sla_report(tickets: &[ReportTicket], levels: &[String]) -> SlaReport {
    let mut overall = Attainment { key: "all".into(), ..Default::default() };
    for t in tickets {
        overall.add(&t.sla);
    }
    let times = |f: fn(&ReportTicket) -> Option<(i64, i64)>| Times {
        business: Distribution::of(tickets.iter().filter_map(f).map(|x| x.0).collect()),
        calendar: Distribution::of(tickets.iter().filter_map(f).map(|x| x.1).collect()),
    };
    SlaReport {
        overall,
        by_plan: grouped(tickets, |t| t.plan.clone(), &[]),
        by_priority: grouped(tickets, |t| t.level.clone(), levels),
        by_category: grouped(tickets, |t| t.category.clone(), &[]),
        by_team: grouped(tickets, |t| t.team.clone(), &[]),
        by_agent: grouped(tickets, |t| t.agent.map(|a| a.to_string()), &[]),
        first_response_time: times(|t| t.first_response),
        resolution_time: times(|t| t.resolution),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::Clock;

    fn clock(state: ClockPhase) -> Option<Clock> {
        Some(Clock {
            target_seconds: 3600,
            due: Default::default(),
            state,
            elapsed_seconds: 0,
            remaining_seconds: 0,
            paused: false,
            warning: false,
            warning_at: Default::default(),
            started_ms: 0,
            stopped: false,
            stopped_ms: None,
            policy_version: None,
            recorded: false,
        })
    }

    fn ticket(plan: &str, level: &str, fr: ClockPhase, res: ClockPhase, times: Option<(i64, i64)>) -> ReportTicket {
        ReportTicket {
            plan: Some(plan.into()),
            level: Some(level.into()),
            category: None,
            team: Some("payments".into()),
            agent: None,
            sla: TicketSla { first_response: clock(fr), resolution: clock(res), ..Default::default() },
            first_response: times,
            resolution: None,
        }
    }

    #[test]
    fn attainment_counts_decided_targets_by_group() {
        use ClockPhase::*;
        let ts = vec![
            ticket("basic", "P3", Met, Running, Some((600, 600))),
            ticket("basic", "P1", Breached, Breached, Some((7200, 9000))),
            ticket("premium", "P1", Met, Met, Some((300, 300))),
            ticket("premium", "P2", Paused, Running, None),
        ];
        let levels: Vec<String> = ["P1", "P2", "P3", "P4"].map(String::from).to_vec();
        let r = sla_report(&ts, &levels);
        assert_eq!(r.overall.tickets, 4);
        assert_eq!(r.overall.first_response, Tally { met: 2, breached: 1, in_progress: 1 });
        assert_eq!(r.overall.resolution, Tally { met: 1, breached: 1, in_progress: 2 });
        // 3 met of 5 decided.
        assert_eq!(r.overall.attainment_pct, Some(60.0));
        assert_eq!(r.by_priority.iter().map(|a| a.key.as_str()).collect::<Vec<_>>(), ["P1", "P2", "P3"]);
        let basic = &r.by_plan[0];
        assert_eq!((basic.key.as_str(), basic.first_response.met, basic.first_response.breached), ("basic", 1, 1));
        assert_eq!(r.by_agent[0].key, "none");
        assert_eq!(r.by_team[0].tickets, 4);
        // First responses: 300, 600, 7200 business seconds.
        assert_eq!(r.first_response_time.business.count, 3);
        assert_eq!(r.first_response_time.business.median_seconds, Some(600));
        assert_eq!(r.first_response_time.business.p90_seconds, Some(7200));
        assert_eq!(r.first_response_time.calendar.p90_seconds, Some(9000));
        assert_eq!(r.resolution_time.business.median_seconds, None);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let d = Distribution::of((1..=10).collect());
        assert_eq!((d.median_seconds, d.p90_seconds), (Some(5), Some(9)));
        let one = Distribution::of(vec![42]);
        assert_eq!((one.median_seconds, one.p90_seconds), (Some(42), Some(42)));
    }
}
