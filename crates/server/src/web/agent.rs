//! The agent workspace (`/agent`): the queue in priority order, "Take next",
//! and a ticket's page with its priority explanation, thread and reply form.
//! Every action calls the same workflow functions as the API.

use super::layout::{forbidden, not_found, page};
use super::session::{form_allowed, Session};
use crate::error::AppError;
use crate::state::AppState;
use crate::workflow::{add_message, take_next};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;
use triage_core::queue::QueueFilter;
use triage_core::ticket::{Actor, CommentKind};
use triage_store::TokenRole;

/// How many tickets the queue page shows.
const QUEUE_ROWS: usize = 50;

/// A page for staff only: customers are sent to the portal.
fn staff_only(who: &Session) -> Option<Response> {
    (who.caller.role == TokenRole::Customer).then(|| Redirect::to("/portal").into_response())
}

fn internal(who: &Session, e: AppError) -> Response {
    tracing::warn!(error = ?e, "agent page");
    let body = html! { h1 { "Something went wrong" } p { "Please try again in a moment." } };
    (StatusCode::INTERNAL_SERVER_ERROR, page("Error", Some(who), body)).into_response()
}

/// How long ago, in words a glance reads ("3 h 05 min").
fn waited(from: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> String {
    let m = (now - from).num_minutes().max(0);
    match m {
        0..60 => format!("{m} min"),
        60..1440 => format!("{} h {:02} min", m / 60, m % 60),
        _ => format!("{} d {} h", m / 1440, (m % 1440) / 60),
    }
}

/// `GET /agent`: the open tickets in the order `GET /api/v1/queue` gives.
pub async fn queue(State(s): State<AppState>, who: Session) -> Response {
    if let Some(r) = staff_only(&who) {
        return r;
    }
    let now = s.now();
    let (ranked, _) = s.queue.lock().top(now.timestamp_millis(), &QueueFilter::default(), None, QUEUE_ROWS);
    let ids: Vec<i64> = ranked.iter().map(|r| r.id).collect();
    let mut tickets = match s.store.tickets_by_ids(&ids).await {
        Ok(t) => t,
        Err(e) => return internal(&who, e.into()),
    };
    tickets.sort_by_key(|t| ids.iter().position(|id| *id == t.id));
    let score_of = |id: i64| ranked.iter().find(|r| r.id == id).map(|r| r.score).unwrap_or_default();
    let body = html! {
        h1 { "Queue" }
        form method="post" action="/agent/next" {
            input type="hidden" name="csrf" value=(who.csrf);
            button type="submit" { "Take next" }
        }
        div.table-wrap { table {
            thead { tr {
                th { "Level" } th { "Score" } th { "Subject" } th.optional { "Category" }
                th.optional { "Assignee" } th { "Waiting" }
            } }
            tbody {
                @for t in &tickets {
                    @let level = t.level().unwrap_or("-");
                    tr {
                        td { span class={ "level level-" (level) } { (level) } }
                        td { (format!("{:.1}", score_of(t.id))) }
                        td { a href={ "/agent/tickets/" (t.id) } { "#" (t.id) " " (t.subject) } }
                        td.optional { (t.category.as_deref().unwrap_or("-")) }
                        td.optional { (t.assignee_id.map(|a| format!("agent {a}")).unwrap_or_else(|| "-".into())) }
                        td { (waited(t.created_at, now)) }
                    }
                }
            }
        } }
        @if tickets.is_empty() { p.muted { "Nothing is waiting." } }
    };
    page("Queue", Some(&who), body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    pub csrf: Option<String>,
}

/// `POST /agent/next`: takes the most urgent ticket the agent may take (the
/// `queue/next` rule) and opens its page.
pub async fn next(State(s): State<AppState>, who: Session, headers: HeaderMap, Form(f): Form<CsrfOnly>) -> Response {
    if let Some(r) = staff_only(&who) {
        return r;
    }
    if !form_allowed(&headers, Some(&who.csrf), f.csrf.as_deref()) {
        return forbidden(Some(&who));
    }
    match take_next(&s, who.caller.user_id, QueueFilter::default(), None).await {
        Ok(Some(t)) => Redirect::to(&format!("/agent/tickets/{}", t.id)).into_response(),
        Ok(None) => {
            let body = html! { h1 { "Nothing to take" } p { "No unassigned ticket you may take is waiting." } a href="/agent" { "Back to the queue" } };
            page("Nothing to take", Some(&who), body).into_response()
        }
        Err(e) => internal(&who, e),
    }
}

/// `GET /agent/tickets/{id}`: the ticket, why it has its priority, the thread
/// (internal notes marked) and the reply form.
pub async fn ticket(State(s): State<AppState>, who: Session, Path(id): Path<String>) -> Response {
    if let Some(r) = staff_only(&who) {
        return r;
    }
    let Some(id) = crate::api::parse_id(&id) else { return not_found(Some(&who)) };
    let t = match s.store.get_ticket(id).await {
        Ok(t) => t,
        Err(triage_store::StoreError::NotFound) => return not_found(Some(&who)),
        Err(e) => return internal(&who, e.into()),
    };
    let thread = match s.store.list_comments(id, true).await {
        Ok(c) => c,
        Err(e) => return internal(&who, e.into()),
    };
    let level = t.level().unwrap_or("-").to_string();
    let guideline = s.policy.level(&level).map(|l| l.guideline.clone());
    let body = html! {
        h1 { "#" (t.id) " " (t.subject) }
        p {
            span class={ "level level-" (level) } { (level) } " · "
            (t.status.as_str()) " · "
            (t.category.as_deref().unwrap_or("uncategorized"))
        }
        @if let Some(g) = guideline { p.muted { (g) } }
        @if let Some(e) = t.explanation() {
            section.card aria-label="Why this priority" {
                h2 { "Why this priority" }
                @if let Some(d) = &e.level { p { (d.reason) } }
                ul { @for c in &e.contributions { li { strong { (c.strategy) } " +" (format!("{:.1}", c.contribution)) ": " (c.reason) } } }
            }
        }
        div.message { div.meta { "Request, " (t.created_at.format("%Y-%m-%d %H:%M UTC")) } (t.body) }
        @for c in &thread {
            @let internal_note = c.kind == CommentKind::Internal;
            div.message.support[!matches!(c.author, Actor::Contact(_))] {
                div.meta {
                    (c.author.to_string()) ", " (c.created_at.format("%Y-%m-%d %H:%M UTC"))
                    @if internal_note { " · " strong { "internal note" } }
                }
                (c.body)
            }
        }
        form.card method="post" action={ "/agent/tickets/" (t.id) "/replies" } {
            input type="hidden" name="csrf" value=(who.csrf);
            label for="reply" { "Reply or note" }
            textarea #reply name="body" required {}
            label for="kind" { "Who sees it" }
            select #kind name="kind" {
                option value="public" { "The customer (public reply)" }
                option value="internal" { "Staff only (internal note)" }
            }
            button type="submit" { "Add" }
        }
    };
    page(&format!("#{}", t.id), Some(&who), body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    pub body: String,
    pub kind: Option<CommentKind>,
    pub csrf: Option<String>,
}

/// `POST /agent/tickets/{id}/replies`: a public reply or an internal note.
pub async fn reply(
    State(s): State<AppState>,
    who: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ReplyForm>,
) -> Response {
    if let Some(r) = staff_only(&who) {
        return r;
    }
    if !form_allowed(&headers, Some(&who.csrf), f.csrf.as_deref()) {
        return forbidden(Some(&who));
    }
    let Some(id) = crate::api::parse_id(&id) else { return not_found(Some(&who)) };
    let body = match triage_core::ticket::validate_body(&f.body) {
        Ok(b) => b,
        Err(e) => {
            let body =
                html! { h1 { "Not added" } p.error { (e.message) } a href={ "/agent/tickets/" (id) } { "Back" } };
            return (StatusCode::UNPROCESSABLE_ENTITY, page("Not added", Some(&who), body)).into_response();
        }
    };
    match add_message(&s, who.caller.actor(), id, f.kind.unwrap_or(CommentKind::Public), body).await {
        Ok(_) => Redirect::to(&format!("/agent/tickets/{id}")).into_response(),
        Err(AppError::NotFound) => not_found(Some(&who)),
        Err(AppError::Refused(errors)) => {
            let body = html! { h1 { "Not added" } @for e in &errors { p.error { (e.message) } } };
            (StatusCode::CONFLICT, page("Not added", Some(&who), body)).into_response()
        }
        Err(e) => internal(&who, e),
    }
}
