//! A ticket's SLA clocks at any instant: now, or replayed from its history.

use super::tickets::load_visible;
use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SlaAtParams {
    /// The instant to read the clocks at (RFC 3339; default now). Earlier instants
    /// replay the ticket's history up to then.
    #[serde(default, deserialize_with = "crate::extract::opt_instant")]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A ticket's SLA clocks at an instant.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SlaAt {
    pub at: chrono::DateTime<chrono::Utc>,
    /// The SLA policy in force then (the contract's, else the plan's).
    pub sla_policy: String,
    /// The ticket's level then.
    pub level: String,
    #[serde(flatten)]
    pub sla: triage_core::sla::TicketSla,
}

/// The ticket's SLA clocks now or at any past instant, from its history: each
/// target's due time, elapsed and remaining business time, state and warning.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/sla", tag = "tickets", params(("id" = i64, Path), SlaAtParams),
    responses((status = 200, body = SlaAt), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem, description = "`at` is before the ticket was created, or it has no SLA")))]
pub async fn sla(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SlaAtParams>,
) -> ApiResult<Json<SlaAt>> {
    let t = load_visible(&s, &caller, id).await?;
    // The level and the targets behind the promise are internal: customers read the promise.
    caller.require_staff()?;
    let at = q.at.unwrap_or_else(|| s.now());
    if at < t.created_at {
        return Err(AppError::refused(
            "at",
            format!("the ticket was created at {}; ask for a later instant", t.created_at.to_rfc3339()),
        ));
    }
    let Some((sla_policy, level, sla)) = crate::sla::at(&s, &t, at).await? else {
        return Err(AppError::refused("id", "the ticket's organization has no SLA policy, or the ticket no level"));
    };
    Ok(Json(SlaAt { at, sla_policy, level, sla }))
}
