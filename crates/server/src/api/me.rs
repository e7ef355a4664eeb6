//! Who the caller is.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use triage_store::TokenRole;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub role: String,
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub organization_id: Option<i64>,
}

/// The user behind the token.
#[utoipa::path(get, path = "/api/v1/me", tag = "staff", responses((status = 200, body = Me)))]
pub async fn me(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Me>> {
    let (name, email) = match caller.role {
        TokenRole::Customer => {
            let c = s.store.get_contact(caller.user_id).await?;
            (c.name, c.email.to_string())
        }
        _ => {
            let a = s.store.get_agent(caller.user_id).await?;
            (a.name, a.email.to_string())
        }
    };
    Ok(Json(Me {
        role: caller.role.to_string(),
        user_id: caller.user_id,
        name,
        email,
        organization_id: caller.organization_id,
    }))
}
