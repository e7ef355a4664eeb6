//! The page shell every page shares: head, top bar with the person's places
//! and sign-out, and the main column. maud escapes every value it renders.

use super::session::Session;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use triage_store::TokenRole;

/// A whole page titled `title` around `body`.
pub fn page(title: &str, who: Option<&Session>, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · Triage" }
                    link rel="stylesheet" href="/assets/triage.css";
                    script src="/assets/htmx.min.js" defer {}
                }
                body {
                    header.top {
                        a.brand href="/" { "Triage" }
                        @if let Some(s) = who {
                            nav aria-label="Main" {
                                @match s.caller.role {
                                    TokenRole::Customer => {
                                        a href="/portal" { "My tickets" }
                                        a href="/portal/new" { "New ticket" }
                                    }
                                    _ => {
                                        a href="/agent" { "Queue" }
                                        a href="/agent/triage" { "Needs triage" }
                                        a href="/agent/dashboard" { "Dashboard" }
                                        @if s.caller.role == TokenRole::Admin { a href="/admin" { "Admin" } }
                                    }
                                }
                            }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                button.link type="submit" { "Sign out" }
                            }
                        }
                    }
                    main { (body) }
                }
            }
        }
        .into_string(),
    )
}

/// The page a missing ticket, or one the person may not see, answers: the
/// same for both, so another organization's ticket is not told apart.
pub fn not_found(who: Option<&Session>) -> Response {
    let body = html! {
        h1 { "Not found" }
        p { "There is no such page, or it is not yours to see." }
    };
    (StatusCode::NOT_FOUND, page("Not found", who, body)).into_response()
}

/// A refused form post (it did not come from this site's own form).
pub fn forbidden(who: Option<&Session>) -> Response {
    let body = html! {
        h1 { "Refused" }
        p { "This form did not come from Triage's own page (its form token is missing or stale). Reload the page and try again." }
    };
    (StatusCode::FORBIDDEN, page("Refused", who, body)).into_response()
}

/// Where a person starts after signing in.
pub fn start_page(role: TokenRole) -> &'static str {
    match role {
        TokenRole::Customer => "/portal",
        _ => "/agent",
    }
}
