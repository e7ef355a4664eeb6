//! Browser sessions: a random cookie whose SHA-256 names a `web_sessions` row;
//! the person's rights are read again on every request (an agent deactivated
//! or demoted gets no more than their current role, as with API tokens).

use crate::auth::{generate_token, hash_token, Caller};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use triage_core::agent::AgentRole;
use triage_store::{StoreError, TokenRole};

/// The cookie that carries a session.
pub const COOKIE: &str = "triage_session";

/// A session ends after this long without a request.
pub const IDLE: chrono::Duration = chrono::Duration::hours(8);

/// How stale a session's last-seen time may get before a request writes it
/// again (one write per session per few minutes, not one per page).
const TOUCH_EVERY: chrono::Duration = chrono::Duration::minutes(5);

/// A signed-in person on a page request.
#[derive(Debug, Clone)]
pub struct Session {
    pub caller: Caller,
    /// The form token state-changing forms must carry.
    pub csrf: String,
}

/// Why a page request has no session: pages answer with the sign-in page.
pub struct SignInFirst;

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        Redirect::to("/login").into_response()
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Where to go after signing in: `next` when it is a path on this site
/// (never another origin), else the person's start page.
pub fn after_sign_in(next: Option<&str>, start: &'static str) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.starts_with("/login") => {
            n.to_string()
        }
        _ => start.to_string(),
    }
}

/// The `Set-Cookie` value for a new session (`Secure` when `secure`).
pub fn set_cookie(value: &str, secure: bool) -> String {
    let max_age = IDLE.num_seconds();
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// Starts a session for `role`/`user_id`; returns the cookie's value.
pub async fn start(s: &AppState, role: TokenRole, user_id: i64, now: DateTime<Utc>) -> Result<String, StoreError> {
    let value = generate_token();
    let csrf = generate_token();
    s.store.create_web_session(&hash_token(&value), role, user_id, &csrf, now).await?;
    Ok(value)
}

/// Ends the request's session, if it has one.
pub async fn end(s: &AppState, headers: &HeaderMap) -> Result<(), StoreError> {
    if let Some(v) = cookie(headers, COOKIE) {
        s.store.delete_web_session(&hash_token(v)).await?;
    }
    Ok(())
}

/// The request's session, with the person's current rights; `None` when there
/// is none, it expired, or its person may no longer sign in.
pub async fn current(s: &AppState, headers: &HeaderMap) -> Result<Option<Session>, AppError> {
    let Some(value) = cookie(headers, COOKIE) else { return Ok(None) };
    let hash = hash_token(value);
    let now = s.now();
    let row = match s.store.web_session(&hash, now - IDLE).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut role = row.role;
    let organization_id = match row.role {
        TokenRole::Customer => match s.store.get_contact(row.user_id).await {
            Ok(c) => Some(c.organization_id),
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        },
        _ => match s.store.get_agent(row.user_id).await {
            Ok(a) if a.active => {
                role = if a.role == AgentRole::Admin { TokenRole::Admin } else { TokenRole::Agent };
                None
            }
            Ok(_) | Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        },
    };
    if now - row.seen_at > TOUCH_EVERY {
        s.store.touch_web_session(&hash, now).await?;
    }
    let caller = Caller { token_id: 0, role, user_id: row.user_id, organization_id };
    Ok(Some(Session { caller, csrf: row.csrf }))
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Response> {
        match current(s, &parts.headers).await {
            Ok(Some(session)) => Ok(session),
            // A page asked for: back to it after signing in.
            Ok(None) if parts.method == axum::http::Method::GET => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                Err(Redirect::to(&format!("/login?next={next}")).into_response())
            }
            Ok(None) => Err(SignInFirst.into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// Whether a form post may change state: it came from this site (its
/// `Origin`, when the browser sends one, is the `Host` it was sent to) and
/// carries the session's form token.
pub fn form_allowed(headers: &HeaderMap, session_csrf: Option<&str>, sent: Option<&str>) -> bool {
    if !same_origin(headers) {
        return false;
    }
    match session_csrf {
        None => true,
        Some(want) => sent.is_some_and(|got| constant_time_eq(got.as_bytes(), want.as_bytes())),
    }
}

/// False when the request names an `Origin` other than the host it was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    origin_host.eq_ignore_ascii_case(host)
}

/// Compares without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_and_origins_are_read_exactly() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; triage_session=xyz; b=2"));
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(cookie(&h, COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, "triage"), None);
        assert!(form_allowed(&h, Some("tok"), Some("tok")));
        assert!(!form_allowed(&h, Some("tok"), Some("tol")));
        assert!(!form_allowed(&h, Some("tok"), None));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(form_allowed(&h, Some("tok"), Some("tok")));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://evil.example"));
        assert!(!form_allowed(&h, Some("tok"), Some("tok")));
        assert!(!form_allowed(&h, None, None), "a sign-in from another site is refused too");
        assert_eq!(after_sign_in(Some("/agent/tickets/3"), "/agent"), "/agent/tickets/3");
        for bad in ["//evil.example/x", "https://evil.example", "/\\evil.example", "/login?next=/x"] {
            assert_eq!(after_sign_in(Some(bad), "/agent"), "/agent", "{bad}");
        }
        let c = set_cookie("v", true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("; Secure"), "{c}");
    }
}
