//! The web interface: server-rendered pages (maud) from the same process and
//! port as the API, for agents (`/agent`), customers (`/portal`), admins
//! (`/admin`) and sign-in.
//! Pages parse, check the session's rights and form token, call the same
//! workflow functions as the API, and render.

pub mod admin;
pub mod agent;
pub mod assets;
pub mod dashboard;
pub mod forms;
pub mod layout;
pub mod links;
pub mod login;
pub mod portal;
pub mod session;
pub mod triage;

use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

/// The pages' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/login/link/{secret}", get(links::show).post(links::submit))
        .route("/admin", get(admin::home))
        .route("/admin/invitations", post(admin::invite))
        .route("/assets/{file}", get(assets::get))
        .route("/agent", get(agent::queue))
        .route("/agent/next", post(agent::next))
        .route("/agent/tickets/{id}", get(agent::ticket))
        .route("/agent/tickets/{id}/replies", post(agent::reply))
        .route("/agent/tickets/{id}/changes", post(agent::change))
        .route("/agent/tickets/{id}/escalations", post(agent::escalate))
        .route("/agent/triage", get(triage::list))
        .route("/agent/dashboard", get(dashboard::show))
        .route("/agent/dashboard.csv", get(dashboard::csv))
        .route("/agent/triage/{id}", post(triage::answer))
        .route("/portal", get(portal::home))
        .route("/portal/new", get(portal::new))
        .route("/portal/tickets", post(portal::create))
        .route("/portal/tickets/{id}", get(portal::ticket))
        .route("/portal/tickets/{id}/replies", post(portal::reply))
}

/// `GET /`: the person's start page, or the sign-in page.
async fn home(State(s): State<AppState>, headers: HeaderMap) -> Response {
    match session::current(&s, &headers).await {
        Ok(Some(who)) => Redirect::to(layout::start_page(who.caller.role)).into_response(),
        _ => Redirect::to("/login").into_response(),
    }
}
