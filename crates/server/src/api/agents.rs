//! Agents: support staff. Admins manage them; agents can read the roster.

use super::openapi_rules::MAX_SKILL_CHARS;
use super::{envelope, page_request, ListEnvelope, ListParams};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Checks};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use triage_core::agent::{Agent, AgentRole, Availability, Skill, Tier};
use triage_core::email::Email;
use triage_core::organization::{validate_name, validate_timezone};
use triage_core::text::check_line;

/// The longest team name.
pub(crate) const MAX_TEAM_CHARS: usize = 100;
use utoipa::ToSchema;

/// Stands in for an address that failed its check while the rest are checked.
fn placeholder_email() -> Email {
    Email::parse_exact("unchecked@triage.invalid").unwrap_or_else(|_| unreachable!("a valid address"))
}

/// Every field of an agent at fault, noted in `checks`; the name and team
/// are then kept trimmed.
fn check(a: &mut Agent, checks: &mut Checks) -> ApiResult<()> {
    if let Some(name) = checks.take(validate_name(&a.name))? {
        a.name = name;
    }
    // A skill named twice: the last entry counts (a list cannot say "no name
    // twice" in a schema, so the API takes it and keeps one).
    let mut skills: Vec<Skill> = Vec::with_capacity(a.skills.len());
    for (i, mut s) in std::mem::take(&mut a.skills).into_iter().enumerate() {
        match check_line(&s.name, MAX_SKILL_CHARS) {
            Ok(n) => s.name = n.to_string(),
            Err(m) => checks.fail(format!("skills[{i}].name"), m),
        }
        if !(1..=5).contains(&s.proficiency) {
            checks.fail(format!("skills[{i}].proficiency"), "must be between 1 and 5");
        }
        skills.retain(|o| o.name != s.name);
        skills.push(s);
    }
    a.skills = skills;
    if !(0..=1000).contains(&a.capacity) {
        checks.fail("capacity", "must be between 0 and 1000");
    }
    match check_line(&a.team, MAX_TEAM_CHARS) {
        Ok(team) => a.team = team.to_string(),
        Err(m) => checks.fail("team", m),
    }
    if checks.take(validate_timezone("timezone", &a.timezone))?.is_some() {
        checks.take(a.shift_calendar())?;
    }
    Ok(())
}

/// An agent as saved, with what the change left uncovered.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentSaved {
    #[serde(flatten)]
    pub agent: Agent,
    /// Teams and tiers the policy routes to where no active agent works now
    /// (e.g. after deactivating the last agent of a team).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

async fn saved(s: &AppState, agent: Agent) -> ApiResult<AgentSaved> {
    Ok(AgentSaved { agent, warnings: s.routing.gaps(&s.policy) })
}

/// Whether `id` is the only active admin: the installation would lock itself out without them.
async fn last_admin(s: &AppState, id: i64) -> ApiResult<bool> {
    let admins: Vec<i64> = s
        .store
        .all_agents()
        .await?
        .into_iter()
        .filter(|a| a.active && a.role == AgentRole::Admin)
        .map(|a| a.id)
        .collect();
    Ok(admins == [id])
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentCreate {
    pub name: String,
    pub email: String,
    /// Default `agent`.
    pub role: Option<AgentRole>,
    #[serde(default)]
    pub skills: Vec<Skill>,
    /// Default L1.
    pub tier: Option<Tier>,
    /// Default `support`.
    pub team: Option<String>,
    /// Default 10.
    pub capacity: Option<i64>,
    /// IANA time zone, default UTC.
    pub timezone: Option<String>,
    /// Default online.
    pub availability: Option<Availability>,
    /// Weekly shifts in `timezone` (`mon-fri 09:00-17:00`); default: any time.
    #[serde(default)]
    pub shifts: Vec<String>,
}

/// Add an agent (admin).
#[utoipa::path(post, path = "/api/v1/agents", tag = "staff", request_body = AgentCreate,
    responses((status = 201, body = AgentSaved), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<AgentCreate>,
) -> ApiResult<(StatusCode, Json<AgentSaved>)> {
    caller.require_admin()?;
    let now = s.now();
    let mut checks = Checks::default();
    // A bad address is noted; the stand-in lets the other fields be checked
    // too and is never saved (finish refuses first).
    let email = checks.take(Email::parse_exact(&req.email))?;
    let mut a = Agent::new(req.name, email.unwrap_or_else(placeholder_email), now);
    a.role = req.role.unwrap_or(a.role);
    a.skills = req.skills;
    a.tier = req.tier.unwrap_or(a.tier);
    a.team = req.team.unwrap_or(a.team);
    a.capacity = req.capacity.unwrap_or(a.capacity);
    a.timezone = req.timezone.unwrap_or(a.timezone);
    a.availability = req.availability.unwrap_or_default();
    a.shifts = req.shifts;
    check(&mut a, &mut checks)?;
    checks.finish()?;
    let created = s.store.create_agent(&a, now).await?;
    s.routing.refresh(&s).await?;
    Ok((StatusCode::CREATED, Json(saved(&s, created).await?)))
}

/// List agents (staff).
#[utoipa::path(get, path = "/api/v1/agents", tag = "staff", params(ListParams), responses((status = 200, body = ListEnvelope<Agent>)))]
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<ListEnvelope<Agent>>> {
    caller.require_staff()?;
    let page = s.store.list_agents(page_request(&q.cursor, q.limit)?).await?;
    Ok(Json(envelope(page, |a| a)))
}

/// One agent (staff).
#[utoipa::path(get, path = "/api/v1/agents/{id}", tag = "staff", params(("id" = i64, Path)),
    responses((status = 200, body = Agent), (status = 404, body = crate::error::Problem)))]
pub async fn get_one(State(s): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult<Json<Agent>> {
    caller.require_staff()?;
    Ok(Json(s.store.get_agent(id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentUpdate {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<AgentRole>,
    pub skills: Option<Vec<Skill>>,
    pub tier: Option<Tier>,
    pub team: Option<String>,
    pub capacity: Option<i64>,
    pub timezone: Option<String>,
    /// `false` keeps the agent for the record but stops their tokens working.
    pub active: Option<bool>,
    /// online, away (keeps their tickets, takes no new ones) or offline (their
    /// open tickets go back to the team).
    pub availability: Option<Availability>,
    pub shifts: Option<Vec<String>>,
}

/// Change an agent (admin). Agents may set their own `availability` (going
/// away, offline or back online). The last active admin cannot be demoted or
/// deactivated (409).
#[utoipa::path(patch, path = "/api/v1/agents/{id}", tag = "staff", params(("id" = i64, Path)), request_body = AgentUpdate,
    responses((status = 200, body = AgentSaved), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AgentUpdate>,
) -> ApiResult<Json<AgentSaved>> {
    let own_availability = caller.is_staff()
        && id == caller.user_id
        && req.availability.is_some()
        && [req.name.is_none(), req.email.is_none(), req.role.is_none(), req.skills.is_none(), req.tier.is_none()]
            .into_iter()
            .chain([req.team.is_none(), req.capacity.is_none(), req.timezone.is_none(), req.active.is_none()])
            .chain([req.shifts.is_none()])
            .all(|x| x);
    if !own_availability {
        caller.require_admin()?;
    }
    let mut a = s.store.get_agent(id).await?;
    let demoted = req.role.is_some_and(|r| r != AgentRole::Admin) || req.active == Some(false);
    if demoted && a.active && a.role == AgentRole::Admin && last_admin(&s, id).await? {
        return Err(AppError::Conflict(
            "this is the last active admin: make another agent an admin first, or nobody could manage Triage".into(),
        ));
    }
    let mut checks = Checks::default();
    merge(&mut a, req, caller.user_id, &mut checks)?;
    check(&mut a, &mut checks)?;
    checks.finish()?;
    let before = s.store.get_agent(id).await?;
    let saved_agent = s.store.save_agent(&a).await?;
    s.tokens.forget_all();
    s.routing.refresh(&s).await?;
    // Gone (offline or deactivated): their open tickets go back to the team,
    // and routing offers each to someone else.
    let gone = |a: &Agent| !a.active || a.availability == Availability::Offline;
    if gone(&saved_agent) && !gone(&before) {
        let why = if saved_agent.active { "the agent went offline" } else { "the agent was deactivated" };
        crate::routing::release_all(&s, id, why).await?;
    }
    Ok(Json(saved(&s, saved_agent).await?))
}

/// Sets on `a` what the update names; `me` is the caller (who cannot take
/// away their own admin role).
fn merge(a: &mut Agent, req: AgentUpdate, me: i64, checks: &mut Checks) -> ApiResult<()> {
    if let Some(v) = req.name {
        a.name = v;
    }
    if let Some(v) = &req.email {
        if let Some(e) = checks.take(Email::parse_exact(v))? {
            a.email = e;
        }
    }
    if let Some(v) = req.role {
        if a.id == me && v != AgentRole::Admin {
            checks.refuse("role", "you cannot take away your own admin role");
        }
        a.role = v;
    }
    if let Some(v) = req.skills {
        a.skills = v;
    }
    if let Some(v) = req.tier {
        a.tier = v;
    }
    if let Some(v) = req.team {
        a.team = v;
    }
    if let Some(v) = req.capacity {
        a.capacity = v;
    }
    if let Some(v) = req.timezone {
        a.timezone = v;
    }
    if let Some(v) = req.active {
        a.active = v;
    }
    if let Some(v) = req.availability {
        a.availability = v;
    }
    if let Some(v) = req.shifts {
        a.shifts = v;
    }
    Ok(())
}

/// Remove an agent who never had a ticket (admin); otherwise deactivate them.
/// The last active admin cannot be removed (409). When the change leaves a team
/// or tier the policy routes to without an active agent, the answer says so in
/// `Triage-Warning` headers.
#[utoipa::path(delete, path = "/api/v1/agents/{id}", tag = "staff", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn delete(State(s): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult<Response> {
    caller.require_admin()?;
    if id == caller.user_id {
        return Err(AppError::Conflict("you cannot delete yourself".into()));
    }
    let a = s.store.get_agent(id).await?;
    if a.active && a.role == AgentRole::Admin && last_admin(&s, id).await? {
        return Err(AppError::Conflict("this is the last active admin; make another agent an admin first".into()));
    }
    s.store.delete_agent(id).await?;
    s.tokens.forget_all();
    s.routing.refresh(&s).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    for w in s.routing.gaps(&s.policy) {
        if let Ok(v) = axum::http::HeaderValue::from_str(&w) {
            res.headers_mut().append("triage-warning", v);
        }
    }
    Ok(res)
}
