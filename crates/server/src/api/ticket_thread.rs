//! A ticket's lifecycle and conversation: status transitions, comments, the event log.

use super::customer_view::{comment_out, ticket_out, CommentOut, TicketOut};
use super::tickets::{load_visible, view};
use super::ListEnvelope;
use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use triage_core::ticket::{CommentKind, Event, Status};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// The status to move to.
    pub status: Status,
    /// Why: recorded in the event log.
    pub reason: Option<String>,
}

/// Move a ticket to another status, if its lifecycle allows it.
///
/// Staff may make any allowed move; customers may only mark their ticket solved.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/transition", tag = "tickets", params(("id" = i64, Path)), request_body = Transition,
    responses((status = 200, body = TicketOut), (status = 409, body = crate::error::Problem, description = "the ticket's status does not allow that step")))]
pub async fn transition(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<Transition>,
) -> ApiResult<Json<TicketOut>> {
    load_visible(&s, &caller, id).await?;
    if !caller.is_staff() && req.status != Status::Solved {
        return Err(AppError::Forbidden("customers may only mark their ticket solved".into()));
    }
    if let Some(r) = &req.reason {
        triage_core::text::check_length(r, super::tickets::MAX_REASON_CHARS)
            .map_err(|m| AppError::invalid("reason", m))?;
    }
    let reason = req.reason.filter(|r| !r.trim().is_empty());
    let t = crate::workflow::set_status(&s, caller.actor(), id, req.status, reason).await?;
    Ok(Json(ticket_out(&s.policy, &caller, view(&s, &caller, t))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentCreate {
    pub body: String,
    /// `public` (default) reaches the customer; `internal` is for agents only.
    pub kind: Option<CommentKind>,
}

/// The ticket's thread, oldest first. Customers see public replies only.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/comments", tag = "tickets", params(("id" = i64, Path), super::ListParams),
    responses((status = 200, body = ListEnvelope<CommentOut>), (status = 404, body = crate::error::Problem)))]
pub async fn list_comments(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<super::ListParams>,
) -> ApiResult<Json<ListEnvelope<CommentOut>>> {
    let page = super::page_request(&q.cursor, q.limit)?;
    load_visible(&s, &caller, id).await?;
    let items = s.store.list_comments(id, caller.is_staff()).await?;
    let paged = super::page_of_list(items, |c| c.id, &page);
    let items = paged.items.into_iter().map(|c| comment_out(&caller, c)).collect();
    Ok(Json(ListEnvelope { items, next_cursor: paged.next_cursor }))
}

/// Reply to the customer or add an internal note.
///
/// An agent's first public reply is the ticket's first response and opens a new
/// ticket; a customer's reply reopens a ticket that was waiting on them or solved.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/comments", tag = "tickets", params(("id" = i64, Path)), request_body = CommentCreate,
    responses((status = 201, body = CommentOut), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn add_comment(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CommentCreate>,
) -> ApiResult<(StatusCode, Json<CommentOut>)> {
    load_visible(&s, &caller, id).await?;
    let kind = req.kind.unwrap_or(CommentKind::Public);
    if kind == CommentKind::Internal && !caller.is_staff() {
        return Err(AppError::invalid("kind", "customers can only add public replies"));
    }
    let body = triage_core::ticket::validate_body(&req.body)?;
    let c = crate::workflow::add_message(&s, caller.actor(), id, kind, body).await?;
    Ok((StatusCode::CREATED, Json(comment_out(&caller, c))))
}

/// The ticket's append-only event log, oldest first (staff only).
#[utoipa::path(get, path = "/api/v1/tickets/{id}/events", tag = "tickets", params(("id" = i64, Path), super::ListParams),
    responses((status = 200, body = ListEnvelope<Event>), (status = 404, body = crate::error::Problem)))]
pub async fn events(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<super::ListParams>,
) -> ApiResult<Json<ListEnvelope<Event>>> {
    let page = super::page_request(&q.cursor, q.limit)?;
    load_visible(&s, &caller, id).await?;
    caller.require_staff()?;
    let items = s.store.list_events(id).await?;
    Ok(Json(super::page_of_list(items, |e| e.id, &page)))
}
