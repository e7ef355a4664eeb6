//! API tokens: created and revoked by admins. A token is shown once, when created.

use super::ListEnvelope;
use crate::auth::{generate_token, hash_token, Caller};
use crate::error::{ApiResult, AppError, Checks};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use triage_core::email::Email;
use triage_store::{StoreError, TokenRecord, TokenRole};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenCreate {
    /// `admin`, `agent` or `customer`.
    pub role: String,
    /// The agent's (admin, agent) or contact's (customer) e-mail.
    pub user: String,
    #[serde(default)]
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub role: String,
    pub user_id: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The rights it gives now (in lists): its `role`, or less when its owner
    /// was demoted (`agent`) or deactivated or revoked (`none`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acts_as: Option<String>,
}

impl From<TokenRecord> for TokenInfo {
    fn from(t: TokenRecord) -> Self {
        TokenInfo {
            id: t.id,
            role: t.role.to_string(),
            user_id: t.user_id,
            label: t.label,
            created_at: t.created_at,
            revoked_at: t.revoked_at,
            acts_as: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    /// The secret. Shown only now: store it safely.
    pub token: String,
}

/// The longest token label.
pub(crate) const MAX_LABEL_CHARS: usize = 200;

/// Finds the user a token is for, checking the role fits them.
pub async fn resolve_user(s: &AppState, role: TokenRole, email: &Email) -> Result<i64, AppError> {
    let not_found = |what: &str| AppError::refused("user", format!("no {what} has e-mail {email}"));
    match role {
        TokenRole::Customer => match s.store.get_contact_by_email(email).await {
            Ok(c) => Ok(c.id),
            Err(StoreError::NotFound) => Err(not_found("contact")),
            Err(e) => Err(e.into()),
        },
        TokenRole::Admin | TokenRole::Agent => match s.store.get_agent_by_email(email).await {
            Ok(a) if role == TokenRole::Admin && a.role != triage_core::agent::AgentRole::Admin => {
                Err(AppError::refused(
                    "role",
                    format!("{email} is not an admin; make them one (PATCH /api/v1/agents/{}) first", a.id),
                ))
            }
            Ok(a) => Ok(a.id),
            Err(StoreError::NotFound) => Err(not_found("agent")),
            Err(e) => Err(e.into()),
        },
    }
}

/// Create a token for a user (admin).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "staff", request_body = TokenCreate,
    responses((status = 201, body = NewToken), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<TokenCreate>,
) -> ApiResult<(StatusCode, Json<NewToken>)> {
    caller.require_admin()?;
    let mut checks = Checks::default();
    let role = checks.take(req.role.parse::<TokenRole>().map_err(|e: String| AppError::invalid("role", e)))?;
    let email = checks.take(Email::parse_exact(&req.user).map_err(|e| AppError::invalid("user", e.message)))?;
    if let Err(m) = triage_core::text::check_length(&req.label, MAX_LABEL_CHARS) {
        checks.fail("label", m);
    }
    checks.finish()?;
    let (Some(role), Some(email)) = (role, email) else {
        return Err(AppError::Internal("a checked token request lost its role".into()));
    };
    let user_id = resolve_user(&s, role, &email).await?;
    let token = generate_token();
    let rec = s.store.create_token(&hash_token(&token), role, user_id, &req.label, s.now()).await?;
    Ok((StatusCode::CREATED, Json(NewToken { info: rec.into(), token })))
}

/// Every token (never the secrets) (admin).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "staff", params(super::ListParams), responses((status = 200, body = ListEnvelope<TokenInfo>)))]
pub async fn list(
    State(s): State<AppState>,
    caller: Caller,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<super::ListParams>,
) -> ApiResult<Json<ListEnvelope<TokenInfo>>> {
    let page = super::page_request(&q.cursor, q.limit)?;
    caller.require_admin()?;
    let items = s.store.list_tokens().await?.into_iter().map(TokenInfo::from).collect();
    let mut paged = super::page_of_list(items, |t: &TokenInfo| t.id, &page);
    // What each gives now: the caller check reads the owner on every request
    // (see `auth`), and the list says the same.
    for t in &mut paged.items {
        let now = match (t.revoked_at, t.role.as_str()) {
            (Some(_), _) => "none".to_string(),
            (None, "admin" | "agent") => match s.store.get_agent(t.user_id).await {
                Ok(a) if !a.active => "none".into(),
                Ok(a) if t.role == "admin" && a.role != triage_core::agent::AgentRole::Admin => "agent".into(),
                Ok(_) => t.role.clone(),
                Err(StoreError::NotFound) => "none".into(),
                Err(e) => return Err(e.into()),
            },
            (None, _) => t.role.clone(),
        };
        t.acts_as = Some(now);
    }
    Ok(Json(paged))
}

/// Revoke a token (admin). It stops working at once in this process.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "staff", params(("id" = i64, Path)),
    responses((status = 200, body = TokenInfo), (status = 404, body = crate::error::Problem)))]
pub async fn revoke(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TokenInfo>> {
    caller.require_admin()?;
    let rec = s.store.revoke_token(id, s.now()).await?;
    s.tokens.forget_token(id);
    Ok(Json(rec.into()))
}
