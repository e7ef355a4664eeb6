//! The support-plan catalog: support sold as a product.

use super::ListEnvelope;
use crate::auth::Caller;
use crate::error::{ApiResult, Checks};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use triage_core::plan::SupportPlan;
use triage_core::text::{check_length, check_line, without_final_newline};
use triage_core::ticket::Channel;
use triage_store::NewPlan;
use utoipa::ToSchema;

/// The longest plan name and description.
pub(crate) const MAX_PLAN_NAME_CHARS: usize = 100;
pub(crate) const MAX_DESCRIPTION_CHARS: usize = 2_000;
/// The highest monthly price, in cents.
pub(crate) use triage_core::plan::MAX_PRICE_CENTS;
/// A currency as the API description publishes it (ISO 4217, upper case).
pub(crate) const CURRENCY_PATTERN: &str = "^[A-Z]{3}$";

/// Every field of a plan at fault, in one answer; the name and currency are
/// then kept as stored (trimmed, without the final newline `$` allows).
fn check(s: &AppState, p: &mut SupportPlan) -> ApiResult<()> {
    let mut checks = Checks::default();
    match check_line(&p.name, MAX_PLAN_NAME_CHARS) {
        Ok(name) => p.name = name.to_string(),
        Err(m) => checks.fail("name", m),
    }
    if let Err(m) = check_length(&p.description, MAX_DESCRIPTION_CHARS) {
        checks.fail("description", m);
    }
    p.currency = without_final_newline(&p.currency).to_string();
    if !(0..=MAX_PRICE_CENTS).contains(&p.price_cents) {
        checks.fail("price_cents", "must be between 0 and 10,000,000,000 (a hundred million a month)");
    }
    if p.channels.is_empty() {
        checks.fail("channels", "a plan needs at least one channel");
    }
    if !triage_core::plan::boost_in_range(p.priority_boost) {
        checks.fail("priority_boost", "must be between -100 and 100");
    }
    if p.currency.len() != 3 || !p.currency.chars().all(|c| c.is_ascii_uppercase()) {
        checks.fail("currency", "must be a three-letter ISO 4217 code such as USD");
    }
    checks.take(s.policy.check_sla_policy(&p.sla_policy))?;
    checks.finish()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanCreate {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Monthly price in cents.
    pub price_cents: i64,
    /// Default: the policy's currency.
    pub currency: Option<String>,
    pub channels: Vec<Channel>,
    /// An SLA policy declared in the policy file.
    pub sla_policy: String,
    #[serde(default)]
    pub priority_boost: f64,
}

/// Add a plan to the catalog (admin).
#[utoipa::path(post, path = "/api/v1/plans", tag = "catalog", request_body = PlanCreate,
    responses((status = 201, body = SupportPlan), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<PlanCreate>,
) -> ApiResult<(StatusCode, Json<SupportPlan>)> {
    caller.require_admin()?;
    let now = s.now();
    let mut probe = SupportPlan {
        id: 0,
        name: req.name,
        description: req.description,
        price_cents: req.price_cents,
        currency: req.currency.unwrap_or_else(|| s.policy.currency.clone()),
        channels: req.channels,
        sla_policy: req.sla_policy,
        priority_boost: req.priority_boost,
        active: true,
        created_at: now,
    };
    check(&s, &mut probe)?;
    let new = NewPlan {
        name: probe.name,
        description: probe.description,
        price_cents: probe.price_cents,
        currency: probe.currency,
        channels: probe.channels,
        sla_policy: probe.sla_policy,
        priority_boost: probe.priority_boost,
    };
    let plan = s.store.create_plan(&new, now).await?;
    s.orgs.forget_all();
    Ok((StatusCode::CREATED, Json(plan)))
}

/// The plan catalog, cheapest first.
#[utoipa::path(get, path = "/api/v1/plans", tag = "catalog", params(super::ListParams), responses((status = 200, body = ListEnvelope<SupportPlan>)))]
pub async fn list(
    State(s): State<AppState>,
    _caller: Caller,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<super::ListParams>,
) -> ApiResult<Json<ListEnvelope<SupportPlan>>> {
    let page = super::page_request(&q.cursor, q.limit)?;
    Ok(Json(super::page_of_list(s.store.list_plans().await?, |p| p.id, &page)))
}

/// One plan.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = SupportPlan), (status = 404, body = crate::error::Problem)))]
pub async fn get_one(
    State(s): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SupportPlan>> {
    Ok(Json(s.store.get_plan(id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub price_cents: Option<i64>,
    pub currency: Option<String>,
    pub channels: Option<Vec<Channel>>,
    pub sla_policy: Option<String>,
    pub priority_boost: Option<f64>,
    /// `false` retires the plan: existing customers keep it, nobody can buy it.
    pub active: Option<bool>,
}

/// Change a plan (admin).
#[utoipa::path(patch, path = "/api/v1/plans/{id}", tag = "catalog", params(("id" = i64, Path)), request_body = PlanUpdate,
    responses((status = 200, body = SupportPlan), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PlanUpdate>,
) -> ApiResult<Json<SupportPlan>> {
    caller.require_admin()?;
    let mut p = s.store.get_plan(id).await?;
    if let Some(v) = req.name {
        p.name = v;
    }
    if let Some(v) = req.description {
        p.description = v;
    }
    if let Some(v) = req.price_cents {
        p.price_cents = v;
    }
    if let Some(v) = req.currency {
        p.currency = v;
    }
    if let Some(v) = req.channels {
        p.channels = v;
    }
    if let Some(v) = req.sla_policy {
        p.sla_policy = v;
    }
    if let Some(v) = req.priority_boost {
        p.priority_boost = v;
    }
    if let Some(v) = req.active {
        p.active = v;
    }
    check(&s, &mut p)?;
    let saved = s.store.save_plan(&p).await?;
    s.orgs.forget_all();
    Ok(Json(saved))
}

/// Delete a plan nobody ever bought (admin).
#[utoipa::path(delete, path = "/api/v1/plans/{id}", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 204), (status = 409, body = crate::error::Problem)))]
pub async fn delete(State(s): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult<StatusCode> {
    caller.require_admin()?;
    s.store.delete_plan(id).await?;
    s.orgs.forget_all();
    Ok(StatusCode::NO_CONTENT)
}
