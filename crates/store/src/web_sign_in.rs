//! Signing in from a browser: passwords (stored as argon2 PHC strings, made
//! by the server), sessions and failed attempts (migration 0011).

use crate::codec::ms;
use crate::{Store, StoreError, TokenRole};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// Someone who may sign in, found by e-mail: an agent (admin or agent) or a
/// customer contact, with their password hash if one is set.
#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    pub role: TokenRole,
    pub user_id: i64,
    pub name: String,
    pub password_hash: Option<String>,
    /// False for a deactivated agent (a contact is always active).
    pub active: bool,
}

/// A stored browser session.
#[derive(Debug, Clone, PartialEq)]
pub struct WebSession {
    pub role: TokenRole,
    pub user_id: i64,
    /// The token every state-changing form of the session carries.
    pub csrf: String,
    pub seen_at: DateTime<Utc>,
}

impl Store {
    /// The agent or contact with this e-mail address (agents first: staff
    /// sign in to the workspace).
    pub async fn credentials(&self, email: &str) -> Result<Credentials, StoreError> {
        let agent = sqlx::query("SELECT id, name, role, active, password_hash FROM agents WHERE email = $1")
            .bind(email)
            .fetch_optional(self.r())
            .await?;
        if let Some(r) = agent {
            let role: String = r.try_get("role")?;
            return Ok(Credentials {
                role: if role == "admin" { TokenRole::Admin } else { TokenRole::Agent },
                user_id: r.try_get("id")?,
                name: r.try_get("name")?,
                password_hash: r.try_get("password_hash")?,
                active: r.try_get::<i64, _>("active")? != 0,
            });
        }
        let r = sqlx::query("SELECT id, name, password_hash FROM contacts WHERE email = $1")
            .bind(email)
            .fetch_one(self.r())
            .await?;
        Ok(Credentials {
            role: TokenRole::Customer,
            user_id: r.try_get("id")?,
            name: r.try_get("name")?,
            password_hash: r.try_get("password_hash")?,
            active: true,
        })
    }

    /// Stores a new password hash for the person with this e-mail address and
    /// ends their sessions. Returns who it was.
    pub async fn set_password(&self, email: &str, hash: &str) -> Result<Credentials, StoreError> {
        let who = self.credentials(email).await?;
        let table = if who.role == TokenRole::Customer { "contacts" } else { "agents" };
        let mut tx = self.w().begin().await?;
        // The table name is one of two constants, not user text.
        sqlx::query(&format!("UPDATE {table} SET password_hash = $1 WHERE id = $2"))
            .bind(hash)
            .bind(who.user_id)
            .execute(&mut *tx)
            .await?;
        end_sessions(&mut tx, &who).await?;
        tx.commit().await?;
        Ok(who)
    }

    /// Sets the same password hash for every agent and contact that has none
    /// (the demo's people). Returns how many.
    pub async fn set_missing_passwords(&self, hash: &str) -> Result<u64, StoreError> {
        let mut n = 0;
        for table in ["agents", "contacts"] {
            n += sqlx::query(&format!("UPDATE {table} SET password_hash = $1 WHERE password_hash IS NULL"))
                .bind(hash)
                .execute(self.w())
                .await?
                .rows_affected();
        }
        Ok(n)
    }

    pub async fn create_web_session(
        &self,
        id_hash: &str,
        role: TokenRole,
        user_id: i64,
        csrf: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO web_sessions (id_hash, role, user_id, csrf, created_at, seen_at) VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id_hash)
        .bind(role.as_str())
        .bind(user_id)
        .bind(csrf)
        .bind(ms(now))
        .execute(self.w())
        .await?;
        Ok(())
    }

    /// The session with this hash if it was seen after `since` (older ones
    /// have expired).
    pub async fn web_session(&self, id_hash: &str, since: DateTime<Utc>) -> Result<WebSession, StoreError> {
        let r =
            sqlx::query("SELECT role, user_id, csrf, seen_at FROM web_sessions WHERE id_hash = $1 AND seen_at > $2")
                .bind(id_hash)
                .bind(ms(since))
                .fetch_one(self.r())
                .await?;
        Ok(WebSession {
            role: r.try_get::<String, _>("role")?.parse().map_err(StoreError::Corrupt)?,
            user_id: r.try_get("user_id")?,
            csrf: r.try_get("csrf")?,
            seen_at: crate::codec::time(r.try_get("seen_at")?)?,
        })
    }

    /// Notes the session was used (its inactivity clock restarts).
    pub async fn touch_web_session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE web_sessions SET seen_at = $1 WHERE id_hash = $2")
            .bind(ms(now))
            .bind(id_hash)
            .execute(self.w())
            .await?;
        Ok(())
    }

    pub async fn delete_web_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1").bind(id_hash).execute(self.w()).await?;
        Ok(())
    }

    /// Records a failed sign-in under each key (the account, the address).
    pub async fn sign_in_failed(&self, keys: &[String], now: DateTime<Utc>) -> Result<(), StoreError> {
        for k in keys {
            sqlx::query("INSERT INTO sign_in_failures (key, at) VALUES ($1, $2)")
                .bind(k)
                .bind(ms(now))
                .execute(self.w())
                .await?;
        }
        Ok(())
    }

    /// The most failed sign-ins recorded since `since` under any of the keys.
    pub async fn sign_in_failures(&self, keys: &[String], since: DateTime<Utc>) -> Result<i64, StoreError> {
        let mut most = 0;
        for k in keys {
            let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sign_in_failures WHERE key = $1 AND at > $2")
                .bind(k)
                .bind(ms(since))
                .fetch_one(self.r())
                .await?
                .try_get("n")?;
            most = most.max(n);
        }
        Ok(most)
    }

    /// Forgets the failures under `key` (after a successful sign-in).
    pub async fn clear_sign_in_failures(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE key = $1").bind(key).execute(self.w()).await?;
        Ok(())
    }
}

/// Ends every session of `who` (a new password, a deactivation).
async fn end_sessions(tx: &mut sqlx::Transaction<'_, sqlx::Any>, who: &Credentials) -> Result<(), StoreError> {
    let roles: &[&str] = if who.role == TokenRole::Customer { &["customer"] } else { &["admin", "agent"] };
    for role in roles {
        sqlx::query("DELETE FROM web_sessions WHERE role = $1 AND user_id = $2")
            .bind(*role)
            .bind(who.user_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Stores a one-time sign-in link for `who`, valid until `expires`.
    pub async fn create_sign_in_link(
        &self,
        token_hash: &str,
        who: &Credentials,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sign_in_links (token_hash, role, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(who.role.as_str())
        .bind(who.user_id)
        .bind(ms(now))
        .bind(ms(expires))
        .execute(self.w())
        .await?;
        Ok(())
    }

    /// The person a sign-in link is for, while it is unused and unexpired.
    pub async fn sign_in_link(&self, token_hash: &str, now: DateTime<Utc>) -> Result<(TokenRole, i64), StoreError> {
        let r = sqlx::query(
            "SELECT role, user_id FROM sign_in_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(ms(now))
        .fetch_one(self.r())
        .await?;
        Ok((r.try_get::<String, _>("role")?.parse().map_err(StoreError::Corrupt)?, r.try_get("user_id")?))
    }

    /// Uses a sign-in link to set the password `hash` (once: `NotFound` when
    /// it was used or expired meanwhile) and ends the person's sessions.
    pub async fn use_sign_in_link(
        &self,
        token_hash: &str,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(TokenRole, i64), StoreError> {
        let mut tx = self.w().begin().await?;
        let r = sqlx::query(
            "UPDATE sign_in_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
             RETURNING role, user_id",
        )
        .bind(ms(now))
        .bind(token_hash)
        .fetch_one(&mut *tx)
        .await?;
        let role: TokenRole = r.try_get::<String, _>("role")?.parse().map_err(StoreError::Corrupt)?;
        let user_id: i64 = r.try_get("user_id")?;
        let table = if role == TokenRole::Customer { "contacts" } else { "agents" };
        // The table name is one of two constants, not user text.
        sqlx::query(&format!("UPDATE {table} SET password_hash = $1 WHERE id = $2"))
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let who = Credentials { role, user_id, name: String::new(), password_hash: None, active: true };
        end_sessions(&mut tx, &who).await?;
        tx.commit().await?;
        Ok((role, user_id))
    }
}
