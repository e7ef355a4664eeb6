//! `GET /login`, `POST /login` and `POST /logout`.
//!
//! Failed sign-ins are counted per account and per address over
//! [`WINDOW`]: after [`SLOW_AFTER`] each answer waits a little longer, and
//! at [`LOCK_AT`] the account (or address) is refused until the window has
//! passed, with a message that says so.

use super::layout::{forbidden, page, start_page};
use super::session::{self, Session};
use crate::password;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Duration;

/// How far back failed sign-ins count.
pub const WINDOW: chrono::Duration = chrono::Duration::minutes(15);
/// Failures after which each further answer is slowed.
pub const SLOW_AFTER: i64 = 3;
/// Failures at which the account or address is locked for [`WINDOW`].
pub const LOCK_AT: i64 = 10;

#[derive(Debug, Deserialize)]
pub struct SignIn {
    pub email: String,
    pub password: String,
    /// The page to go to afterwards (a path on this site).
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Next {
    pub next: Option<String>,
}

fn form(email: &str, next: Option<&str>, error: Option<&str>) -> Markup {
    html! {
        div.card.narrow {
            h1 { "Sign in to Triage" }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form method="post" action="/login" {
                @if let Some(n) = next { input type="hidden" name="next" value=(n); }
                label for="email" { "E-mail" }
                input #email type="email" name="email" value=(email) autocomplete="username" required autofocus;
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                button type="submit" { "Sign in" }
            }
        }
    }
}

/// `GET /login`: the form (or, signed in already, the start page).
pub async fn show(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<Next>) -> Response {
    match session::current(&s, &headers).await {
        Ok(Some(who)) => {
            Redirect::to(&session::after_sign_in(q.next.as_deref(), start_page(who.caller.role))).into_response()
        }
        _ => page("Sign in", None, form("", q.next.as_deref(), None)).into_response(),
    }
}

/// `POST /login`: a session and its cookie, then the start page; or the form
/// again with what went wrong.
pub async fn submit(
    State(s): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    Form(f): Form<SignIn>,
) -> Response {
    if !session::form_allowed(&headers, None, None) {
        return forbidden(None);
    }
    // Stored addresses are in `Email`'s form; an unparseable one matches nobody.
    let email = triage_core::email::Email::parse(f.email.trim())
        .map(|e| e.as_str().to_string())
        .unwrap_or_else(|_| f.email.trim().to_lowercase());
    let next = f.next.clone();
    let again = |status: StatusCode, msg: &str| {
        (status, page("Sign in", None, form(&email, next.as_deref(), Some(msg)))).into_response()
    };
    let now = s.now();
    let mut keys = vec![format!("account:{email}")];
    if let Some(ConnectInfo(p)) = extensions.get::<ConnectInfo<SocketAddr>>() {
        keys.push(format!("address:{}", p.ip()));
    }
    let failures = match s.store.sign_in_failures(&keys, now - WINDOW).await {
        Ok(n) => n,
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    if failures >= LOCK_AT {
        let minutes = WINDOW.num_minutes();
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Too many failed sign-ins for this account or from this address: try again in {minutes} minutes."),
        );
    }
    if failures >= SLOW_AFTER {
        // Each failure past the first few makes the next answer slower.
        let steps = (failures - SLOW_AFTER + 1).clamp(1, 10) as u64;
        tokio::time::sleep(Duration::from_millis(200 * steps)).await;
    }
    let who = s.store.credentials(&email).await.ok();
    let stored = who.as_ref().and_then(|w| w.password_hash.clone());
    let given = f.password.clone();
    // Verified on a blocking thread (argon2 is slow on purpose); an unknown
    // account is checked against a decoy so it takes as long.
    let ok = tokio::task::spawn_blocking(move || {
        password::verify(&given, stored.as_deref().unwrap_or(password::decoy())) && stored.is_some()
    })
    .await
    .unwrap_or(false);
    let who = match who {
        Some(w) if ok && w.active => w,
        _ => {
            if let Err(e) = s.store.sign_in_failed(&keys, now).await {
                return crate::error::AppError::from(e).into_response();
            }
            return again(StatusCode::UNAUTHORIZED, "Wrong e-mail or password.");
        }
    };
    let _ = s.store.clear_sign_in_failures(&keys[0]).await;
    let value = match session::start(&s, who.role, who.user_id, now).await {
        Ok(v) => v,
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    let secure = s.secure_cookies || forwarded_https(&headers);
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, session::after_sign_in(f.next.as_deref(), start_page(who.role))),
            (header::SET_COOKIE, session::set_cookie(&value, secure)),
        ],
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct SignOut {
    pub csrf: Option<String>,
}

/// `POST /logout`: ends the session and clears its cookie.
pub async fn logout(
    State(s): State<AppState>,
    who: Session,
    headers: HeaderMap,
    f: Result<Form<SignOut>, axum::extract::rejection::FormRejection>,
) -> Response {
    // A post without a form (so without its token) is refused like a stale one.
    let csrf = f.ok().and_then(|Form(f)| f.csrf);
    if !session::form_allowed(&headers, Some(&who.csrf), csrf.as_deref()) {
        return forbidden(Some(&who));
    }
    if let Err(e) = session::end(&s, &headers).await {
        return crate::error::AppError::from(e).into_response();
    }
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/login".to_string()), (header::SET_COOKIE, session::clear_cookie())])
        .into_response()
}

/// Whether a proxy in front said the browser came over TLS.
fn forwarded_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"))
}
