//! The admin pages (`/admin`, admins only): organizations with their plan
//! history, the plan catalogue, the staff, and invitations (a one-time link
//! to choose a password, shown once to the admin). Changes go through the
//! API for now.

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
    let (agents, orgs, plans) = match (
        s.store.list_agents(PageRequest { after: None, limit: 10_000 }).await,
        s.store.list_organizations(PageRequest { after: None, limit: 10_000 }).await,
        s.store.list_plans().await,
    ) {
        (Ok(a), Ok(o), Ok(p)) => (a.items, o.items, p),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return super::agent::internal(who, e.into()),
    };
    let now = s.now();
    let plan_name = |id: i64| plans.iter().find(|p| p.id == id).map(|p| p.name.clone()).unwrap_or(format!("plan {id}"));
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
        h2 { "Organizations" }
        div.table-wrap { table {
            thead { tr { th { "Name" } th { "Account" } th { "Customer" } th { "Persona" } th { "Plan now" } th { "Plan history" } } }
            tbody {
                @for r in &orgs {
                    @let current = r.plan_changes.iter().filter(|c| c.effective_from <= now).max_by_key(|c| c.effective_from);
                    tr {
                        td { (r.org.name) @if r.org.vip { " " span.badge { "VIP" } } }
                        td { (r.org.account_type) }
                        td { (r.org.customer_category) }
                        td { (r.org.persona.as_deref().unwrap_or("-")) }
                        td { (current.map(|c| plan_name(c.plan_id)).unwrap_or_else(|| "-".into())) }
                        td {
                            @for c in &r.plan_changes {
                                (plan_name(c.plan_id)) " from " (c.effective_from.format("%Y-%m-%d"))
                                @if c.effective_from > now { " (scheduled)" }
                                br;
                            }
                        }
                    }
                }
            }
        } }
        h2 { "Support plans" }
        div.table-wrap { table {
            thead { tr { th { "Plan" } th { "Price a month" } th { "Channels" } th { "SLA" } th { "Priority boost" } th { "On sale" } } }
            tbody {
                @for p in &plans {
                    tr {
                        td { (p.name) br; span.muted { (p.description) } }
                        td { (format!("{}.{:02} {}", p.price_cents / 100, p.price_cents % 100, p.currency)) }
                        td { (p.channels.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")) }
                        td { (p.sla_policy) }
                        td { (format!("{:+}", p.priority_boost)) }
                        td { (if p.active { "yes" } else { "retired" }) }
                    }
                }
            }
        } }
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
