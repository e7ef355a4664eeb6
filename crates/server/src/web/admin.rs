//! The admin pages (`/admin`, admins only): the staff, and invitations (a
//! one-time link to choose a password, shown once to the admin).

use super::layout::{forbidden, page};
use super::session::{form_allowed, Session};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;
use triage_store::{PageRequest, StoreError, TokenRole};

fn admins_only(who: &Session) -> Option<Response> {
    (who.caller.role != TokenRole::Admin).then(|| super::layout::not_found(Some(who)))
}

async fn staff_page(s: &AppState, who: &Session, notice: Option<Markup>, status: StatusCode) -> Response {
    let agents = match s.store.list_agents(PageRequest { after: None, limit: 10_000 }).await {
        Ok(p) => p.items,
        Err(e) => return super::agent::internal(who, e.into()),
    };
    let body = html! {
        h1 { "Admin" }
        @if let Some(n) = notice { (n) }
        section.card aria-label="Invite" {
            h2 { "Invite someone to sign in" }
            p.muted { "An agent or a customer contact gets a link to choose a password (it works once, for 7 days)." }
            form method="post" action="/admin/invitations" {
                input type="hidden" name="csrf" value=(who.csrf);
                label for="email" { "Their e-mail" }
                input #email type="email" name="email" required;
                button type="submit" { "Create the link" }
            }
        }
        h2 { "Staff" }
        div.table-wrap { table {
            thead { tr { th { "Name" } th { "E-mail" } th { "Role" } th { "Team" } th { "Tier" } th { "Availability" } th { "Active" } } }
            tbody {
                @for a in &agents {
                    tr {
                        td { (a.name) } td { (a.email.as_str()) } td { (format!("{:?}", a.role).to_lowercase()) }
                        td { (a.team) } td { (a.tier.as_str()) } td { (format!("{:?}", a.availability).to_lowercase()) }
                        td { (if a.active { "yes" } else { "no" }) }
                    }
                }
            }
        } }
    };
    (status, page("Admin", Some(who), body)).into_response()
}

/// `GET /admin`.
pub async fn home(State(s): State<AppState>, who: Session) -> Response {
    if let Some(r) = admins_only(&who) {
        return r;
    }
    staff_page(&s, &who, None, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
pub struct Invite {
    #[serde(default)]
    pub email: String,
    pub csrf: Option<String>,
}

/// `POST /admin/invitations`: a one-time sign-in link, shown once.
pub async fn invite(State(s): State<AppState>, who: Session, headers: HeaderMap, Form(f): Form<Invite>) -> Response {
    if let Some(r) = admins_only(&who) {
        return r;
    }
    if !form_allowed(&headers, Some(&who.csrf), f.csrf.as_deref()) {
        return forbidden(Some(&who));
    }
    let email = triage_core::email::Email::parse(f.email.trim()).map(|e| e.as_str().to_string());
    let who_for = match email {
        Ok(e) => s.store.credentials(&e).await,
        Err(_) => Err(StoreError::NotFound),
    };
    match who_for {
        Ok(person) => match super::links::create(&s.store, &person, s.now()).await {
            Ok(path) => {
                let host =
                    headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
                let notice = html! {
                    div.notice role="status" {
                        p { "Give " strong { (person.name) } " this link (shown only now):" }
                        p { code { "http://" (host) (path) } }
                    }
                };
                staff_page(&s, &who, Some(notice), StatusCode::CREATED).await
            }
            Err(e) => super::agent::internal(&who, e.into()),
        },
        Err(StoreError::NotFound) => {
            let notice = html! { p.error role="alert" { "No agent or contact has the e-mail " (f.email) "." } };
            staff_page(&s, &who, Some(notice), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => super::agent::internal(&who, e.into()),
    }
}
