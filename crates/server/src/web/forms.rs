//! What every state-changing page form does first, and the message form the
//! agent's and the customer's ticket pages share.

use super::layout::{forbidden, not_found, page};
use super::session::{form_allowed, Session};
use crate::error::AppError;
use crate::state::AppState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use triage_core::ticket::CommentKind;

/// The gate of a form about one ticket: the form came from our own page
/// (its token and origin) and `raw` is a ticket number. Returns the id, or
/// the page to answer with.
// The error is the response itself, built only on refusal and returned at
// once: boxing it would only add an allocation.
#[allow(clippy::result_large_err)]
pub fn ticket_form(who: &Session, headers: &HeaderMap, csrf: Option<&str>, raw: &str) -> Result<i64, Response> {
    if !form_allowed(headers, Some(&who.csrf), csrf) {
        return Err(forbidden(Some(who)));
    }
    crate::api::parse_id(raw).ok_or_else(|| not_found(Some(who)))
}

/// Adds `body` to ticket `id`'s thread through `workflow::add_message`, then
/// goes to `back`; a refused message is a page titled `refused` with why.
pub async fn post_message(
    s: &AppState,
    who: &Session,
    id: i64,
    kind: CommentKind,
    body: &str,
    back: String,
    refused: &str,
) -> Response {
    let why = |status: StatusCode, messages: Vec<String>, back: &str| {
        let body = html! { h1 { (refused) } @for m in &messages { p.error { (m) } } a href=(back) { "Back" } };
        (status, page(refused, Some(who), body)).into_response()
    };
    let body = match triage_core::ticket::validate_body(body) {
        Ok(b) => b,
        Err(e) => return why(StatusCode::UNPROCESSABLE_ENTITY, vec![e.message], &back),
    };
    match crate::workflow::add_message(s, who.caller.actor(), id, kind, body).await {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(AppError::NotFound) => not_found(Some(who)),
        Err(AppError::Refused(errors)) => {
            why(StatusCode::CONFLICT, errors.into_iter().map(|e| e.message).collect(), &back)
        }
        Err(e) => super::agent::internal(who, e),
    }
}
