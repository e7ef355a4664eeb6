//! One error type for the API, answered as RFC 9457 `application/problem+json`
//! naming the field at fault. Internal errors are logged and answered generically.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use triage_core::DomainError;
use triage_store::StoreError;
use utoipa::ToSchema;

#[derive(Debug)]
pub enum AppError {
    /// 400: the request could not be read (bad JSON, bad query string).
    BadRequest { field: Option<String>, detail: String },
    /// 401: no valid token.
    Unauthorized,
    /// 403: the caller may not do this.
    Forbidden(String),
    /// 404: not there, or not the caller's to see (the two look alike on purpose).
    NotFound,
    /// 405: the path exists, not with this method.
    MethodNotAllowed,
    /// 409: conflicts with stored state.
    Conflict(String),
    /// 409: a well-formed field the stored state refuses: it names a record
    /// that is not there (or retired, or inactive), or asks for a step the
    /// record's state does not allow (a closed ticket is final). The same
    /// request can succeed once the state changes, which a 422 cannot.
    Refused(Vec<FieldError>),
    /// 413: body too large.
    PayloadTooLarge(usize),
    /// 503: more requests in flight than the server takes; retry shortly.
    Busy,
    /// 503: the server is stopping and takes no more writes.
    Unavailable(String),
    /// 415: not JSON.
    UnsupportedMediaType,
    /// 422: well-formed but invalid; names every field at fault (at least one).
    Invalid(Vec<FieldError>),
    /// 500: logged with its cause, answered without it.
    Internal(String),
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field at fault, with what is wrong with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl AppError {
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError { field: field.into(), message: detail.into() }])
    }
}

impl AppError {
    pub fn refused(field: impl Into<String>, detail: impl Into<String>) -> Self {
        AppError::Refused(vec![FieldError { field: field.into(), message: detail.into() }])
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError::invalid(e.field, e.message)
    }
}

impl From<Vec<DomainError>> for AppError {
    fn from(errs: Vec<DomainError>) -> Self {
        AppError::Invalid(errs.into_iter().map(|e| FieldError { field: e.field, message: e.message }).collect())
    }
}

/// Every field error of one request, so one answer names them all: a client
/// fixes its form once, not once per field. Handlers run each independent
/// check through it and call [`Checks::finish`] before changing anything.
#[derive(Debug, Default)]
pub struct Checks {
    invalid: Vec<FieldError>,
    refused: Vec<FieldError>,
}

impl Checks {
    /// The value, or `None` with the field error noted. Errors that are not
    /// about a field (the store failing, a missing right) pass up at once.
    pub fn take<T>(&mut self, r: Result<T, impl Into<AppError>>) -> ApiResult<Option<T>> {
        match r.map_err(Into::into) {
            Ok(v) => Ok(Some(v)),
            Err(AppError::Invalid(errs)) => {
                self.invalid.extend(errs);
                Ok(None)
            }
            Err(AppError::Refused(errs)) => {
                self.refused.extend(errs);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Notes every error of a check that can find several.
    pub fn all(&mut self, errs: impl IntoIterator<Item = DomainError>) {
        self.invalid.extend(errs.into_iter().map(|e| FieldError { field: e.field, message: e.message }));
    }

    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.invalid.push(FieldError { field: field.into(), message: message.into() });
    }

    /// Notes a field the stored state refuses (a 409, see [`AppError::Refused`]).
    pub fn refuse(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.refused.push(FieldError { field: field.into(), message: message.into() });
    }

    /// `Ok` when every check passed; else one 422 naming every invalid field,
    /// or, when every field is valid but the stored state refuses some, one
    /// 409 naming those.
    pub fn finish(self) -> ApiResult<()> {
        if !self.invalid.is_empty() {
            Err(AppError::Invalid(self.invalid))
        } else if !self.refused.is_empty() {
            Err(AppError::Refused(self.refused))
        } else {
            Ok(())
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Stopping(m) => AppError::Unavailable(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// A ticket change refused by its own rule, or failed in the store.
impl From<triage_store::ModifyError<AppError>> for AppError {
    fn from(e: triage_store::ModifyError<AppError>) -> Self {
        match e {
            triage_store::ModifyError::Rejected(e) => e,
            triage_store::ModifyError::Store(e) => e.into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, slug, title, detail, field) = match self {
            AppError::BadRequest { field, detail } => {
                (StatusCode::BAD_REQUEST, "bad-request", "The request could not be read", detail, field)
            }
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Authentication required",
                "send `Authorization: Bearer <token>` with a valid API token".to_string(),
                None,
            ),
            AppError::Forbidden(d) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed", d, None),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                "no such resource, or it is not yours to see".to_string(),
                None,
            ),
            AppError::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "Too many requests in flight",
                "the server is handling as many requests as it takes; retry in a moment".to_string(),
                None,
            ),
            AppError::Unavailable(m) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
                format!("{m}; retry in a moment"),
                None,
            ),
            AppError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                "this path does not take that method; the API description lists the ones it does".to_string(),
                None,
            ),
            AppError::Conflict(d) => (StatusCode::CONFLICT, "conflict", "Conflict with the current state", d, None),
            AppError::PayloadTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Request body too large",
                format!("the body must be at most {limit} bytes"),
                None,
            ),
            AppError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "JSON expected",
                "send the body as JSON with `Content-Type: application/json`".to_string(),
                None,
            ),
            AppError::Invalid(errs) => {
                let body = problem(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Invalid request", "invalid", errs);
                return respond(StatusCode::UNPROCESSABLE_ENTITY, body);
            }
            AppError::Refused(errs) => {
                let body =
                    problem(StatusCode::CONFLICT, "conflict", "Conflict with the current state", "refused", errs);
                return respond(StatusCode::CONFLICT, body);
            }
            AppError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Internal error",
                    "something went wrong on our side; it has been logged".to_string(),
                    None,
                )
            }
        };
        let errors = field.iter().map(|f| FieldError { field: f.clone(), message: detail.clone() }).collect();
        let body = Problem {
            kind: format!("urn:triage:problem:{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            field,
            errors,
        };
        respond(status, body)
    }
}

/// A 422's or field 409's body: `field` and `detail` are the first error's (for clients that
/// read one), `errors` lists them all.
fn problem(status: StatusCode, slug: &str, title: &str, what: &str, errs: Vec<FieldError>) -> Problem {
    let detail = match errs.as_slice() {
        [one] => one.message.clone(),
        many => format!(
            "{} fields are {what}: {}",
            many.len(),
            many.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
        ),
    };
    Problem {
        kind: format!("urn:triage:problem:{slug}"),
        title: title.into(),
        status: status.as_u16(),
        detail,
        field: errs.first().map(|e| e.field.clone()),
        errors: errs,
    }
}

fn respond(status: StatusCode, body: Problem) -> Response {
    let mut res = (status, axum::Json(body)).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    res
}

pub type ApiResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    /// A store that is shutting down is a 503 to retry, not a 409 conflict
    /// with stored data; stored data that cannot be read is a 500.
    #[test]
    fn store_faults_are_not_conflicts() {
        let stopping = AppError::from(StoreError::Stopping("the ticket writer stopped".into())).into_response();
        assert_eq!(stopping.status(), StatusCode::SERVICE_UNAVAILABLE);
        let corrupt = AppError::from(StoreError::Corrupt("a label event is malformed".into())).into_response();
        assert_eq!(corrupt.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let conflict = AppError::from(StoreError::Conflict("taken".into())).into_response();
        assert_eq!(conflict.status(), StatusCode::CONFLICT);
    }
}
