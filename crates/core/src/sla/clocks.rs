//! A ticket's SLA clocks at an instant, computed from its history alone, so a
//! restart or a replay gives the same answer.

use super::calendar::Calendar;
use super::due::{due, elapsed, Pause};
use crate::policy::SlaPolicyDef;
use crate::ticket::Status;
use serde::Serialize;
use utoipa::ToSchema;

/// What happened to a ticket that its clocks depend on (UTC ms, in order).
#[derive(Debug, Clone, Default)]
pub struct History {
    pub created_ms: i64,
    /// Status from each instant on; the first entry is the status at creation.
    pub statuses: Vec<(i64, Status)>,
    /// The customer's public replies (not the first message).
    pub customer_replies: Vec<i64>,
    /// Agents' public replies.
    pub agent_replies: Vec<i64>,
    pub solved_ms: Option<i64>,
}

impl History {
    /// A ticket's history as it starts: created (status `new` until told otherwise).
    pub fn new(created_ms: i64, solved_ms: Option<i64>) -> History {
        History { created_ms, statuses: vec![(created_ms, Status::New)], solved_ms, ..Default::default() }
    }

    /// A status the ticket took at `at_ms`; `initial`: the one it was created
    /// (or imported) with.
    pub fn status(&mut self, at_ms: i64, status: Status, initial: bool) {
        if initial {
            self.statuses[0] = (self.created_ms, status);
        } else {
            self.statuses.push((at_ms, status));
        }
    }

    /// A public reply: the customer's or an agent's (the system's own messages,
    /// like the acknowledgment, answer nobody).
    pub fn reply(&mut self, at_ms: i64, author: crate::ticket::Actor) {
        match author {
            crate::ticket::Actor::Contact(_) => self.customer_replies.push(at_ms),
            crate::ticket::Actor::Agent(_) => self.agent_replies.push(at_ms),
            crate::ticket::Actor::System => {}
        }
    }

    /// The history as it stood at `at_ms`: what happened later left out, so the
    /// clocks at a past instant read as they did then (a replay).
    pub fn as_of(&self, at_ms: i64) -> History {
        let mut statuses: Vec<(i64, Status)> = self.statuses.iter().copied().filter(|(t, _)| *t <= at_ms).collect();
        if statuses.is_empty() {
            statuses = self.statuses.first().copied().into_iter().collect();
        }
        let done = matches!(statuses.last(), Some((_, Status::Solved | Status::Closed)));
        History {
            created_ms: self.created_ms,
            customer_replies: self.customer_replies.iter().copied().filter(|t| *t <= at_ms).collect(),
            agent_replies: self.agent_replies.iter().copied().filter(|t| *t <= at_ms).collect(),
            // Solved then: when it was last solved up to that instant.
            solved_ms: if done { statuses.last().map(|(t, _)| *t).or(self.solved_ms) } else { None },
            statuses,
        }
    }

    /// The stretches the clock stood still under `def`, up to `now_ms`.
    pub fn pauses(&self, def: &SlaPolicyDef, now_ms: i64) -> Vec<Pause> {
        pauses(def, self, now_ms)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockPhase {
    Running,
    Paused,
    Met,
    Breached,
}

/// One target's clock.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Clock {
    pub target_seconds: i64,
    /// When it falls due (if a pause is running, assuming it ends now).
    pub due: chrono::DateTime<chrono::Utc>,
    pub state: ClockPhase,
    /// Business time spent so far (pauses excluded; up to the reply or
    /// resolution once stopped).
    pub elapsed_seconds: i64,
    /// Business time left (negative once breached).
    pub remaining_seconds: i64,
    pub paused: bool,
    /// Past the policy's warning fraction of the target.
    pub warning: bool,
    /// When the warning is (or was) raised: the policy's `warn_at` of the target.
    pub warning_at: chrono::DateTime<chrono::Utc>,
    /// When this run of the clock started (the ticket's creation, or the customer
    /// reply or agent update it counts from): names the run in trigger keys.
    #[serde(skip)]
    #[schema(ignore)]
    pub started_ms: i64,
    /// Met or breached for good: the awaited reply or resolution happened.
    #[serde(skip)]
    #[schema(ignore)]
    pub stopped: bool,
    /// When the awaited reply or resolution happened (UTC ms), once it did.
    #[serde(skip)]
    #[schema(ignore)]
    pub stopped_ms: Option<i64>,
    /// The policy version the clock is measured under: the one its outcome was
    /// recorded under once decided, else the one in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<String>,
    /// Its outcome (met or breached) is on record and will not change.
    #[serde(default)]
    pub recorded: bool,
}

/// Every clock of a ticket; a target the SLA policy does not set is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct TicketSla {
    pub first_response: Option<Clock>,
    pub next_reply: Option<Clock>,
    pub resolution: Option<Clock>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub periodic_update: Option<Clock>,
    /// What the customer is told, in plain words and their calendar's time zone:
    /// "We will reply by Tue 01 Dec 14:00 CET."
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promise: Option<String>,
}

impl TicketSla {
    /// When the next clock that is running (not paused, not stopped) falls due;
    /// a breached one that still runs counts, with its past due time.
    pub fn next_due(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        [&self.first_response, &self.next_reply, &self.resolution, &self.periodic_update]
            .into_iter()
            .flatten()
            .filter(|c| !c.stopped && !c.paused)
            .map(|c| c.due)
            .min()
    }

    /// The clock the customer's promise is about: the reply they wait for (first
    /// response, else next reply), or the resolution when no reply is owed.
    pub fn promised(&self) -> Option<&Clock> {
        let owed = |c: &&Clock| matches!(c.state, ClockPhase::Running | ClockPhase::Paused | ClockPhase::Breached);
        self.first_response
            .as_ref()
            .filter(owed)
            .or(self.next_reply.as_ref().filter(owed))
            .or(self.resolution.as_ref().filter(owed))
    }

    /// Words the promise again in `tz` (the customer's own time zone).
    pub fn reword(&mut self, tz: chrono_tz::Tz) {
        self.promise = self.promise_in(tz);
    }

    pub(crate) fn promise_in(&self, tz: chrono_tz::Tz) -> Option<String> {
        let when = |c: &Clock| when(c.due, tz);
        let owed = |c: &&Clock| matches!(c.state, ClockPhase::Running | ClockPhase::Paused | ClockPhase::Breached);
        if let Some(c) = self.first_response.as_ref().filter(owed).or(self.next_reply.as_ref().filter(owed)) {
            return Some(match c.state {
                ClockPhase::Paused => format!("We are waiting for your answer; then we will reply by {}.", when(c)),
                ClockPhase::Breached => format!("Our reply is overdue (it was due {}); we are on it.", when(c)),
                _ => format!("We will reply by {}.", when(c)),
            });
        }
        let r = self.resolution.as_ref().filter(owed)?;
        Some(match r.state {
            ClockPhase::Paused => format!("We are waiting for your answer; we aim to resolve this by {}.", when(r)),
            ClockPhase::Breached => "Resolving this is taking longer than we promised; we are on it.".to_string(),
            _ => format!("We aim to resolve this by {}.", when(r)),
        })
    }
}

/// An instant as the customer reads it: "Tue 01 Dec 14:00 CET".
pub fn when(at: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    at.with_timezone(&tz).format("%a %d %b %H:%M %Z").to_string()
}

/// The stretches the clock stood still, up to `now_ms`.
fn pauses(def: &SlaPolicyDef, h: &History, now_ms: i64) -> Vec<Pause> {
    let mut out = Vec::new();
    for (i, (at, st)) in h.statuses.iter().enumerate() {
        if def.pause_on.contains(st) {
            let end = h.statuses.get(i + 1).map_or(now_ms, |(t, _)| *t);
            out.push(Pause { start_ms: *at, end_ms: end.min(now_ms) });
        }
    }
    out
}

/// What every clock of one ticket shares.
struct Ctx<'a> {
    def: &'a SlaPolicyDef,
    cal: &'a Calendar,
    pauses: Vec<Pause>,
    paused_now: bool,
    now_ms: i64,
}

fn clock(c: &Ctx, start_ms: i64, stop_ms: Option<i64>, target_s: i64) -> Option<Clock> {
    let (def, cal, paused_now, now_ms) = (c.def, c.cal, c.paused_now, c.now_ms);
    // A clock that stopped is measured on the pauses before its stop: a later
    // pause (waiting on the customer after the reply) does not move its due time.
    let clipped: Vec<Pause>;
    let pauses = match stop_ms {
        Some(stop) if stop <= now_ms => {
            clipped = c
                .pauses
                .iter()
                .filter(|p| p.start_ms < stop)
                .map(|p| Pause { start_ms: p.start_ms, end_ms: p.end_ms.min(stop) })
                .collect();
            &clipped[..]
        }
        _ => &c.pauses[..],
    };
    let target = target_s * 1000;
    let d = due(cal, start_ms, target, pauses).ok()?;
    let warn_ms = due(cal, start_ms, (def.warn_at * target as f64) as i64, pauses).map_or(d.due_ms, |w| w.due_ms);
    let end = stop_ms.unwrap_or(now_ms).min(now_ms);
    let spent = elapsed(cal, start_ms, end, pauses);
    let state = match stop_ms {
        Some(stop) if stop <= now_ms => {
            if stop <= d.due_ms {
                ClockPhase::Met
            } else {
                ClockPhase::Breached
            }
        }
        _ if spent >= target => ClockPhase::Breached,
        _ if paused_now => ClockPhase::Paused,
        _ => ClockPhase::Running,
    };
    let running = matches!(state, ClockPhase::Running | ClockPhase::Paused);
    Some(Clock {
        target_seconds: target_s,
        due: chrono::DateTime::from_timestamp_millis(d.due_ms).unwrap_or_default(),
        state,
        elapsed_seconds: spent / 1000,
        remaining_seconds: (target - spent) / 1000,
        paused: running && paused_now,
        warning: spent as f64 >= def.warn_at * target as f64,
        warning_at: chrono::DateTime::from_timestamp_millis(warn_ms).unwrap_or_default(),
        started_ms: start_ms,
        stopped: stop_ms.is_some_and(|s| s <= now_ms),
        stopped_ms: stop_ms.filter(|s| *s <= now_ms),
        policy_version: None,
        recorded: false,
    })
}

/// The clocks of a ticket at `level` under `def` (on `cal`) at `now_ms`. The
/// current level's targets apply from the start, so a priority change re-targets
/// running clocks.
pub fn ticket_sla(def: &SlaPolicyDef, cal: &Calendar, level: &str, h: &History, now_ms: i64) -> TicketSla {
    let Some(t) = def.targets.get(level) else { return TicketSla::default() };
    let current = h.statuses.last().map(|(_, s)| *s);
    let paused_now = current.is_some_and(|s| def.pause_on.contains(&s));
    let c = Ctx { def, cal, pauses: pauses(def, h, now_ms), paused_now, now_ms };
    let done = matches!(current, Some(Status::Solved | Status::Closed));
    // The first public agent reply answers; a ticket solved without one was
    // answered by being solved (the customer heard back with the resolution).
    let solved = if done { h.solved_ms.or(Some(now_ms)) } else { None };
    let first_agent = h.agent_replies.iter().copied().find(|t| *t >= h.created_ms).or(solved);
    let first_response = t.first_response.and_then(|s| clock(&c, h.created_ms, first_agent, s));
    let resolution = t.resolution.and_then(|s| clock(&c, h.created_ms, solved, s));
    // Next reply: the customer's oldest reply since the last agent reply waits.
    let last_agent = h.agent_replies.last().copied().unwrap_or(i64::MIN);
    let waiting = h.customer_replies.iter().copied().find(|t| *t > last_agent && *t <= now_ms);
    let next_reply = match (t.next_reply, waiting) {
        (Some(s), Some(from)) if !done => clock(&c, from, None, s),
        (Some(s), None) => {
            // Answered: the last answered customer reply's clock, met or breached.
            let asked = h.customer_replies.iter().copied().rfind(|t| *t <= last_agent);
            asked.and_then(|from| {
                let answer = h.agent_replies.iter().copied().find(|a| *a >= from);
                clock(&c, from, answer, s)
            })
        }
        _ => None,
    };
    let periodic_update = match t.periodic_update {
        Some(s) if !done => {
            let from = h.agent_replies.last().copied().unwrap_or(h.created_ms).max(h.created_ms);
            clock(&c, from, None, s)
        }
        _ => None,
    };
    let mut out = TicketSla { first_response, next_reply, resolution, periodic_update, promise: None };
    out.promise = out.promise_in(cal.tz);
    out
}
