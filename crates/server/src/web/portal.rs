//! The customer portal (`/portal`): their organization's tickets, a new
//! ticket, a ticket's public thread and replies. Every page calls the same
//! workflow functions as the API, as the signed-in contact.

use super::layout::{forbidden, not_found, page};
use super::session::{form_allowed, Session};
use crate::api::ticket_create::{checked, TicketCreate};
use crate::error::{AppError, FieldError};
use crate::state::AppState;
use crate::workflow::{open_ticket, Arrival};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;
use triage_core::ticket::{Actor, Channel, CommentKind, Status, Ticket};
use triage_store::{PageRequest, TicketFilter, TokenRole};

/// A page for customers only: staff are sent to their workspace.
fn customer_only(who: &Session) -> Option<Response> {
    (who.caller.role != TokenRole::Customer).then(|| Redirect::to("/agent").into_response())
}

fn internal(who: &Session, e: AppError) -> Response {
    let body = html! { h1 { "Something went wrong" } p { "Please try again in a moment." } };
    tracing::warn!(error = ?e, "portal page");
    (StatusCode::INTERNAL_SERVER_ERROR, page("Error", Some(who), body)).into_response()
}

/// `GET /portal`: the organization's tickets, newest first.
pub async fn home(State(s): State<AppState>, who: Session) -> Response {
    if let Some(r) = customer_only(&who) {
        return r;
    }
    let filter = TicketFilter { organization_id: who.caller.organization_id, ..Default::default() };
    let found = match s.store.list_tickets(&filter, PageRequest { after: None, limit: 100 }).await {
        Ok(p) => p.items,
        Err(e) => return internal(&who, e.into()),
    };
    let body = html! {
        h1 { "My tickets" }
        p { a.button href="/portal/new" { "New ticket" } }
        @if found.is_empty() {
            p.muted { "No tickets yet." }
        } @else {
            div.table-wrap { table {
                thead { tr { th { "Reference" } th { "Subject" } th { "Status" } th.optional { "Opened" } } }
                tbody {
                    @for t in &found {
                        tr {
                            td { "#" (t.id) }
                            td { a href={ "/portal/tickets/" (t.id) } { (t.subject) } }
                            td { (status_words(t.status)) }
                            td.optional { (t.created_at.format("%Y-%m-%d %H:%M UTC")) }
                        }
                    }
                }
            } }
        }
    };
    page("Your tickets", Some(&who), body).into_response()
}

#[derive(Debug, Default)]
pub struct NewTicketForm {
    pub subject: String,
    pub body: String,
    pub csrf: Option<String>,
    /// `cf.NAME` inputs: the custom fields the policy declares for customers.
    pub fields: std::collections::BTreeMap<String, String>,
}

impl NewTicketForm {
    fn of(pairs: Vec<(String, String)>) -> NewTicketForm {
        let mut f = NewTicketForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "subject" => f.subject = v,
                "body" => f.body = v,
                "csrf" => f.csrf = Some(v),
                _ => {
                    if let Some(name) = k.strip_prefix("cf.") {
                        f.fields.insert(name.to_string(), v);
                    }
                }
            }
        }
        f
    }

    /// The custom fields as typed values (by the policy's declaration); an
    /// empty input is left out, a value of the wrong shape is passed on as
    /// text for the API's checks to name.
    fn custom_fields(&self, p: &triage_core::policy::Policy) -> triage_core::ticket::CustomFields {
        use triage_core::policy::CustomFieldType as T;
        let mut out = triage_core::ticket::CustomFields::new();
        for d in p.custom_fields.iter().filter(|d| d.customer) {
            let Some(v) = self.fields.get(&d.name).map(|v| v.trim()).filter(|v| !v.is_empty()) else { continue };
            let text = serde_json::Value::String(v.to_string());
            let typed = match d.kind {
                T::Int => v.parse::<i64>().map(serde_json::Value::from).unwrap_or(text),
                T::Float => v
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(serde_json::Value::Number)
                    .unwrap_or(text),
                T::Bool => serde_json::Value::Bool(v == "on" || v == "true"),
                T::String | T::Enum => text,
            };
            out.insert(d.name.clone(), typed);
        }
        out
    }
}

/// The inputs of the custom fields customers may set.
fn custom_inputs(
    p: &triage_core::policy::Policy,
    f: &NewTicketForm,
    error_of: &dyn Fn(&str) -> Option<String>,
) -> Markup {
    use triage_core::policy::CustomFieldType as T;
    html! {
        @for d in p.custom_fields.iter().filter(|d| d.customer) {
            @let id = format!("cf-{}", d.name);
            @let value = f.fields.get(&d.name).cloned().unwrap_or_default();
            @let err = error_of(&format!("custom_fields.{}", d.name));
            @match d.kind {
                T::Bool => {
                    label for=(id) {
                        input id=(id) type="checkbox" name={ "cf." (d.name) } checked[value == "on"];
                        " " (d.description)
                    }
                }
                T::Enum => {
                    label for=(id) { (d.description) " (optional)" }
                    select id=(id) name={ "cf." (d.name) } {
                        option value="" { "—" }
                        @for v in &d.values { option value=(v) selected[*v == value] { (v) } }
                    }
                }
                T::Int | T::Float => {
                    label for=(id) { (d.description) " (optional)" }
                    input id=(id) type="number" name={ "cf." (d.name) } value=(value)
                        step=(if d.kind == T::Int { "1" } else { "any" }) min=[d.min] max=[d.max];
                }
                T::String => {
                    label for=(id) { (d.description) " (optional)" }
                    input id=(id) type="text" name={ "cf." (d.name) } value=(value);
                }
            }
            @if let Some(m) = err { p.error { (m) } }
        }
    }
}

fn new_form(policy: &triage_core::policy::Policy, who: &Session, f: &NewTicketForm, errors: &[FieldError]) -> Markup {
    let error_of = |field: &str| errors.iter().find(|e| e.field == field).map(|e| e.message.clone());
    html! {
        h1 { "New ticket" }
        @if !errors.is_empty() {
            div.error role="alert" {
                p { "Please correct:" }
                ul { @for e in errors { li { (e.field) ": " (e.message) } } }
            }
        }
        form.card method="post" action="/portal/tickets" {
            input type="hidden" name="csrf" value=(who.csrf);
            label for="subject" { "Subject" }
            input #subject type="text" name="subject" value=(f.subject) required
                aria-describedby=[error_of("subject").map(|_| "subject-error")];
            @if let Some(m) = error_of("subject") { p #subject-error .error { (m) } }
            label for="body" { "What do you need?" }
            textarea #body name="body" required aria-describedby=[error_of("body").map(|_| "body-error")] { (f.body) }
            @if let Some(m) = error_of("body") { p #body-error .error { (m) } }
            (custom_inputs(policy, f, &error_of))
            button type="submit" { "Send" }
        }
    }
}

/// `GET /portal/new`.
pub async fn new(State(s): State<AppState>, who: Session) -> Response {
    if let Some(r) = customer_only(&who) {
        return r;
    }
    page("New ticket", Some(&who), new_form(&s.policy, &who, &NewTicketForm::default(), &[])).into_response()
}

/// `POST /portal/tickets`: opens the ticket through the same checks and
/// workflow as `POST /api/v1/tickets` (channel `portal`), then shows the
/// promise.
pub async fn create(
    State(s): State<AppState>,
    who: Session,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = NewTicketForm::of(pairs);
    if let Some(r) = customer_only(&who) {
        return r;
    }
    if !form_allowed(&headers, Some(&who.csrf), f.csrf.as_deref()) {
        return forbidden(Some(&who));
    }
    let mut req = TicketCreate::from_text(f.subject.clone(), f.body.clone());
    req.custom_fields = f.custom_fields(&s.policy);
    let opened = match checked(&s, &who.caller, req, Channel::Portal).await {
        Ok(new) => open_ticket(&s, new, Arrival::Live).await,
        Err(e) => Err(e),
    };
    match opened {
        // To the ticket's page (a reload there reads, it does not post again).
        Ok(o) => Redirect::to(&format!("/portal/tickets/{}?received=1", o.ticket.id)).into_response(),
        Err(AppError::Invalid(errors)) | Err(AppError::Refused(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, page("New ticket", Some(&who), new_form(&s.policy, &who, &f, &errors)))
                .into_response()
        }
        Err(e) => internal(&who, e),
    }
}

/// The ticket if the signed-in customer may see it.
async fn visible(s: &AppState, who: &Session, id: i64) -> Result<Option<Ticket>, AppError> {
    match crate::api::tickets::load_visible(s, &who.caller, id).await {
        Ok(t) => Ok(Some(t)),
        Err(AppError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `GET /portal/tickets/{id}`: status, the promise and the public thread.
#[derive(Debug, Default, Deserialize)]
pub struct TicketQuery {
    /// Just opened: say it was received.
    pub received: Option<String>,
}

/// A status in the customer's words.
fn status_words(st: Status) -> &'static str {
    match st {
        Status::New => "Received",
        Status::Open => "In progress",
        Status::PendingCustomer => "Waiting for your reply",
        Status::OnHold => "On hold",
        Status::Solved => "Solved",
        Status::Closed => "Closed",
    }
}

/// The zone the customer reads times in: their own, else their organization's.
async fn reading_zone(s: &AppState, who: &Session) -> chrono_tz::Tz {
    let own = s.contacts.by_id(&s.store, who.caller.user_id).await.ok().and_then(|c| c.timezone);
    let org = match who.caller.organization_id {
        Some(o) => crate::prioritize::customer(s, o).await.map(|c| c.org.timezone).unwrap_or_default(),
        None => String::new(),
    };
    crate::sla::reading_tz(own.as_deref(), &org, chrono_tz::UTC)
}

pub async fn ticket(
    State(s): State<AppState>,
    who: Session,
    Path(id): Path<String>,
    Query(q): Query<TicketQuery>,
) -> Response {
    if let Some(r) = customer_only(&who) {
        return r;
    }
    let Some(id) = crate::api::parse_id(&id) else { return not_found(Some(&who)) };
    let t = match visible(&s, &who, id).await {
        Ok(Some(t)) => t,
        Ok(None) => return not_found(Some(&who)),
        Err(e) => return internal(&who, e),
    };
    let promise = match crate::sla::of(&s, &t).await {
        Ok(sla) => sla.and_then(|x| x.promise),
        Err(e) => return internal(&who, e),
    };
    let thread = match s.store.list_comments(id, false).await {
        Ok(c) => c,
        Err(e) => return internal(&who, e.into()),
    };
    let tz = reading_zone(&s, &who).await;
    let local = |d: chrono::DateTime<chrono::Utc>| d.with_timezone(&tz).format("%a %d %b %Y %H:%M %Z").to_string();
    let body = html! {
        @if q.received.is_some() {
            p.notice role="status" { "Ticket #" (t.id) " received. Keep this reference: #" (t.id) "." }
        }
        h1 { "#" (t.id) " " (t.subject) }
        p { "Status: " strong { (status_words(t.status)) } }
        @if let Some(p) = promise { p.notice role="status" { (p) } }
        div.message { div.meta { "You wrote, " (local(t.created_at)) } (t.body) }
        @for c in &thread {
            @let support = !matches!(c.author, Actor::Contact(_));
            div.message.support[support] {
                div.meta { (if support { "Support" } else { "You wrote" }) ", " (local(c.created_at)) }
                (c.body)
            }
        }
        @if t.status == Status::Closed {
            p { "This ticket is closed. " a href="/portal/new" { "Open a new ticket" } " to follow up (mention #" (t.id) ")." }
        } @else {
            form.card method="post" action={ "/portal/tickets/" (t.id) "/replies" } {
                input type="hidden" name="csrf" value=(who.csrf);
                label for="reply" { "Reply" }
                textarea #reply name="body" required {}
                button type="submit" { "Send reply" }
            }
        }
    };
    page(&format!("#{}", t.id), Some(&who), body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    pub body: String,
    pub csrf: Option<String>,
}

/// `POST /portal/tickets/{id}/replies`: the customer's reply (it reopens a
/// ticket waiting on them), then the ticket again.
pub async fn reply(
    State(s): State<AppState>,
    who: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ReplyForm>,
) -> Response {
    if let Some(r) = customer_only(&who) {
        return r;
    }
    let id = match super::forms::ticket_form(&who, &headers, f.csrf.as_deref(), &id) {
        Ok(id) => id,
        Err(r) => return r,
    };
    match visible(&s, &who, id).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(Some(&who)),
        Err(e) => return internal(&who, e),
    }
    let back = format!("/portal/tickets/{id}");
    super::forms::post_message(&s, &who, id, CommentKind::Public, &f.body, back, "Reply not sent").await
}
