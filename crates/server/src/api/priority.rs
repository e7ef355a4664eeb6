//! A ticket's priority, explained: `GET /api/v1/tickets/{id}/priority`.

use super::tickets::{load_visible, restate_now};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::ApiPath;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use triage_core::priority::{Contribution, LevelDecision, MatrixCell, Override};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityView {
    /// The level (e.g. P2): the promise to the customer, decided by criteria.
    pub level: String,
    pub label: String,
    /// The written guideline for this level.
    pub guideline: String,
    /// How the level was decided: the matrix cell, a rule, the default level or
    /// an override, and any raise for who the customer is, in words.
    pub level_decision: Option<LevelDecision>,
    /// The score now, which orders the queue: the sum of the contributions.
    pub score: f64,
    /// Each strategy's share of the score (`points x weight`), with the reason in words.
    pub contributions: Vec<Contribution>,
    pub matrix_cell: Option<MatrixCell>,
    /// An agent's override, if one is in force.
    #[serde(rename = "override")]
    pub override_: Option<Override>,
    /// The surge rule in force, when the queue is flooded (it multiplies weights).
    pub surge: Option<String>,
    pub policy_version: Option<String>,
    /// The instant this was computed for (waiting time and SLA move the score).
    pub computed_at: DateTime<Utc>,
    /// The score stored with the ticket at its last change.
    pub stored_score: Option<f64>,
}

/// The ticket's priority as of now, with each strategy's contribution (staff
/// only): the level stored with it and its score at this instant, the same
/// numbers `GET /tickets/{id}` and the queue show.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/priority", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = PriorityView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn get_priority(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PriorityView>> {
    let mut t = load_visible(&s, &caller, id).await?;
    caller.require_staff()?;
    let stored_score = t.score();
    restate_now(&s, &mut t);
    let level_name = t.level().map(String::from).unwrap_or_else(|| s.policy.default_level.clone());
    let level = s.policy.level(&level_name).or_else(|| s.policy.level(&s.policy.default_level)).expect("policy level");
    let e = t.explanation().cloned().unwrap_or_default();
    Ok(Json(PriorityView {
        label: level.label.clone(),
        guideline: level.guideline.clone(),
        level: level_name,
        level_decision: e.level,
        score: t.score().unwrap_or_default(),
        contributions: e.contributions,
        matrix_cell: e.matrix_cell,
        override_: e.override_,
        surge: s.surge().map(|x| x.name.clone()),
        policy_version: t.priority.map(|p| p.policy_version),
        computed_at: s.now(),
        stored_score,
    }))
}
