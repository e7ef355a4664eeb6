//! Accepting connections with limits, so slow or idle clients cannot hold
//! the server: a cap on open connections (beyond it a short 503 and close),
//! a time to send a request's headers (which also ends idle keep-alive
//! connections), a time to send its body, and a cap on requests in flight
//! (beyond it a 503 at once rather than a queue that grows).
//!
//! Written here rather than `axum::serve` because that has no header or
//! idle timeout and no connection cap; hyper's HTTP/1 builder has the
//! timeout, and the cap is a semaphore around accept.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How much the server takes before it refuses.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections at once.
    pub connections: usize,
    /// Requests being handled at once; more are answered 503 at once.
    pub in_flight: usize,
    /// Time to send a request's headers, and the longest a kept-alive
    /// connection may sit idle before its next request.
    pub header_timeout: Duration,
    /// Time to send a request's body.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connections: 4096,
            in_flight: 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
        }
    }
}

/// The answer beyond the connection cap: written whole before the request is
/// read, so the client is told rather than left waiting.
fn busy() -> Vec<u8> {
    let body = r#"{"type":"urn:triage:problem:busy","title":"Too many connections","status":503,"detail":"the server holds as many connections as it takes; retry in a moment"}"#;
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves `router` on `listener` within `limits` until `shutdown`, then
/// lets the requests in flight finish (at most 30 s).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let open = Arc::new(Semaphore::new(limits.connections));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: say so, and give
                    // the closing connections a moment to free some.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            metrics::counter!("triage_connections_refused_total").increment(1);
            tokio::spawn(async move {
                let mut stream = stream;
                let _ = stream.write_all(&busy()).await;
                let _ = stream.shutdown().await;
            });
            continue;
        };
        let service = router.clone().map_request(move |req: hyper::Request<hyper::body::Incoming>| {
            let mut req = req.map(axum::body::Body::new);
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            req
        });
        let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after 30 s of shutdown; stopping anyway");
    }
    Ok(())
}
