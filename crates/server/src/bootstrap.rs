//! First start: the first admin and the policy's plans.

use crate::auth::{generate_token, hash_token};
use chrono::{DateTime, Utc};
use triage_core::agent::{Agent, AgentRole, Tier};
use triage_core::email::Email;
use triage_core::policy::Policy;
use triage_store::{Store, StoreError, TokenRole};

/// The login name of the admin created on an empty database.
pub const FIRST_ADMIN_EMAIL: &str = "admin@triage.local";

/// An admin who takes no tickets (capacity 0), for scripted set-ups.
pub fn new_admin(name: &str, email: Email, now: DateTime<Utc>) -> Agent {
    Agent {
        id: 0,
        name: name.into(),
        email,
        role: AgentRole::Admin,
        skills: vec![],
        tier: Tier::L3,
        team: "admins".into(),
        capacity: 0,
        timezone: "UTC".into(),
        active: true,
        availability: Default::default(),
        shifts: vec![],
        created_at: now,
    }
}

/// Adds the policy's plans missing from the catalog, and on a database without
/// any admin creates one with a token: `env_token` when given, else a new random
/// one. Returns the token when it made one, so the caller can show it once.
pub async fn prepare(
    store: &Store,
    policy: &Policy,
    env_token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    store.sync_plans(&policy.plans, &policy.currency, now).await?;
    if store.count_admins().await? > 0 {
        return Ok(None);
    }
    let email = Email::parse(FIRST_ADMIN_EMAIL).expect("valid address");
    let admin = match store.get_agent_by_email(&email).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => store.create_agent(&new_admin("Administrator", email, now), now).await?,
        Err(e) => return Err(e),
    };
    let token = env_token.map(str::to_string).filter(|t| !t.trim().is_empty()).unwrap_or_else(generate_token);
    store.create_token(&hash_token(&token), TokenRole::Admin, admin.id, "first admin", now).await?;
    Ok(Some(token))
}
