//! Request extractors that turn bad input into problem+json naming the field:
//! JSON bodies (size-limited, unknown fields rejected by the types) and query strings.

use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts};
use serde::de::DeserializeOwned;

/// The largest JSON body accepted.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A JSON body; errors say which field is wrong and why.
pub struct ApiJson<T>(pub T);

/// A JSON body and its raw bytes (to fingerprint idempotent requests).
pub struct ApiJsonBytes<T>(pub T, pub Bytes);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let ApiJsonBytes(v, _) = ApiJsonBytes::from_request(req, state).await?;
        Ok(ApiJson(v))
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJsonBytes<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge(MAX_BODY_BYTES)
            } else {
                AppError::BadRequest { field: None, detail: e.body_text() }
            }
        })?;
        let v = parse_json(&bytes)?;
        Ok(ApiJsonBytes(v, bytes))
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    refuse_controls(bytes)?;
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(de) {
        Ok(v) => Ok(v),
        // JSON Schema counts `3.0` as the integer 3 and so do we: a body
        // refused for its shape is read again with its whole numbers made
        // integers, when it has any (only then: the common body is read once).
        Err(e) if !e.inner().is_syntax() && !e.inner().is_eof() => {
            let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes) else { return Err(json_error(e)) };
            if !whole_numbers(&mut value) {
                return Err(json_error(e));
            }
            serde_path_to_error::deserialize(value).map_err(json_error)
        }
        Err(e) => Err(json_error(e)),
    }
}

/// Every string of a body, keys too, is held to the one control-character
/// rule ([`triage_core::text::is_refused_control`]), here at the edge for every
/// field at once. JSON writes a C0 control only as a `\u00XX` escape and a C1
/// one as two bytes (C2 80..9F), so a scan of the bytes finds the rare body to
/// read closely; only that one is parsed to name the field.
fn refuse_controls(bytes: &[u8]) -> Result<(), AppError> {
    let escaped = bytes.windows(6).any(|w| {
        let hex = std::str::from_utf8(&w[4..]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
        w.starts_with(b"\\u00") && hex.is_some_and(|c| triage_core::text::is_refused_control(char::from(c)))
    });
    let raw_c1 = bytes.windows(2).any(|w| w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1]));
    if !escaped && !raw_c1 {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else { return Ok(()) };
    match control_at(&value, "") {
        Some(field) => Err(AppError::invalid(
            if field.is_empty() { "body".to_string() } else { field },
            "must not contain control characters other than tab and line breaks",
        )),
        None => Ok(()),
    }
}

fn control_at(v: &serde_json::Value, path: &str) -> Option<String> {
    let bad = |s: &str| s.chars().any(triage_core::text::is_refused_control);
    let join = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    match v {
        serde_json::Value::String(s) if bad(s) => Some(path.to_string()),
        serde_json::Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| control_at(x, &format!("{path}[{i}]"))),
        serde_json::Value::Object(m) => {
            m.iter().find_map(|(k, x)| if bad(k) { Some(join(k)) } else { control_at(x, &join(k)) })
        }
        _ => None,
    }
}

/// Floats without a fraction, within i64, become integers; true when one did.
fn whole_numbers(v: &mut serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            match n.as_f64().filter(|x| x.fract() == 0.0 && x.abs() < 9.2e18) {
                Some(x) => {
                    *v = serde_json::Value::from(x as i64);
                    true
                }
                None => false,
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().map(whole_numbers).fold(false, |any, changed| any | changed),
        serde_json::Value::Object(m) => m.values_mut().map(whole_numbers).fold(false, |any, changed| any | changed),
        _ => false,
    }
}

fn json_error(e: serde_path_to_error::Error<serde_json::Error>) -> AppError {
    {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = strip_position(&inner.to_string());
        if inner.is_syntax() || inner.is_eof() {
            return AppError::BadRequest { field: None, detail: format!("the body is not valid JSON: {inner}") };
        }
        // serde_path_to_error's path already ends in an unknown field's name; at
        // the top level of a missing field it is `.`, so take the name from the message.
        let field = if path == "." {
            unknown_field(&msg).or_else(|| missing_field(&msg)).unwrap_or_else(|| "body".into())
        } else {
            match missing_field(&msg) {
                Some(m) => format!("{path}.{m}"),
                None => path,
            }
        };
        AppError::invalid(field, msg)
    }
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn quoted_after(msg: &str, prefix: &str) -> Option<String> {
    let rest = msg.strip_prefix(prefix)?;
    let end = rest.find('`')?;
    Some(rest[..end].to_string())
}

fn unknown_field(msg: &str) -> Option<String> {
    quoted_after(msg, "unknown field `")
}

fn missing_field(msg: &str) -> Option<String> {
    quoted_after(msg, "missing field `")
}

/// A query string; errors name the parameter at fault.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let q = parts.uri.query().unwrap_or("");
        // The one control-character rule, for every parameter at once.
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            if v.chars().chain(k.chars()).any(triage_core::text::is_refused_control) {
                return Err(AppError::BadRequest {
                    field: Some(k.to_string()),
                    detail: format!(
                        "query parameter `{k}` must not contain control characters other than tab and line breaks"
                    ),
                });
            }
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let path = e.path().to_string();
            let msg = e.into_inner().to_string();
            let field = unknown_field(&msg).unwrap_or(path);
            AppError::BadRequest { field: Some(field.clone()), detail: format!("query parameter `{field}`: {msg}") }
        })
    }
}

/// Path parameters (a ticket's `id`); one that does not parse is a 400
/// problem naming it, like every other input.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(AppError::BadRequest {
                field: Some("id".into()),
                detail: format!("path parameter `id`: {}", e.body_text()),
            }),
        }
    }
}

/// Deserializes an optional instant (RFC 3339) written in the years 1970 to
/// 9999 (see `api::YEAR_PATTERN`); use with `#[serde(default)]`.
pub fn opt_instant<'de, D>(d: D) -> Result<Option<chrono::DateTime<chrono::Utc>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::Error;
    use serde::Deserialize;
    let Some(s) = Option::<String>::deserialize(d)? else { return Ok(None) };
    let year = s.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit())).and_then(|y| y.parse::<i32>().ok());
    if !year.is_some_and(|y| (1970..=9999).contains(&y)) {
        return Err(D::Error::custom("must be an RFC 3339 date-time in the years 1970 to 9999"));
    }
    // As chrono reads a DateTime<Utc> itself.
    let t = s.parse::<chrono::DateTime<chrono::FixedOffset>>().map_err(|e| D::Error::custom(format!("{e}")))?;
    Ok(Some(t.with_timezone(&chrono::Utc)))
}

/// Deserializes a field that may be absent (`None`), null (`Some(None)`) or set.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Option::<T>::deserialize(d).map(Some)
}
