//! One-time sign-in links (`/login/link/{secret}`): an admin's invitation or
//! `triage user password EMAIL --link`. The link lets its person choose a
//! password, once, within [`VALID`]; then they are signed in.

use super::layout::{forbidden, page, start_page};
use super::session;
use crate::auth::{generate_token, hash_token};
use crate::password;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;
use triage_store::{Credentials, Store, StoreError};

/// How long a link works.
pub const VALID: chrono::Duration = chrono::Duration::days(7);

/// A new link for `who`: the path to give them (`/login/link/...`).
pub async fn create(
    store: &Store,
    who: &Credentials,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, StoreError> {
    let secret = generate_token();
    store.create_sign_in_link(&hash_token(&secret), who, now, now + VALID).await?;
    Ok(format!("/login/link/{secret}"))
}

fn form(secret: &str, error: Option<&str>) -> Markup {
    html! {
        div.card.narrow {
            h1 { "Choose your password" }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form method="post" action={ "/login/link/" (secret) } {
                label for="password" { "New password (at least " (password::MIN_CHARS) " characters)" }
                input #password type="password" name="password" autocomplete="new-password" required;
                label for="repeat" { "The same again" }
                input #repeat type="password" name="repeat" autocomplete="new-password" required;
                button type="submit" { "Set password and sign in" }
            }
        }
    }
}

fn expired() -> Response {
    let body = html! {
        div.card.narrow {
            h1 { "This link no longer works" }
            p { "It was used already or it expired. Ask your administrator for a new one." }
        }
    };
    (StatusCode::NOT_FOUND, page("Link expired", None, body)).into_response()
}

/// `GET /login/link/{secret}`.
pub async fn show(State(s): State<AppState>, Path(secret): Path<String>) -> Response {
    match s.store.sign_in_link(&hash_token(&secret), s.now()).await {
        Ok(_) => page("Choose your password", None, form(&secret, None)).into_response(),
        Err(StoreError::NotFound) => expired(),
        Err(e) => crate::error::AppError::from(e).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct NewPassword {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub repeat: String,
}

/// `POST /login/link/{secret}`: sets the password, uses up the link, signs in.
pub async fn submit(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(secret): Path<String>,
    Form(f): Form<NewPassword>,
) -> Response {
    if !session::form_allowed(&headers, None, None) {
        return forbidden(None);
    }
    let again = |msg: &str| {
        (StatusCode::UNPROCESSABLE_ENTITY, page("Choose your password", None, form(&secret, Some(msg)))).into_response()
    };
    if let Some(why) = password::problem(&f.password) {
        return again(&format!("Not set: {why}."));
    }
    if f.password != f.repeat {
        return again("Not set: the two passwords differ.");
    }
    let given = f.password.clone();
    let Ok(hash) = tokio::task::spawn_blocking(move || password::hash(&given)).await else {
        return crate::error::AppError::Internal("hashing stopped".into()).into_response();
    };
    let now = s.now();
    let (role, user_id) = match s.store.use_sign_in_link(&hash_token(&secret), &hash, now).await {
        Ok(who) => who,
        Err(StoreError::NotFound) => return expired(),
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    let value = match session::start(&s, role, user_id, now).await {
        Ok(v) => v,
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    let cookie = session::set_cookie(&value, s.secure_cookies);
    (StatusCode::SEE_OTHER, [(header::LOCATION, start_page(role).to_string()), (header::SET_COOKIE, cookie)])
        .into_response()
}
