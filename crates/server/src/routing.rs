//! This process's router (`triage_core::routing`): the agents with their skills,
//! availability, shifts and open work, refreshed from the store every few
//! seconds and after agent changes, and kept current between refreshes as this
//! process assigns work. Push on creation and when a ticket becomes unassigned;
//! the pull side (`POST /queue/next`) asks which categories an agent qualifies for.

use crate::state::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use triage_core::agent::{Agent, Availability, Tier};
use triage_core::policy::{CategoryDef, Policy};
use triage_core::routing::{AgentState, Choice, Coverage, Landing, Router, RoutingStrategy};
use triage_core::ticket::event_data::FieldsChanged;
use triage_core::ticket::TicketPatch;
use triage_store::StoreError;

#[derive(Clone, Default)]
pub struct Routing {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    router: Router,
    /// Which teams and tiers have an active agent (whether online or not).
    coverage: Coverage,
}

/// What a ticket needs from whoever works it.
pub struct Work<'a> {
    pub category: &'a CategoryDef,
    pub level: Option<&'a str>,
}

impl Routing {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reloads agents and their open work from the store; availability is
    /// online and on shift at `now_ms`.
    pub async fn refresh(&self, s: &AppState) -> Result<(), StoreError> {
        let agents = s.store.all_agents().await?;
        let work = s.store.open_work_by_agent().await?;
        let now_ms = s.now().timestamp_millis();
        let mut load: HashMap<i64, f64> = HashMap::new();
        for (agent, level, n) in work {
            *load.entry(agent).or_default() += s.policy.routing.load_of(level.as_deref()) * n as f64;
        }
        let mut inner = self.lock();
        let mut router = Router::new();
        inner.coverage = Coverage::of_active(&agents);
        for a in agents.into_iter().filter(|a| a.active) {
            let cal = a.shift_calendar().ok().flatten();
            let last = inner.router.get(a.id).map_or(0, |x| x.last_assigned_ms);
            router.upsert(AgentState {
                id: a.id,
                team: a.team.clone(),
                tier: a.tier,
                skills: a.skills.clone(),
                capacity: a.capacity as f64,
                load: load.get(&a.id).copied().unwrap_or(0.0),
                available: a.availability == Availability::Online && Agent::on_shift(cal.as_ref(), now_ms),
                last_assigned_ms: last,
            });
        }
        inner.router = router;
        Ok(())
    }

    /// Who gets a ticket pushed to it now, by its team's strategy (none for a
    /// pull-only team, or when nobody qualified has room and overflow is off).
    pub fn choose(&self, policy: &Policy, w: &Work) -> Option<Choice> {
        let (strategy, overflow) = policy
            .team(&w.category.team)
            .map_or((RoutingStrategy::SkillLeastLoad, false), |t| (t.strategy, t.overflow));
        let inner = self.lock();
        let need =
            inner.router.need(&w.category.team, w.category.tier, &w.category.skills, policy.routing.load_of(w.level));
        inner.router.choose(&need, strategy, overflow)
    }

    /// Where a ticket at `from` asked to go to `to` lands: there if someone
    /// works there, else the nearest tier of that team with an agent, else it stays.
    pub fn landing(&self, from: (Option<&str>, Option<Tier>), to: (Option<&str>, Option<Tier>)) -> Landing {
        self.lock().coverage.landing(from, to)
    }

    /// The places the policy routes to where no active agent works, in words.
    pub fn gaps(&self, policy: &Policy) -> Vec<String> {
        self.lock().coverage.gaps(policy)
    }

    /// Records work given to `agent` (until the next refresh reads it back).
    pub fn assigned(&self, policy: &Policy, agent: i64, level: Option<&str>, now_ms: i64) {
        self.lock().router.assigned(agent, policy.routing.load_of(level), now_ms);
    }

    /// The queues an agent may take from: their team's categories needing only
    /// skills they hold, at their tier or below, and what was escalated to their
    /// team at their tier or below (the receiving team's call, whatever skills the
    /// category names).
    pub fn qualified_categories(&self, policy: &Policy, agent: &Agent) -> Vec<String> {
        let mut out: Vec<String> = policy
            .categories
            .iter()
            .filter(|c| {
                c.team == agent.team
                    && c.tier <= agent.tier
                    && c.skills.iter().all(|k| agent.skills.iter().any(|s| &s.name == k))
            })
            .map(|c| c.name.clone())
            .collect();
        for tier in [Tier::L1, Tier::L2, Tier::L3].into_iter().filter(|t| *t <= agent.tier) {
            out.push(triage_core::queue::escalated_queue(&agent.team, tier));
        }
        out
    }

    /// Utilization (open weighted work over capacity) of a team's active agents.
    pub fn utilization(&self, team: &str) -> Vec<(i64, f64, f64)> {
        self.lock().router.team(team).map(|a| (a.id, a.load, a.capacity)).collect()
    }
}

/// Unassigns an agent's open tickets (each recorded with `why`); the follow-up
/// after each write offers it to another agent by the team's strategy.
pub(crate) async fn release_all(s: &AppState, agent: i64, why: &str) -> Result<usize, StoreError> {
    let mut n = 0;
    for id in s.store.open_tickets_of(agent).await? {
        let r = crate::workflow::write::modify(s, id, triage_core::ticket::Actor::System, s.now(), None, |t| {
            if t.assignee_id != Some(agent) {
                return Ok::<_, ()>(vec![]);
            }
            let changes = t.apply(&TicketPatch { assignee_id: Some(None), ..Default::default() });
            Ok(vec![triage_store::NewEvent { data: FieldsChanged::of(changes), reason: Some(why.to_string()) }])
        })
        .await;
        match r {
            Ok(_) => n += 1,
            Err(triage_store::ModifyError::Store(e)) => return Err(e),
            Err(triage_store::ModifyError::Rejected(())) => {}
        }
    }
    Ok(n)
}

/// Offers an open, unassigned ticket to an agent by its team's strategy (push on
/// becoming unassigned). Nothing happens for a pull-only team, or when nobody
/// qualified has room: it waits in the team's queue.
pub(crate) async fn offer(s: &AppState, t: &triage_core::ticket::Ticket) -> Result<Option<i64>, StoreError> {
    let id = t.id;
    if t.assignee_id.is_some()
        || !matches!(t.status, triage_core::ticket::Status::New | triage_core::ticket::Status::Open)
    {
        return Ok(None);
    }
    let Some(category) = t.category.as_deref().and_then(|c| s.policy.category(c)) else { return Ok(None) };
    // The team and tier the ticket is at now (an escalation moves them); a team
    // it was escalated to is not held to the category's skills.
    let mut at = category.clone();
    if let Some(team) = &t.team {
        if *team != at.team {
            at.skills.clear();
        }
        at.team = team.clone();
    }
    if let Some(tier) = t.tier {
        at.tier = tier;
    }
    let Some(choice) = s.routing.choose(&s.policy, &Work { category: &at, level: t.level() }) else {
        return Ok(None);
    };
    let now = s.now();
    let r = crate::workflow::write::modify(s, id, triage_core::ticket::Actor::System, now, None, |t| {
        if t.assignee_id.is_some() {
            return Err(()); // someone took it meanwhile
        }
        let changes = t.apply(&TicketPatch { assignee_id: Some(Some(choice.agent_id)), ..Default::default() });
        Ok(vec![triage_store::NewEvent {
            data: FieldsChanged::of(changes),
            reason: Some(format!("routing: {}", choice.reason)),
        }])
    })
    .await;
    match r {
        Ok(_) => {
            s.routing.assigned(&s.policy, choice.agent_id, t.level(), now.timestamp_millis());
            Ok(Some(choice.agent_id))
        }
        Err(triage_store::ModifyError::Rejected(())) => Ok(None),
        Err(triage_store::ModifyError::Store(e)) => Err(e),
    }
}

/// The places `policy` routes tickets to where no active agent of `store`
/// works, in words (`triage policy check --database`, `serve` at start, the
/// agent admin API).
pub async fn coverage_gaps(store: &triage_store::Store, policy: &Policy) -> Result<Vec<String>, StoreError> {
    Ok(Coverage::of_active(&store.all_agents().await?).gaps(policy))
}

/// Who hears that a ticket of `team` could not be moved where asked: the team
/// (a notification record) and its lead, when the policy names one who is an agent.
pub(crate) async fn stuck_recipients(s: &AppState, team: Option<&str>) -> Vec<String> {
    let Some(team) = team else { return Vec::new() };
    let mut out = vec![format!("team:{team}")];
    if let Some(lead) = s.policy.team(team).and_then(|t| t.lead.as_deref()) {
        if let Ok(email) = triage_core::email::Email::parse(lead) {
            if let Ok(agent) = s.store.get_agent_by_email(&email).await {
                out.push(format!("agent:{}", agent.id));
            }
        }
    }
    out
}
