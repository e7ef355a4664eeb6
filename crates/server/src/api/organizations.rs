//! Organizations: segments, business impact, and the support plan they bought.

use super::customer_view::{organization_out, OrganizationOut};
use super::{envelope, page_request, ListEnvelope, ListParams};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError, Checks};
use crate::extract::{double_option, ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use triage_core::organization::{
    effective_plan, upcoming_plan, validate_name, validate_timezone, ContractOverrides, Organization, PlanChange,
};
use triage_core::plan::SupportPlan;
use triage_core::text::check_length;
use triage_store::{NewOrganization, OrganizationRecord, StoreError};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSummary {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationView {
    #[serde(flatten)]
    pub organization: Organization,
    /// The plan in force now.
    pub plan: Option<PlanSummary>,
    pub plan_effective_from: Option<DateTime<Utc>>,
    /// A purchase, upgrade or downgrade that takes effect later.
    pub scheduled_plan_change: Option<PlanChange>,
}

fn view(rec: OrganizationRecord, plans: &[SupportPlan], now: DateTime<Utc>) -> OrganizationView {
    let current = effective_plan(&rec.plan_changes, now);
    let summary = |id: i64| plans.iter().find(|p| p.id == id).map(|p| PlanSummary { id: p.id, name: p.name.clone() });
    OrganizationView {
        plan: current.and_then(|c| summary(c.plan_id)),
        plan_effective_from: current.map(|c| c.effective_from),
        scheduled_plan_change: upcoming_plan(&rec.plan_changes, now).cloned(),
        organization: rec.org,
    }
}

/// A plan named by id or by name.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum PlanRef {
    Id(i64),
    Name(String),
}

async fn resolve_plan(s: &AppState, field: &str, r: &PlanRef) -> ApiResult<SupportPlan> {
    let found = match r {
        PlanRef::Id(id) => s.store.get_plan(*id).await,
        PlanRef::Name(n) => s.store.get_plan_by_name(n).await,
    };
    let plan = found.map_err(|e| match e {
        StoreError::NotFound => AppError::refused(field, "no such plan; list them at GET /api/v1/plans"),
        e => e.into(),
    })?;
    if !plan.active {
        return Err(AppError::refused(field, format!("plan `{}` is retired and cannot be bought", plan.name)));
    }
    Ok(plan)
}

/// Commercial terms (the plan, contract overrides, annual value) are an
/// admin's, on every path: as for `POST /organizations/{id}/plan`.
fn require_commercial(caller: &Caller) -> ApiResult<()> {
    caller
        .require_admin()
        .map_err(|_| AppError::Forbidden("only admins set commercial terms: plan, contract, annual_value".into()))
}

/// The largest annual value (in the policy's currency) and seat count.
pub(crate) const MAX_ANNUAL_VALUE: f64 = 1e12;
pub(crate) const MAX_SEATS: i64 = 10_000_000;

/// The longest contract notes.
pub(crate) const MAX_NOTES_CHARS: usize = 2_000;

/// Every segment and business-impact field at fault, noted in `checks`.
fn check_segments(s: &AppState, o: &Organization, checks: &mut Checks) -> ApiResult<()> {
    checks.take(s.policy.check_account_type(&o.account_type))?;
    checks.take(s.policy.check_customer_category(&o.customer_category))?;
    if let Some(p) = &o.persona {
        checks.take(s.policy.check_persona(p))?;
    }
    if let Some(c) = &o.contract.calendar {
        if s.policy.calendar(c).is_none() {
            let names: Vec<&str> = s.policy.calendars.iter().map(|c| c.name.as_str()).collect();
            checks.fail(
                "contract.calendar",
                format!("no calendar `{c}` in the policy; use one of: {}", names.join(", ")),
            );
        }
    }
    if let Some(sla) = &o.contract.sla_policy {
        if let Err(e) = s.policy.check_sla_policy(sla) {
            checks.fail("contract.sla_policy", e.message);
        }
    }
    if let Some(b) = o.contract.priority_boost {
        if !triage_core::plan::boost_in_range(b) {
            checks.fail("contract.priority_boost", "must be between -100 and 100");
        }
    }
    if let Some(n) = &o.contract.notes {
        if let Err(m) = check_length(n, MAX_NOTES_CHARS) {
            checks.fail("contract.notes", m);
        }
    }
    if !o.annual_value.is_finite() || !(0.0..=MAX_ANNUAL_VALUE).contains(&o.annual_value) {
        checks.fail("annual_value", "must be between 0 and 1,000,000,000,000");
    }
    if !(0..=MAX_SEATS).contains(&o.seats) {
        checks.fail("seats", "must be between 0 and 10,000,000");
    }
    checks.take(validate_timezone("timezone", &o.timezone))?;
    Ok(())
}

/// An account owner must be an active agent.
async fn check_owner(s: &AppState, id: Option<i64>) -> ApiResult<()> {
    let Some(id) = id else { return Ok(()) };
    match s.store.get_agent(id).await {
        Ok(a) if a.active => Ok(()),
        Ok(_) => Err(AppError::refused("owner_id", format!("agent {id} is deactivated"))),
        Err(StoreError::NotFound) => {
            Err(AppError::refused("owner_id", format!("no agent {id}; list them at GET /api/v1/agents")))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationCreate {
    pub name: String,
    pub account_type: String,
    #[serde(default)]
    pub vip: bool,
    /// Defaults to the policy's first customer category.
    pub customer_category: Option<String>,
    pub persona: Option<String>,
    #[serde(default)]
    pub contract: ContractOverrides,
    #[serde(default)]
    pub annual_value: f64,
    #[serde(default)]
    pub seats: i64,
    /// IANA time zone the customer's promises are written in; default: the
    /// time zone of its plan's SLA calendar (contract's first), else UTC.
    pub timezone: Option<String>,
    /// The agent who owns the account (told of escalations and changed promises).
    pub owner_id: Option<i64>,
    /// The plan bought, by id or name.
    pub plan: Option<PlanRef>,
    /// When the plan starts (default: now).
    #[serde(default, deserialize_with = "crate::extract::opt_instant")]
    pub plan_effective_from: Option<DateTime<Utc>>,
}

/// Create an organization (staff).
#[utoipa::path(post, path = "/api/v1/organizations", tag = "customers", request_body = OrganizationCreate,
    responses((status = 201, body = OrganizationView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<OrganizationCreate>,
) -> ApiResult<(StatusCode, Json<OrganizationView>)> {
    caller.require_staff()?;
    let commercial = req.plan.is_some() || req.contract != ContractOverrides::default() || req.annual_value != 0.0;
    if commercial {
        require_commercial(&caller)?;
    }
    let now = s.now();
    let mut checks = Checks::default();
    let plan = match &req.plan {
        Some(r) => checks.take(resolve_plan(&s, "plan", r).await)?,
        None => None,
    };
    // Without a zone of its own, the one its promises are counted in.
    let calendar_zone = || {
        let sla = req.contract.sla_policy.clone().or_else(|| plan.as_ref().map(|p| p.sla_policy.clone()))?;
        let cal = req.contract.calendar.clone().or_else(|| s.policy.sla_policy(&sla)?.calendar.clone())?;
        Some(s.policy.calendar(&cal)?.compiled.tz.name().to_string())
    };
    let timezone = req.timezone.clone().or_else(calendar_zone).unwrap_or_else(|| "UTC".into());
    let o = NewOrganization {
        name: checks.take(validate_name(&req.name))?.unwrap_or_default(),
        account_type: req.account_type,
        vip: req.vip,
        customer_category: req
            .customer_category
            .unwrap_or_else(|| s.policy.segments.customer_categories.first().cloned().unwrap_or_default()),
        persona: req.persona,
        contract: req.contract,
        annual_value: req.annual_value,
        seats: req.seats,
        timezone,
        owner_id: req.owner_id,
    };
    let probe = Organization {
        id: 0,
        name: o.name.clone(),
        account_type: o.account_type.clone(),
        vip: o.vip,
        customer_category: o.customer_category.clone(),
        persona: o.persona.clone(),
        contract: o.contract.clone(),
        annual_value: o.annual_value,
        seats: o.seats,
        timezone: o.timezone.clone(),
        owner_id: o.owner_id,
        created_at: now,
        updated_at: now,
    };
    check_segments(&s, &probe, &mut checks)?;
    checks.take(check_owner(&s, o.owner_id).await)?;
    checks.finish()?;
    let plan = plan.map(|p| (p.id, req.plan_effective_from.unwrap_or(now)));
    let rec = s.store.create_organization(&o, plan, &caller.actor().to_string(), now).await?;
    let plans = s.store.list_plans().await?;
    Ok((StatusCode::CREATED, Json(view(rec, &plans, now))))
}

/// List organizations (customers see their own).
#[utoipa::path(get, path = "/api/v1/organizations", tag = "customers", params(ListParams),
    responses((status = 200, body = ListEnvelope<OrganizationOut>)))]
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<ListEnvelope<OrganizationOut>>> {
    let now = s.now();
    let plans = s.store.list_plans().await?;
    if let Some(own) = caller.organization_id {
        let rec = s.store.get_organization(own).await?;
        let item = organization_out(&caller, view(rec, &plans, now));
        return Ok(Json(ListEnvelope { items: vec![item], next_cursor: None }));
    }
    let page = s.store.list_organizations(page_request(&q.cursor, q.limit)?).await?;
    Ok(Json(envelope(page, |r| organization_out(&caller, view(r, &plans, now)))))
}

async fn load(s: &AppState, caller: &Caller, id: i64) -> ApiResult<OrganizationRecord> {
    if caller.organization_id.is_some_and(|own| own != id) {
        return Err(AppError::NotFound);
    }
    Ok(s.store.get_organization(id).await?)
}

/// One organization.
#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = OrganizationOut), (status = 404, body = crate::error::Problem)))]
pub async fn get_one(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OrganizationOut>> {
    let rec = load(&s, &caller, id).await?;
    let plans = s.store.list_plans().await?;
    Ok(Json(organization_out(&caller, view(rec, &plans, s.now()))))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationUpdate {
    pub name: Option<String>,
    pub account_type: Option<String>,
    pub vip: Option<bool>,
    pub customer_category: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub persona: Option<Option<String>>,
    pub contract: Option<ContractOverrides>,
    pub annual_value: Option<f64>,
    pub seats: Option<i64>,
    pub timezone: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub owner_id: Option<Option<i64>>,
}

/// Change an organization's segments or business-impact fields (staff).
#[utoipa::path(patch, path = "/api/v1/organizations/{id}", tag = "customers", params(("id" = i64, Path)), request_body = OrganizationUpdate,
    responses((status = 200, body = OrganizationView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<OrganizationUpdate>,
) -> ApiResult<Json<OrganizationView>> {
    let rec = load(&s, &caller, id).await?;
    caller.require_staff()?;
    if req.contract.is_some() || req.annual_value.is_some() {
        require_commercial(&caller)?;
    }
    let mut o = rec.org;
    let mut checks = Checks::default();
    if let Some(n) = &req.name {
        o.name = checks.take(validate_name(n))?.unwrap_or_default();
    }
    if let Some(v) = req.account_type {
        o.account_type = v;
    }
    if let Some(v) = req.vip {
        o.vip = v;
    }
    if let Some(v) = req.customer_category {
        o.customer_category = v;
    }
    if let Some(v) = req.persona {
        o.persona = v;
    }
    if let Some(v) = req.contract {
        o.contract = v;
    }
    if let Some(v) = req.annual_value {
        o.annual_value = v;
    }
    if let Some(v) = req.seats {
        o.seats = v;
    }
    if let Some(v) = req.timezone {
        o.timezone = v;
    }
    if let Some(v) = req.owner_id {
        checks.take(check_owner(&s, v).await)?;
        o.owner_id = v;
    }
    check_segments(&s, &o, &mut checks)?;
    checks.finish()?;
    let now = s.now();
    let org = s.store.save_organization(&o, now).await?;
    s.orgs.forget_all();
    crate::rescore::rescore(&s, crate::rescore::Scope::Organization(id, "the organization's segments changed")).await?;
    let plans = s.store.list_plans().await?;
    Ok(Json(view(OrganizationRecord { org, plan_changes: rec.plan_changes }, &plans, now)))
}

/// Delete an organization without contacts (admin).
#[utoipa::path(delete, path = "/api/v1/organizations/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 204), (status = 409, body = crate::error::Problem)))]
pub async fn delete(State(s): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult<StatusCode> {
    load(&s, &caller, id).await?;
    caller.require_admin()?;
    s.store.delete_organization(id).await?;
    s.orgs.forget_all();
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanChangeRequest {
    /// The plan to move to, by id or name.
    pub plan: PlanRef,
    /// When it takes effect (default now; a later date schedules it).
    #[serde(default, deserialize_with = "crate::extract::opt_instant")]
    pub effective_from: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// Buy, upgrade or downgrade the organization's support plan (admin).
#[utoipa::path(post, path = "/api/v1/organizations/{id}/plan", tag = "customers", params(("id" = i64, Path)), request_body = PlanChangeRequest,
    responses((status = 200, body = OrganizationView), (status = 422, body = crate::error::Problem)))]
pub async fn change_plan(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PlanChangeRequest>,
) -> ApiResult<Json<OrganizationView>> {
    load(&s, &caller, id).await?;
    caller.require_admin()?;
    let mut checks = Checks::default();
    if let Some(r) = &req.reason {
        if let Err(m) = check_length(r, super::tickets::MAX_REASON_CHARS) {
            checks.fail("reason", m);
        }
    }
    let plan = checks.take(resolve_plan(&s, "plan", &req.plan).await)?;
    checks.finish()?;
    let Some(plan) = plan else { return Err(AppError::Internal("a checked plan change lost its plan".into())) };
    let now = s.now();
    s.store
        .change_plan(
            id,
            plan.id,
            req.effective_from.unwrap_or(now),
            &caller.actor().to_string(),
            req.reason.as_deref(),
            now,
        )
        .await?;
    s.orgs.forget_all();
    let why = format!("the organization's plan changed to `{}`", plan.name);
    crate::rescore::rescore(&s, crate::rescore::Scope::Organization(id, &why)).await?;
    let rec = s.store.get_organization(id).await?;
    let plans = s.store.list_plans().await?;
    Ok(Json(view(rec, &plans, now)))
}

/// Every plan purchase, upgrade and downgrade, by effective date (staff).
#[utoipa::path(get, path = "/api/v1/organizations/{id}/plan", tag = "customers", params(("id" = i64, Path), ListParams),
    responses((status = 200, body = ListEnvelope<PlanChange>), (status = 403, body = crate::error::Problem)))]
pub async fn plan_history(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<ListEnvelope<PlanChange>>> {
    let page = page_request(&q.cursor, q.limit)?;
    let rec = load(&s, &caller, id).await?;
    caller.require_staff()?;
    Ok(Json(super::page_of_list(rec.plan_changes, |c| c.id, &page)))
}
