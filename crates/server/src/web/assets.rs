//! The stylesheet and the vendored htmx, embedded in the binary and served
//! from the server's own origin (nothing is fetched from elsewhere).

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("../../assets/triage.css");
const HTMX: &str = include_str!("../../assets/vendor/htmx/htmx.min.js");
const JS: &str = include_str!("../../assets/triage.js");

/// `GET /assets/{file}`.
pub async fn get(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "triage.css" => (CSS, "text/css; charset=utf-8"),
        "htmx.min.js" => (HTMX, "text/javascript; charset=utf-8"),
        "triage.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}
