//! Operations endpoints and middleware: health, Prometheus metrics, request metrics.

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The process-wide Prometheus recorder (metrics macros write to one global).
pub(crate) fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("seconds".into()),
                    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5],
                )
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full("triage_ticket_batch_size".into()),
                        &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0],
                    )
                })
                .expect("valid buckets")
                .install_recorder()
                .expect("no other metrics recorder is installed")
        })
        .clone()
}

/// Liveness and readiness: answers 200 when the database answers.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "healthy"), (status = 503, description = "database unreachable")))]
pub async fn healthz(State(s): State<AppState>) -> Response {
    match s.store.list_plans().await {
        Ok(_) => (StatusCode::OK, axum::Json(serde_json::json!({"status": "ok"}))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"status": "unavailable"}))).into_response()
        }
    }
}

/// Prometheus text exposition. With `--metrics-token`, for that bearer token
/// only; without, for loopback peers only (a scraper on the same host).
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "Prometheus text format", content_type = "text/plain"),
    (status = 401, description = "the metrics token is missing or wrong", body = crate::error::Problem),
    (status = 403, description = "not from loopback, and no metrics token is set", body = crate::error::Problem)))]
pub async fn metrics(State(s): State<AppState>, req: Request) -> Response {
    match &s.metrics_token {
        Some(expected) => {
            let sent = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
            let ok = sent.and_then(|v| v.strip_prefix("Bearer ")).is_some_and(|t| {
                // Compared in constant time: the token is a secret.
                t.len() == expected.len() && t.bytes().zip(expected.bytes()).fold(0u8, |d, (a, b)| d | (a ^ b)) == 0
            });
            if !ok {
                return crate::error::AppError::Unauthorized.into_response();
            }
        }
        None => {
            // Served without a socket (tests), there is no peer: local.
            let peer = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
            if peer.is_some_and(|p| !p.0.ip().is_loopback()) {
                return crate::error::AppError::Forbidden(
                    "metrics answer loopback only; start the server with --metrics-token to scrape from elsewhere"
                        .into(),
                )
                .into_response();
            }
        }
    }
    s.metrics.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], s.metrics.render()).into_response()
}

/// Counts requests and times them by route and status.
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("triage_http_requests_total", &labels).increment(1);
    metrics::histogram!("triage_http_request_duration_seconds", &labels).record(start.elapsed().as_secs_f64());
    res
}
