//! The policy in force: levels and guidelines, matrix, segments, plans, categories.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use triage_core::policy::Policy;

/// The policy this server runs with (staff).
#[utoipa::path(get, path = "/api/v1/policy", tag = "catalog", responses((status = 200, body = Policy)))]
pub async fn get_policy(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Policy>> {
    caller.require_staff()?;
    Ok(Json((*s.policy).clone()))
}
