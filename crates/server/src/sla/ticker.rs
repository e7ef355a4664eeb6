//! The SLA ticker: acts on warnings and breaches as they fall.
//!
//! Each open ticket stores when its next warning or breach falls
//! (`sla_alarm_at`, indexed), so a tick reads only the tickets whose alarm has
//! come, never the open backlog. For each warning or breach that fell, the
//! ticket gets an `sla_warning` / `sla_breached` event and the policy's
//! escalations (reassign, notify, tag) and, for a breach, its outcome on
//! record, all in one transaction
//! with a claim on the trigger's key: the claim's primary key makes it happen
//! exactly once, after a restart and across server processes.

use super::SlaState;
use crate::error::ApiResult;
use crate::state::AppState;
use std::time::Duration;
use triage_core::policy::{EscalationDef, NotifyTarget, Reassign};
use triage_core::routing::Landing;
use triage_core::sla::{due_triggers, when, Outcome, Trigger, TriggerKind, Verdict};
use triage_core::ticket::{Actor, EventKind, Status, Ticket};
use triage_store::{Extras, ModifyError, NewEvent, NewNotification};

/// How often the ticker looks.
pub const EVERY: Duration = Duration::from_secs(1);
/// Most tickets handled per tick (the rest, oldest alarm first, wait one tick).
pub const BATCH: i64 = 500;

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// Tickets whose alarm had come.
    pub tickets: usize,
    /// Warnings and breaches acted on by this process.
    pub fired: usize,
    /// Ones another process (or an earlier run) had acted on already.
    pub already: usize,
}

/// Ticks every [`EVERY`] until the server stops.
pub async fn run(state: AppState) {
    loop {
        tokio::time::sleep(EVERY).await;
        match tick(&state).await {
            Ok(t) if t.fired > 0 => tracing::info!(tickets = t.tickets, fired = t.fired, "SLA warnings and breaches"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "SLA ticker"),
        }
        // Customers whose changes have gathered for the coalescing window.
        if let Err(e) = super::notice::deliver_due(&state).await {
            tracing::warn!(error = ?e, "telling customers");
        }
    }
}

/// One look at the tickets whose alarm has come.
pub async fn tick(s: &AppState) -> ApiResult<Tick> {
    let mut out = Tick::default();
    for id in s.store.sla_alarms_due(s.now(), BATCH).await? {
        out.tickets += 1;
        match one(s, id).await {
            Ok((fired, already)) => {
                out.fired += fired;
                out.already += already;
            }
            Err(e) => tracing::warn!(ticket = id, error = ?e, "SLA ticker"),
        }
    }
    metrics::counter!("triage_sla_triggers_fired_total").increment(out.fired as u64);
    Ok(out)
}

async fn one(s: &AppState, id: i64) -> ApiResult<(usize, usize)> {
    let t = s.store.get_ticket(id).await?;
    let (mut fired, mut already) = (0, 0);
    if !matches!(t.status, Status::Solved | Status::Closed) {
        if let Some(st) = super::status(s, &t).await? {
            let done = s.store.fired_triggers(id).await?;
            let (fell, _) = due_triggers(&st.sla, &done, s.now().timestamp_millis());
            for trig in &fell {
                // Each write re-reads the ticket: an earlier trigger may have changed it.
                let t = s.store.get_ticket(id).await?;
                if fire(s, &t, &st, trig).await? {
                    fired += 1;
                } else {
                    already += 1;
                }
            }
        }
    }
    // The next alarm (or none); telling the customer is left to the process
    // that wrote, which follows its own writes.
    super::follow::refresh(s, id).await?;
    Ok((fired, already))
}

/// The escalations that apply to `trig` on a ticket at `level`.
fn rules<'p>(s: &'p AppState, trig: &Trigger, level: &str, policy: &str) -> Vec<&'p EscalationDef> {
    s.policy.escalations.iter().filter(|r| r.applies(trig.kind, trig.clock, level, policy)).collect()
}

/// Records one warning or breach with its escalations, once; a breach's
/// outcome is recorded with it. On a ticket already solved or closed (a breach
/// found late) there is nothing left to act on: the event and the outcome only.
/// Returns whether this call did it (`false`: it was done before, here or elsewhere).
pub(crate) async fn fire(s: &AppState, t: &Ticket, st: &SlaState, trig: &Trigger) -> ApiResult<bool> {
    let level = t.priority.clone().unwrap_or_default();
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
    let mut extras = Extras { claim: Some(trig.key()), notifications: Vec::new(), outcome };
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
            if let Some(to) = to.filter(|to| !extras.notifications.iter().any(|n| &n.recipient == to)) {
                extras.notifications.push(NewNotification {
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
                if !extras.notifications.iter().any(|n| n.recipient == to && n.kind == "escalation_stuck") {
                    extras.notifications.push(NewNotification {
                        recipient: to,
                        kind: "escalation_stuck".into(),
                        body: format!("#{} {}: escalation `{}` could not move it: {why}", t.id, t.subject, r.name),
                    });
                }
            }
        }
        moves.push((r.name.clone(), landing));
    }
    let kind = match trig.kind {
        TriggerKind::Warning => EventKind::SlaWarning,
        TriggerKind::Breach => EventKind::SlaBreached,
    };
    let record = serde_json::json!({
        "clock": trig.clock, "due": due, "target_seconds": trig.target_seconds, "level": level,
        "run_started": chrono::DateTime::from_timestamp_millis(trig.started_ms), "trigger": trig.key(),
        "policy": st.policy_name, "escalations": rules.iter().map(|r| &r.name).collect::<Vec<_>>(),
        "notified": extras.notifications.iter().map(|n| &n.recipient).collect::<Vec<_>>(),
        "reassign": moves.iter().map(|(name, l)| serde_json::json!({"escalation": name, "landing": l})).collect::<Vec<_>>(),
    });
    let r = s
        .store
        .modify_ticket_with(t.id, Actor::System, s.now(), None, &extras, |t| {
            let mut events = vec![NewEvent { kind, data: record.clone(), reason: Some(reason.clone()) }];
            let mut changes = Vec::new();
            if (t.team.clone(), t.tier) != here && !moves.is_empty() {
                return Err(()); // moved meanwhile: the next tick looks again
            }
            for (_, landing) in &moves {
                let (team, tier) = match landing {
                    Landing::AsAsked { team, tier } => (team.clone(), *tier),
                    Landing::NearestTier { team, tier, .. } => (team.clone(), Some(*tier)),
                    Landing::Stayed { .. } => continue,
                };
                if (team.clone(), tier) == (t.team.clone(), t.tier) {
                    continue;
                }
                if team != t.team {
                    changes.push(serde_json::json!({"field": "team", "from": t.team, "to": team}));
                    t.team = team;
                }
                if tier != t.tier {
                    changes.push(serde_json::json!({"field": "tier", "from": t.tier, "to": tier}));
                    t.tier = tier;
                }
                if t.assignee_id.is_some() {
                    changes.push(serde_json::json!({"field": "assignee_id", "from": t.assignee_id, "to": null}));
                    t.assignee_id = None;
                }
            }
            let before = t.tags.clone();
            for tag in rules.iter().filter_map(|r| r.add_tag.as_ref()) {
                if !t.tags.contains(tag) {
                    t.tags.push(tag.clone());
                }
            }
            if t.tags != before {
                changes.push(serde_json::json!({"field": "tags", "from": before, "to": t.tags}));
            }
            if !changes.is_empty() {
                events.push(NewEvent {
                    kind: EventKind::FieldsChanged,
                    data: serde_json::json!({ "changes": changes, "sla_escalation": true }),
                    reason: Some(reason.clone()),
                });
            }
            Ok::<_, ()>(events)
        })
        .await;
    match r {
        Ok(done) => Ok(done.is_some()),
        Err(ModifyError::Store(e)) => Err(e.into()),
        Err(ModifyError::Rejected(())) => Ok(false),
    }
}
