//! The needs-triage view: open tickets whose predictions were not sure enough
//! to set a field, for a person to decide (oldest first).

use super::tickets::{view, TicketView};
use super::{envelope, page_request, ListEnvelope};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TriageParams {
    pub cursor: Option<String>,
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Tickets that need triage: some prediction (category, urgency, impact, a
/// custom field) fell below its threshold in the policy's `[categorization]`,
/// so the field waits for a person. Each carries its `predictions` (value,
/// confidence, runner-up, the words that drove it). Setting the field with
/// `PATCH /tickets/{id}` takes the ticket off this view and records a label (staff).
#[utoipa::path(get, path = "/api/v1/triage", tag = "tickets", params(TriageParams),
    responses((status = 200, body = ListEnvelope<TicketView>), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn needs_triage(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TriageParams>,
) -> ApiResult<Json<ListEnvelope<TicketView>>> {
    caller.require_staff()?;
    let page = page_request(&q.cursor, q.limit)?;
    let found = s.store.needs_triage(page).await?;
    Ok(Json(envelope(found, |t| view(&s, &caller, t))))
}
