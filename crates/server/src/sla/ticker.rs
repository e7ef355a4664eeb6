//! The SLA ticker: acts on warnings and breaches as they fall.
//!
//! Each open ticket stores when its next warning or breach falls
//! (`sla_alarm_at`, indexed), so a tick reads only the tickets whose alarm has
//! come, never the open backlog. A tick claims a batch of them (their alarms
//! move to the end of a lease, so several server processes share the work and
//! a process that dies leaves its batch to the others when the lease ends),
//! works out each ticket's `sla_warning` / `sla_breached` events, the policy's
//! escalations (reassign, notify, tag) and a breach's outcome, and writes the
//! whole batch in one transaction. A claim on each trigger's key (its primary
//! key) makes it happen exactly once, after a restart and across processes.
//!
//! `triage_sla_ticker_lag_seconds` says how far behind the ticker is: how long
//! the oldest unclaimed alarm has been due.

use super::SlaState;
use crate::error::ApiResult;
use crate::state::AppState;
use futures::StreamExt;
use std::time::Duration;
use triage_core::policy::{EscalationDef, NotifyTarget, Reassign};
use triage_core::routing::Landing;
use triage_core::sla::{due_triggers, when, Outcome, Trigger, TriggerKind, Verdict};
use triage_core::ticket::event_data::{FieldsChanged, Moved, SlaFell};
use triage_core::ticket::{Actor, Status, Ticket};
use triage_core::ticket::{EventData, TicketPatch};
use triage_store::{Extras, ModifyError, NewEvent, NewNotification, SlaWrite, SlaWritten};

/// How often the ticker looks when it has caught up.
pub const EVERY: Duration = Duration::from_secs(1);
/// Most tickets claimed, and written in one transaction, per tick (the
/// default of `AppState::sla_batch`); a full batch is followed by the next at once.
pub const BATCH: i64 = 500;
/// How long a claimed batch is this process's: after that, another process
/// (or this one) claims what was not written.
pub const LEASE: Duration = Duration::from_secs(30);
/// Tickets worked out at once (their customer and contact may need a read).
const READS: usize = 8;

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// Tickets whose alarm had come (claimed by this tick).
    pub tickets: usize,
    /// Warnings and breaches acted on by this process.
    pub fired: usize,
    /// Tickets left for the next tick: changed while the batch was worked
    /// out, or acted on by another process meanwhile.
    pub again: usize,
    /// How late the latest-acted warning or breach was, in milliseconds after
    /// it fell (0 when none was acted on).
    pub late_ms: i64,
    /// How long the oldest unclaimed alarm had been due when the tick began
    /// (the `triage_sla_ticker_lag_seconds` gauge), ms.
    pub lag_ms: i64,
}

/// Ticks until `stop` turns true (checked between ticks, so a tick's writes
/// and its log line go together): at once again after a full batch, else
/// every [`EVERY`].
pub async fn run(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    while !*stop.borrow() {
        let full = match tick(&state).await {
            Ok(t) => {
                if t.fired > 0 {
                    tracing::info!(
                        tickets = t.tickets,
                        fired = t.fired,
                        late_ms = t.late_ms,
                        "SLA warnings and breaches"
                    );
                    // An escalation may have taken tickets off their agents:
                    // the router reads their open work again, so the next push
                    // sees the room it freed (not after its periodic refresh).
                    if let Err(e) = state.routing.refresh(&state).await {
                        tracing::warn!(error = %e, "cannot refresh the router");
                    }
                }
                t.tickets as i64 >= state.sla_batch
            }
            Err(e) => {
                tracing::warn!(error = ?e, "SLA ticker");
                false
            }
        };
        // Customers whose changes have gathered for the coalescing window.
        if let Err(e) = super::notice::deliver_due(&state).await {
            tracing::warn!(error = ?e, "telling customers");
        }
        if !full {
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

/// One batch of the tickets whose alarm has come.
pub async fn tick(s: &AppState) -> ApiResult<Tick> {
    let now = s.now();
    let lag = s.store.oldest_sla_alarm(now).await?.map_or(0, |a| (now.timestamp_millis() - a).max(0));
    metrics::gauge!("triage_sla_ticker_lag_seconds").set(lag as f64 / 1e3);
    let lease = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let ids = s.store.claim_sla_alarms(now, lease, s.sla_batch).await?;
    let mut out = Tick { tickets: ids.len(), lag_ms: lag, ..Tick::default() };
    if ids.is_empty() {
        return Ok(out);
    }
    let mut reads = s.store.sla_reads(&ids).await?;
    let inputs: Vec<_> = std::mem::take(&mut reads.tickets)
        .into_iter()
        .map(|t| {
            let id = t.id;
            let events = reads.events.remove(&id).unwrap_or_default();
            let public = reads.comments.remove(&id).unwrap_or_default();
            let outcomes = reads.outcomes.remove(&id).unwrap_or_default();
            let fired = reads.fired.remove(&id).unwrap_or_default();
            (t, events, public, outcomes, fired)
        })
        .collect();
    let planned: Vec<_> = futures::stream::iter(inputs)
        .map(|(t, events, public, outcomes, fired)| async move {
            (t.id, plan(s, t, events, &public, outcomes, fired).await)
        })
        .buffered(READS)
        .collect()
        .await;
    let mut writes = Vec::with_capacity(planned.len());
    let mut fell = Vec::with_capacity(planned.len());
    for (id, p) in planned {
        match p {
            // A ticket that cannot be read is claimed again when its lease ends.
            Err(e) => tracing::warn!(ticket = id, error = ?e, "SLA ticker"),
            Ok((w, late, acted_on)) => {
                fell.push((acted_on, late));
                writes.push(w);
            }
        }
    }
    // Recorded when written: how late each was is measured to the commit.
    let written = s.store.write_sla_batch(&writes, s.now()).await?;
    for ((r, w), (n, late)) in written.iter().zip(&writes).zip(fell) {
        match r {
            SlaWritten::Done(t) => {
                if let Some(t) = t {
                    // A ticket the escalations moved (team, tier or assignee),
                    // or whose outcomes are left to settle, is followed up (to
                    // be routed); the others' due time and alarm are stored.
                    let (a, b) = (&w.after, &w.before);
                    if (&a.team, a.tier, a.assignee_id) != (&b.team, b.tier, b.assignee_id) || !w.settles {
                        s.followup.wrote(s, t);
                    } else {
                        s.queue.put(t);
                    }
                }
                out.fired += n;
                out.late_ms = out.late_ms.max(late);
            }
            SlaWritten::Again => out.again += 1,
        }
    }
    metrics::counter!("triage_sla_triggers_fired_total").increment(out.fired as u64);
    if out.fired > 0 {
        metrics::histogram!("triage_sla_trigger_late_seconds").record(out.late_ms as f64 / 1e3);
    }
    Ok(out)
}

/// What the ticker does to one ticket whose alarm came, worked out from what is
/// stored now (`done`: the triggers acted on before), with how late its latest
/// warning or breach is (ms) and how many it acts on. A ticket with nothing fallen (its alarm was
/// early, or it was answered meanwhile) only gets its next due time and alarm.
async fn plan(
    s: &AppState,
    t: Ticket,
    events: Vec<triage_core::ticket::Event>,
    public: &[triage_core::ticket::Comment],
    outcomes: Vec<Outcome>,
    done: Vec<String>,
) -> ApiResult<(SlaWrite, i64, usize)> {
    let mut w = SlaWrite {
        before: t.clone(),
        after: t.clone(),
        claims: Vec::new(),
        events: Vec::new(),
        notifications: Vec::new(),
        outcomes: Vec::new(),
        due: None,
        alarm: None,
        settles: false,
    };
    if matches!(t.status, Status::Solved | Status::Closed) {
        // No clock runs; settling what its last write decided is its writer's.
        return Ok((w, 0, 0));
    }
    let customer = crate::prioritize::customer(s, t.organization_id).await?;
    let Some(st) = super::status_of(s, &t, customer, events, public, outcomes).await? else { return Ok((w, 0, 0)) };
    let now_ms = s.now().timestamp_millis();
    let (fell, _) = due_triggers(&st.sla, &done, now_ms);
    let (mut late, mut acted_on) = (0, 0);
    for trig in &fell {
        // A warning whose breach is already on record (a breach found late at
        // start, say) is stale: claimed, so it never falls again, and not said.
        let breach = Trigger { kind: TriggerKind::Breach, ..trig.clone() }.key();
        if trig.kind == TriggerKind::Warning && done.contains(&breach) {
            w.claims.push(trig.key());
            continue;
        }
        acted_on += 1;
        // Each trigger sees the ticket as the ones before it left it.
        let f = effects(s, &w.after, &st, trig).await;
        w.events.extend(f.apply(&mut w.after));
        w.claims.push(trig.key());
        w.notifications.extend(f.notifications);
        w.outcomes.extend(f.outcome);
        late = late.max(now_ms - trig.at_ms);
    }
    let mut acted = done.clone();
    acted.extend(w.claims.iter().cloned());
    w.due = st.sla.next_due();
    w.alarm = due_triggers(&st.sla, &acted, now_ms).1.and_then(chrono::DateTime::from_timestamp_millis);
    // The outcomes decided and not on record go with the write, so the
    // ticket is settled at its new version (as `settle` would make it).
    let level = t.level().map(String::from).unwrap_or_default();
    w.settles = true;
    for o in st.sla.unrecorded(&st.outcomes, &level, &st.policy_name, &s.policy.version) {
        let key = breach_of(&o).key();
        if o.verdict == Verdict::Met || done.contains(&key) {
            w.outcomes.push(o);
        } else if !w.claims.contains(&key) {
            w.settles = false;
        }
    }
    Ok((w, late, acted_on))
}

/// The breach trigger an outcome on record answers.
pub(crate) fn breach_of(o: &Outcome) -> Trigger {
    Trigger {
        clock: o.clock,
        kind: TriggerKind::Breach,
        at_ms: o.due_ms,
        due_ms: o.due_ms,
        target_seconds: o.target_seconds,
        started_ms: o.run_started_ms,
    }
}

/// The escalations that apply to `trig` on a ticket at `level`.
fn rules<'p>(s: &'p AppState, trig: &Trigger, level: &str, policy: &str) -> Vec<&'p EscalationDef> {
    s.policy.escalations.iter().filter(|r| r.applies(trig.kind, trig.clock, level, policy)).collect()
}

/// What one warning or breach does to a ticket: its event, the escalations'
/// moves and tags, who is told, and a breach's outcome.
pub(crate) struct Effects {
    record: EventData,
    reason: String,
    /// Where the ticket was when this was worked out.
    here: (Option<String>, Option<triage_core::agent::Tier>),
    moves: Vec<(String, Landing)>,
    tags: Vec<String>,
    pub notifications: Vec<NewNotification>,
    pub outcome: Option<Outcome>,
}

impl Effects {
    /// Applies the moves and tags to `t`; returns the events that makes.
    pub fn apply(&self, t: &mut Ticket) -> Vec<NewEvent> {
        let mut events = vec![NewEvent { data: self.record.clone(), reason: Some(self.reason.clone()) }];
        let mut changes = Vec::new();
        for (_, landing) in &self.moves {
            let (team, tier) = match landing {
                Landing::AsAsked { team, tier } => (team.clone(), *tier),
                Landing::NearestTier { team, tier, .. } => (team.clone(), Some(*tier)),
                Landing::Stayed { .. } => continue,
            };
            if (team.clone(), tier) == (t.team.clone(), t.tier) {
                continue;
            }
            let mut patch = TicketPatch { team: Some(team), tier: Some(tier), ..Default::default() };
            if t.assignee_id.is_some() {
                patch.assignee_id = Some(None);
            }
            changes.extend(t.apply(&patch));
        }
        let mut tags = t.tags.clone();
        for tag in &self.tags {
            if !tags.contains(tag) {
                tags.push(tag.clone());
            }
        }
        changes.extend(t.apply(&TicketPatch { tags: Some(tags), ..Default::default() }));
        if !changes.is_empty() {
            events.push(NewEvent {
                data: EventData::FieldsChanged(FieldsChanged { changes, sla_escalation: true, erased: None }),
                reason: Some(self.reason.clone()),
            });
        }
        events
    }
}

/// Works out what `trig` does to `t` (see [`Effects`]). On a ticket already
/// solved or closed (a breach found late) there is nothing left to act on:
/// the event and the outcome only.
pub(crate) async fn effects(s: &AppState, t: &Ticket, st: &SlaState, trig: &Trigger) -> Effects {
    let level = t.level().map(String::from).unwrap_or_default();
    let done = matches!(t.status, Status::Solved | Status::Closed);
    let rules = if done { Vec::new() } else { rules(s, trig, &level, &st.policy_name) };
    let what = match trig.kind {
        TriggerKind::Warning => "at risk",
        TriggerKind::Breach => "breached",
    };
    let reason = format!(
        "SLA {} {what}{}",
        trig.clock.words(),
        if rules.is_empty() {
            String::new()
        } else {
            format!(": escalation {}", rules.iter().map(|r| format!("`{}`", r.name)).collect::<Vec<_>>().join(", "))
        }
    );
    let due = chrono::DateTime::from_timestamp_millis(trig.due_ms).unwrap_or_default();
    let outcome = (trig.kind == TriggerKind::Breach).then(|| Outcome {
        clock: trig.clock,
        run_started_ms: trig.started_ms,
        verdict: Verdict::Breached,
        due_ms: trig.due_ms,
        decided_ms: trig.due_ms,
        target_seconds: trig.target_seconds,
        level: level.clone(),
        sla_policy: st.policy_name.clone(),
        policy_version: s.policy.version.clone(),
    });
    let mut notifications: Vec<NewNotification> = Vec::new();
    let body = format!(
        "#{} {} ({level}, {}): {} {what}, due {}{}",
        t.id,
        t.subject,
        st.customer.org.name,
        trig.clock.words(),
        when(due, st.tz),
        if rules.is_empty() { String::new() } else { format!(" — {reason}") }
    );
    for r in &rules {
        for n in &r.notify {
            let to = match n {
                NotifyTarget::Assignee => t.assignee_id.map(|a| format!("agent:{a}")),
                NotifyTarget::Owner => st.customer.org.owner_id.map(|a| format!("agent:{a}")),
                NotifyTarget::Team => t.team.as_ref().map(|x| format!("team:{x}")),
                NotifyTarget::TeamNamed(x) => Some(format!("team:{x}")),
            };
            if let Some(to) = to.filter(|to| !notifications.iter().any(|n| &n.recipient == to)) {
                notifications.push(NewNotification {
                    recipient: to,
                    kind: format!("sla_{}", trig.kind.as_str()),
                    body: body.clone(),
                });
            }
        }
    }
    // Reassignments land where someone works: the nearest tier with an agent, or stay.
    let here = (t.team.clone(), t.tier);
    let mut moves: Vec<(String, Landing)> = Vec::new();
    for r in &rules {
        let asked = match &r.reassign {
            Some(Reassign::NextTier) => match t.tier.and_then(|x| x.next()) {
                Some(next) => (t.team.clone(), Some(next)),
                None => continue,
            },
            Some(Reassign::Team(x)) if t.team.as_deref() != Some(x) => (Some(x.clone()), t.tier),
            _ => continue,
        };
        let landing = s.routing.landing((here.0.as_deref(), here.1), (asked.0.as_deref(), asked.1));
        if let Landing::Stayed { why } = &landing {
            for to in crate::routing::stuck_recipients(s, here.0.as_deref()).await {
                if !notifications.iter().any(|n| n.recipient == to && n.kind == "escalation_stuck") {
                    notifications.push(NewNotification {
                        recipient: to,
                        kind: "escalation_stuck".into(),
                        body: format!("#{} {}: escalation `{}` could not move it: {why}", t.id, t.subject, r.name),
                    });
                }
            }
        }
        moves.push((r.name.clone(), landing));
    }
    let fell = SlaFell {
        clock: trig.clock,
        due: Some(due),
        target_seconds: trig.target_seconds,
        level: level.clone(),
        run_started: chrono::DateTime::from_timestamp_millis(trig.started_ms),
        trigger: trig.key(),
        policy: st.policy_name.clone(),
        escalations: rules.iter().map(|r| r.name.clone()).collect(),
        notified: notifications.iter().map(|n| n.recipient.clone()).collect(),
        reassign: moves.iter().map(|(name, l)| Moved { escalation: name.clone(), landing: l.clone() }).collect(),
    };
    let record = match trig.kind {
        TriggerKind::Warning => EventData::SlaWarning(fell),
        TriggerKind::Breach => EventData::SlaBreached(fell),
    };
    Effects {
        record,
        reason,
        here,
        moves,
        tags: rules.iter().filter_map(|r| r.add_tag.clone()).collect(),
        notifications,
        outcome,
    }
}

/// Records one warning or breach with its escalations, once, in a transaction
/// of its own (a breach found late, see `settle`); a breach's outcome is
/// recorded with it. Returns whether this call did it (`false`: it was done
/// before, here or elsewhere).
pub(crate) async fn fire(s: &AppState, t: &Ticket, st: &SlaState, trig: &Trigger) -> ApiResult<bool> {
    let f = effects(s, t, st, trig).await;
    let extras = Extras { claim: Some(trig.key()), notifications: f.notifications.clone(), outcome: f.outcome.clone() };
    let r = crate::workflow::write::modify_with(s, t.id, Actor::System, s.now(), None, &extras, |t| {
        if (t.team.clone(), t.tier) != f.here && !f.moves.is_empty() {
            return Err(()); // moved meanwhile: the next tick looks again
        }
        Ok::<_, ()>(f.apply(t))
    })
    .await;
    match r {
        Ok(done) => Ok(done.is_some()),
        Err(ModifyError::Store(e)) => Err(e.into()),
        Err(ModifyError::Rejected(())) => Ok(false),
    }
}
