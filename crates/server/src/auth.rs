//! Bearer-token authentication and the caller it identifies.
//!
//! Tokens are 32 random bytes; only their SHA-256 is stored. A fast hash is
//! right here (unlike for passwords): the token carries 256 bits of entropy, so
//! there is nothing to brute-force, and every request must check one.

use crate::directory::TtlMap;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use triage_core::agent::AgentRole;
use triage_core::ticket::Actor;
use triage_store::{StoreError, TokenRole};

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: i64,
    pub role: TokenRole,
    /// An agent id (admin, agent) or a contact id (customer).
    pub user_id: i64,
    /// The organization of a customer.
    pub organization_id: Option<i64>,
}

impl Caller {
    pub fn actor(&self) -> Actor {
        match self.role {
            TokenRole::Customer => Actor::Contact(self.user_id),
            _ => Actor::Agent(self.user_id),
        }
    }
    pub fn is_staff(&self) -> bool {
        self.role != TokenRole::Customer
    }
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.role == TokenRole::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden("only admins may do this".into()))
        }
    }
    pub fn require_staff(&self) -> Result<(), AppError> {
        if self.is_staff() {
            Ok(())
        } else {
            Err(AppError::Forbidden("customers may not do this".into()))
        }
    }
}

/// Verified tokens by hash, each with the authorization epoch it was read at:
/// trusted only while the database's epoch is the same (every change to a
/// role, an agent's state, a contact or a token moves it, on any process),
/// and never longer than [`crate::directory`]'s TTL.
#[derive(Clone, Default)]
pub(crate) struct TokenCache(TtlMap<String, (i64, Caller)>, EpochReads);

/// Reads of the authorization epoch, shared: a request uses the answer of a
/// read that started after it arrived (so a change committed before the
/// request is always seen), and the requests that arrive while one read runs
/// share the next. Under load that is one database read per read's time, not
/// one per request.
#[derive(Clone, Default)]
struct EpochReads {
    /// Requests that have asked, numbered in arrival order.
    arrivals: Arc<AtomicU64>,
    /// The last read: how many requests had arrived when it started, and what
    /// it found. Reads run one at a time, under this lock.
    last: Arc<tokio::sync::Mutex<(u64, i64)>>,
}

impl EpochReads {
    async fn epoch(&self, store: &triage_store::Store) -> Result<i64, triage_store::StoreError> {
        let me = self.arrivals.fetch_add(1, Ordering::SeqCst) + 1;
        let mut last = self.last.lock().await;
        if last.0 >= me {
            return Ok(last.1); // read after this request arrived
        }
        let covers = self.arrivals.load(Ordering::SeqCst);
        let epoch = store.auth_epoch().await?;
        *last = (covers, epoch);
        Ok(epoch)
    }
}

impl TokenCache {
    /// Drops every cached caller (after a change to agents or contacts).
    pub(crate) fn forget_all(&self) {
        self.0.clear();
    }
    pub(crate) fn forget_token(&self, token_id: i64) {
        self.0.retain(|(_, c)| c.token_id != token_id);
    }
}

/// A new random token: `trg_` and 43 URL-safe characters.
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("trg_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or(AppError::Unauthorized)?;
        let hash = hash_token(token);
        // Read before the token and its owner, so a change committed between
        // the two reads leaves this entry tagged with the older epoch.
        let epoch = state.tokens.1.epoch(&state.store).await?;
        if let Some((at, c)) = state.tokens.0.get(&hash) {
            if at == epoch {
                return Ok(c);
            }
        }
        let rec = match state.store.find_token(&hash).await {
            Ok(r) => r,
            Err(StoreError::NotFound) => return Err(AppError::Unauthorized),
            Err(e) => return Err(e.into()),
        };
        let mut role = rec.role;
        let organization_id = match rec.role {
            TokenRole::Customer => match state.store.get_contact(rec.user_id).await {
                Ok(c) => Some(c.organization_id),
                Err(StoreError::NotFound) => return Err(AppError::Unauthorized),
                Err(e) => return Err(e.into()),
            },
            _ => {
                match state.store.get_agent(rec.user_id).await {
                    // A token gives its owner's current rights at most: an
                    // admin token of someone no longer an admin is an agent's.
                    Ok(a) if a.active => {
                        if a.role != AgentRole::Admin {
                            role = TokenRole::Agent;
                        }
                    }
                    Ok(_) | Err(StoreError::NotFound) => return Err(AppError::Unauthorized),
                    Err(e) => return Err(e.into()),
                }
                None
            }
        };
        let caller = Caller { token_id: rec.id, role, user_id: rec.user_id, organization_id };
        state.tokens.0.put(hash, (epoch, caller.clone()));
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let a = generate_token();
        let b = generate_token();
        assert_ne!(a, b);
        assert!(a.starts_with("trg_") && a.len() == 47);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_eq!(hash_token(&a).len(), 64);
    }
}
