//! A clock run's outcome, met or breached, recorded when it happens and never
//! rewritten. Clocks are computed from a ticket's history on the level and
//! policy in force, so a later change of either would re-decide the past; the
//! record keeps it: a decided run keeps its state, its due time and its target,
//! and says which policy version decided it. Running clocks follow the level and
//! policy in force (a change re-targets them from the moment it takes effect).

use super::alarm::ClockName;
use super::clocks::{ClockPhase, TicketSla};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a clock run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    Breached,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Breached => "breached",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "met" => Some(Verdict::Met),
            "breached" => Some(Verdict::Breached),
            _ => None,
        }
    }
}

/// One clock run's recorded outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Outcome {
    pub clock: ClockName,
    /// When the run started (UTC ms): with the clock, names the run.
    pub run_started_ms: i64,
    pub verdict: Verdict,
    /// The due time it was measured against (UTC ms).
    pub due_ms: i64,
    /// When it was decided: the reply or resolution for a met run, the due
    /// time for a breach (UTC ms).
    pub decided_ms: i64,
    pub target_seconds: i64,
    pub level: String,
    pub sla_policy: String,
    pub policy_version: String,
}

impl TicketSla {
    /// The runs decided now that no record holds yet, as the records to make:
    /// met (stopped in time; decided at the reply or resolution) or breached
    /// (stopped late, or past due and still running; decided at the due time).
    pub fn unrecorded(&self, recorded: &[Outcome], level: &str, sla_policy: &str, version: &str) -> Vec<Outcome> {
        let mut out = Vec::new();
        for (name, c) in self.clocks() {
            if recorded.iter().any(|o| o.clock == name && o.run_started_ms == c.started_ms) {
                continue;
            }
            let due_ms = c.due.timestamp_millis();
            let (verdict, decided_ms) = match c.state {
                ClockPhase::Met => (Verdict::Met, c.stopped_ms.unwrap_or(due_ms)),
                ClockPhase::Breached => (Verdict::Breached, due_ms),
                _ => continue,
            };
            out.push(Outcome {
                clock: name,
                run_started_ms: c.started_ms,
                verdict,
                due_ms,
                decided_ms,
                target_seconds: c.target_seconds,
                level: level.to_string(),
                sla_policy: sla_policy.to_string(),
                policy_version: version.to_string(),
            });
        }
        out
    }

    /// Makes recorded outcomes final: a run on record keeps its verdict, due
    /// time, target and policy version, whatever the level or policy now says.
    /// Other clocks are marked as measured under `version`. The promise is
    /// worded again (in `tz`) from what is then known.
    pub fn apply_outcomes(&mut self, recorded: &[Outcome], version: &str, tz: chrono_tz::Tz) {
        for (name, c) in [
            (ClockName::FirstResponse, &mut self.first_response),
            (ClockName::NextReply, &mut self.next_reply),
            (ClockName::Resolution, &mut self.resolution),
            (ClockName::PeriodicUpdate, &mut self.periodic_update),
        ] {
            let Some(c) = c.as_mut() else { continue };
            match recorded.iter().find(|o| o.clock == name && o.run_started_ms == c.started_ms) {
                Some(o) => {
                    c.state = match o.verdict {
                        Verdict::Met => ClockPhase::Met,
                        Verdict::Breached => ClockPhase::Breached,
                    };
                    c.due = chrono::DateTime::from_timestamp_millis(o.due_ms).unwrap_or(c.due);
                    c.target_seconds = o.target_seconds;
                    c.remaining_seconds = o.target_seconds - c.elapsed_seconds;
                    c.paused = false;
                    c.policy_version = Some(o.policy_version.clone());
                    c.recorded = true;
                }
                None => c.policy_version = Some(version.to_string()),
            }
        }
        self.reword(tz);
    }
}
