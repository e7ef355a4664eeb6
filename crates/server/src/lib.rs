//! The Triage HTTP server: JSON API under `/api/v1` with its OpenAPI document,
//! bearer-token auth, `/healthz` and `/metrics`.
//!
//! Thin by design: handlers parse, authorize, call core and store, and render.

pub mod api;
pub mod auth;
pub mod bootstrap;
pub mod categorize;
pub mod directory;
pub mod error;
pub mod extract;
mod jobs;
pub mod listen;
pub mod ops;
pub mod password;
mod prioritize;
pub mod queue;
pub mod routing;
pub mod sla;
pub mod state;
pub mod web;
pub mod workflow;

pub use workflow::rescore;

pub use state::AppState;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Json, Router};
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// The whole application, ready to serve (tests call it without a socket too).
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::router();
    let mut openapi = serde_json::to_value(&openapi).expect("the API description is JSON");
    api::openapi_rules::constrain(&mut openapi, &state.policy);
    let openapi = Arc::new(openapi);
    api.merge(web::router())
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { Json((*doc).clone()) }
            }),
        )
        .fallback(|| async { error::AppError::NotFound })
        .method_not_allowed_fallback(|| async { error::AppError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(ops::track))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves on a bound listener until `shutdown` completes, then finishes the
/// requests in flight (every acknowledged ticket is already committed).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, listen::Limits::default(), shutdown).await
}

/// [`serve`] within the given limits (connections, requests in flight, and
/// how long a client may take to send a request).
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    limits: listen::Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Loads the queue index unless the caller did (`triage serve` does, to
    // say how many tickets it holds); the first `serve` of a state runs its
    // follow-up.
    queue::start(&state).await.map_err(std::io::Error::other)?;
    let first = state.followup.claim_runner();
    state.routing.refresh(&state).await.map_err(std::io::Error::other)?;
    categorize::reload(&state).await.map_err(std::io::Error::other)?;
    let mut jobs = vec![
        tokio::spawn(categorize::follow(state.clone())),
        tokio::spawn(jobs::watch_volume(state.clone())),
        tokio::spawn(jobs::follow_queue(state.clone())),
        tokio::spawn(jobs::follow_agents(state.clone())),
    ];
    if first {
        jobs.push(tokio::spawn(state.followup.clone().run(state.clone())));
        // Writes whose SLA outcomes a stopped process left unrecorded.
        let st = state.clone();
        jobs.push(tokio::spawn(async move {
            match sla::settle_backlog(&st).await {
                Ok(n) if n > 0 => {
                    tracing::info!(tickets = n, "settling SLA outcomes left from before");
                    // Escalations it ran may have freed agents: routing reads their work again.
                    if let Err(e) = st.routing.refresh(&st).await {
                        tracing::warn!(error = %e, "cannot refresh the router");
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "cannot read the tickets left unsettled"),
            }
        }));
    }
    let (stop_ticker, stop) = tokio::sync::watch::channel(false);
    let ticker = state.run_sla_ticker.then(|| tokio::spawn(sla::ticker::run(state.clone(), stop)));
    // Beyond `in_flight` requests a 503 at once (load shed), not a queue.
    let router = app(state.clone()).layer(
        tower::ServiceBuilder::new()
            .layer(axum::error_handling::HandleErrorLayer::new(|_: tower::BoxError| async { error::AppError::Busy }))
            .load_shed()
            .concurrency_limit(limits.in_flight)
            .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(limits.body_timeout)),
    );
    let served = listen::serve(listener, router, limits, shutdown).await;
    // Stopping: the ticker finishes the tick it is in, then the follow-up
    // finishes what the last writes left; the rest stop where they are.
    let _ = stop_ticker.send(true);
    if let Some(t) = ticker {
        let _ = t.await;
    }
    if first {
        state.followup.drain(&state).await;
    }
    for j in jobs {
        j.abort();
    }
    served
}
