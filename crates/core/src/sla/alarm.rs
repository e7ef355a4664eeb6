//! Warnings and breaches as events in time: which ones a ticket's running
//! clocks hold, when the next one falls, and the key that names each so it is
//! acted on once.
//!
//! A trigger belongs to one run of one clock: the first response, the next reply
//! after a given customer message, the resolution, the periodic update after a
//! given agent update. Re-targeting (a priority change) moves its instant but not
//! its key, so a warning already raised is not raised again for the same run.

use super::clocks::{Clock, TicketSla};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The clocks of a ticket, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockName {
    FirstResponse,
    NextReply,
    Resolution,
    PeriodicUpdate,
}

impl ClockName {
    pub const ALL: [ClockName; 4] =
        [ClockName::FirstResponse, ClockName::NextReply, ClockName::Resolution, ClockName::PeriodicUpdate];

    pub fn as_str(self) -> &'static str {
        match self {
            ClockName::FirstResponse => "first_response",
            ClockName::NextReply => "next_reply",
            ClockName::Resolution => "resolution",
            ClockName::PeriodicUpdate => "periodic_update",
        }
    }

    /// In plain words, for people: "first response".
    pub fn words(self) -> &'static str {
        match self {
            ClockName::FirstResponse => "first response",
            ClockName::NextReply => "next reply",
            ClockName::Resolution => "resolution",
            ClockName::PeriodicUpdate => "periodic update",
        }
    }
}

impl std::str::FromStr for ClockName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| {
            format!("unknown SLA clock `{s}`: use first_response, next_reply, resolution or periodic_update")
        })
    }
}

/// What happens to a clock at a trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriggerKind {
    /// The policy's `warn_at` fraction of the target is spent.
    Warning,
    /// The target is spent.
    Breach,
}

impl TriggerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TriggerKind::Warning => "warning",
            TriggerKind::Breach => "breach",
        }
    }
}

impl std::str::FromStr for TriggerKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "warning" => Ok(TriggerKind::Warning),
            "breach" => Ok(TriggerKind::Breach),
            _ => Err(format!("unknown SLA trigger `{s}`: use warning or breach")),
        }
    }
}

/// One warning or breach of one clock run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub clock: ClockName,
    pub kind: TriggerKind,
    /// When it falls (UTC ms).
    pub at_ms: i64,
    /// The clock's due time and target, for the record.
    pub due_ms: i64,
    pub target_seconds: i64,
    pub started_ms: i64,
}

impl Trigger {
    /// Names this trigger for good: `first_response:breach:<run start ms>`.
    pub fn key(&self) -> String {
        format!("{}:{}:{}", self.clock.as_str(), self.kind.as_str(), self.started_ms)
    }
}

impl TicketSla {
    /// The clocks that are set, by name.
    pub fn clocks(&self) -> impl Iterator<Item = (ClockName, &Clock)> {
        [
            (ClockName::FirstResponse, &self.first_response),
            (ClockName::NextReply, &self.next_reply),
            (ClockName::Resolution, &self.resolution),
            (ClockName::PeriodicUpdate, &self.periodic_update),
        ]
        .into_iter()
        .filter_map(|(n, c)| c.as_ref().map(|c| (n, c)))
    }

    /// Every warning and breach the running clocks hold, past or future, in time
    /// order. A paused or stopped clock holds none: a pause moves them, and once
    /// the reply or resolution happened there is nothing left to warn about.
    pub fn triggers(&self) -> Vec<Trigger> {
        let mut out = Vec::new();
        for (name, c) in self.clocks().filter(|(_, c)| !c.stopped && !c.paused) {
            let (due_ms, warn_ms) = (c.due.timestamp_millis(), c.warning_at.timestamp_millis());
            for (kind, at_ms) in [(TriggerKind::Warning, warn_ms), (TriggerKind::Breach, due_ms)] {
                out.push(Trigger {
                    clock: name,
                    kind,
                    at_ms,
                    due_ms,
                    target_seconds: c.target_seconds,
                    started_ms: c.started_ms,
                });
            }
        }
        out.sort_by_key(|t| (t.at_ms, t.kind == TriggerKind::Breach));
        out
    }
}

/// What a ticket's triggers mean now, given the keys already acted on: the ones
/// that fell and wait to be acted on (in time order), and when the next one
/// falls (the ticker's alarm; `None`: nothing left).
pub fn due_triggers(sla: &TicketSla, fired: &[String], now_ms: i64) -> (Vec<Trigger>, Option<i64>) {
    let pending: Vec<Trigger> = sla.triggers().into_iter().filter(|t| !fired.contains(&t.key())).collect();
    let alarm = pending.iter().map(|t| t.at_ms).min();
    let fell = pending.into_iter().filter(|t| t.at_ms <= now_ms).collect();
    (fell, alarm)
}

/// What the customer was promised: which clock, when, and whether it waits on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    pub clock: ClockName,
    pub due_ms: i64,
    pub paused: bool,
}

impl Promise {
    /// Whether telling `self` after `before` says something new: another clock,
    /// a pause starting or ending, or a due time more than a minute away.
    pub fn moved_from(&self, before: &Promise) -> bool {
        self.clock != before.clock || self.paused != before.paused || (self.due_ms - before.due_ms).abs() > 60_000
    }
}

impl TicketSla {
    /// The promise the customer reads now, as a record to compare later ones with.
    pub fn promise_record(&self) -> Option<Promise> {
        let c = self.promised()?;
        let name = self.clocks().find(|(_, x)| std::ptr::eq(*x, c)).map(|(n, _)| n)?;
        Some(Promise { clock: name, due_ms: c.due.timestamp_millis(), paused: c.paused })
    }
}
