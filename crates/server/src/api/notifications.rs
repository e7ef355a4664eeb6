//! Notification records for staff: SLA warnings and breaches an escalation
//! notifies, and VIP or enterprise promises that moved.

use super::{envelope, page_request, ListEnvelope};
use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use triage_core::notification::Notification;
use triage_store::TokenRole;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotificationParams {
    /// `agent:<id>` or `team:<name>` (admins; agents always get their own and
    /// their team's).
    pub recipient: Option<String>,
    /// Only those about this ticket.
    pub ticket_id: Option<i64>,
    pub cursor: Option<String>,
    /// 1-200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Notifications for the calling agent and their team, oldest first (staff).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "staff", params(NotificationParams),
    responses((status = 200, body = ListEnvelope<Notification>), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<NotificationParams>,
) -> ApiResult<Json<ListEnvelope<Notification>>> {
    caller.require_staff()?;
    let page = page_request(&q.cursor, q.limit)?;
    let recipients = match (&q.recipient, caller.role) {
        (Some(r), TokenRole::Admin) => {
            if !(r.starts_with("agent:") || r.starts_with("team:")) {
                return Err(AppError::BadRequest {
                    field: Some("recipient".into()),
                    detail: "write agent:<id> or team:<name>".into(),
                });
            }
            vec![r.clone()]
        }
        (None, TokenRole::Admin) => vec![],
        (Some(_), _) => return Err(AppError::Forbidden("only admins read others' notifications".into())),
        (None, _) => {
            let me = s.store.get_agent(caller.user_id).await?;
            vec![format!("agent:{}", me.id), format!("team:{}", me.team)]
        }
    };
    let found = s.store.list_notifications(&recipients, q.ticket_id, page).await?;
    Ok(Json(envelope(found, |n| n)))
}

/// Mark a notification read (staff: their own or their team's; admins any).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "staff", params(("id" = i64, Path)),
    responses((status = 200, body = Notification), (status = 404, body = crate::error::Problem)))]
pub async fn mark_read(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Notification>> {
    caller.require_staff()?;
    let n = s.store.get_notification(id).await?;
    if caller.role != TokenRole::Admin {
        let me = s.store.get_agent(caller.user_id).await?;
        let mine = [format!("agent:{}", me.id), format!("team:{}", me.team)];
        if !mine.contains(&n.recipient) {
            return Err(AppError::NotFound); // another's: as if it did not exist
        }
    }
    Ok(Json(s.store.mark_notification_read(id, s.now()).await?))
}
