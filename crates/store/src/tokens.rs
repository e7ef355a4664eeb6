//! API tokens. Only a SHA-256 of each token is stored; the token itself is shown once.

use crate::codec::{ms, opt_time, time};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::fmt;
use std::str::FromStr;

/// What a token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenRole {
    Admin,
    Agent,
    Customer,
}

impl TokenRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRole::Admin => "admin",
            TokenRole::Agent => "agent",
            TokenRole::Customer => "customer",
        }
    }
}
impl fmt::Display for TokenRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl FromStr for TokenRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "admin" => Ok(TokenRole::Admin),
            "agent" => Ok(TokenRole::Agent),
            "customer" => Ok(TokenRole::Customer),
            _ => Err(format!("`{s}` is not a role; use admin, agent or customer")),
        }
    }
}

/// A stored token: `user_id` is an agent for admin/agent, a contact for customer.
#[derive(Debug, Clone, Serialize)]
pub struct TokenRecord {
    pub id: i64,
    pub role: TokenRole,
    pub user_id: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const COLS: &str = "id, role, user_id, label, created_at, revoked_at";

fn decode(r: &AnyRow) -> Result<TokenRecord, StoreError> {
    Ok(TokenRecord {
        id: r.try_get("id")?,
        role: r.try_get::<String, _>("role")?.parse().map_err(StoreError::Corrupt)?,
        user_id: r.try_get("user_id")?,
        label: r.try_get("label")?,
        created_at: time(r.try_get("created_at")?)?,
        revoked_at: opt_time(r.try_get("revoked_at")?)?,
    })
}

impl Store {
    pub async fn create_token(
        &self,
        hash: &str,
        role: TokenRole,
        user_id: i64,
        label: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenRecord, StoreError> {
        let row = sqlx::query(&format!(
            "INSERT INTO api_tokens (token_hash, role, user_id, label, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {COLS}"
        ))
        .bind(hash)
        .bind(role.as_str())
        .bind(user_id)
        .bind(label)
        .bind(ms(now))
        .fetch_one(self.w())
        .await?;
        decode(&row)
    }

    /// The live (not revoked) token with this hash.
    pub async fn find_token(&self, hash: &str) -> Result<TokenRecord, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL"))
            .bind(hash)
            .fetch_one(self.r())
            .await?;
        decode(&row)
    }

    pub async fn list_tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLS} FROM api_tokens ORDER BY id")).fetch_all(self.r()).await?;
        rows.iter().map(decode).collect()
    }

    pub async fn revoke_token(&self, id: i64, now: DateTime<Utc>) -> Result<TokenRecord, StoreError> {
        let mut tx = self.w().begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING {COLS}"
        ))
        .bind(ms(now))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        crate::auth_epoch::bump(&mut *tx).await?;
        tx.commit().await?;
        decode(&row)
    }
}
