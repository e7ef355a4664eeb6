//! A ticket's priority, explained: `GET /api/v1/tickets/{id}/priority`.

use super::tickets::load_visible;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::prioritize::{self, Request};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use triage_core::priority::{Contribution, MatrixCell, Override};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityView {
    /// The level now (e.g. P2).
    pub level: String,
    pub label: String,
    /// The written guideline for this level.
    pub guideline: String,
    /// The sum of the contributions.
    pub score: f64,
    /// Each strategy's share of the score, with the reason in words.
    pub contributions: Vec<Contribution>,
    pub matrix_cell: Option<MatrixCell>,
    /// An agent's override, if one is in force.
    #[serde(rename = "override")]
    pub override_: Option<Override>,
    /// The surge rule in force, when the queue is flooded.
    pub surge: Option<String>,
    pub policy_version: String,
    /// The instant this was computed for (waiting time and SLA move the score).
    pub computed_at: DateTime<Utc>,
    /// The level and score stored with the ticket at its last change.
    pub stored_level: Option<String>,
    pub stored_score: Option<f64>,
}

/// The ticket's priority as of now, with each strategy's contribution (staff only).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/priority", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = PriorityView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn get_priority(
    State(s): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<PriorityView>> {
    let t = load_visible(&s, &caller, id).await?;
    caller.require_staff()?;
    let customer = prioritize::customer(&s, t.organization_id).await?;
    let text = prioritize::customer_words(&s, &t).await?;
    let over = t.priority_explanation.as_ref().and_then(|e| e.override_.clone());
    let due = crate::sla::due_at(&s, &customer, &t).await?;
    let (pr, _) = prioritize::reprioritize(&s, &customer, &Request::of(&t, &text), over.as_ref(), due.as_ref());
    let level = s.policy.level(&pr.level).expect("the engine returns policy levels");
    Ok(Json(PriorityView {
        label: level.label.clone(),
        guideline: level.guideline.clone(),
        level: pr.level,
        score: pr.score,
        contributions: pr.explanation.contributions,
        matrix_cell: pr.explanation.matrix_cell,
        override_: pr.explanation.override_,
        surge: s.surge().map(|x| x.name.clone()),
        policy_version: pr.policy_version,
        computed_at: s.now(),
        stored_level: t.priority,
        stored_score: t.priority_score,
    }))
}
