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
    Agent { role: AgentRole::Admin, tier: Tier::L3, team: "admins".into(), capacity: 0, ..Agent::new(name, email, now) }
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
        // Named by imported history (an inactive placeholder): it is the first admin.
        Ok(mut a) if a.role != AgentRole::Admin || !a.active => {
            a.role = AgentRole::Admin;
            a.active = true;
            store.save_agent(&a).await?
        }
        Ok(a) => a,
        Err(StoreError::NotFound) => store.create_agent(&new_admin("Administrator", email, now), now).await?,
        Err(e) => return Err(e),
    };
    let token = env_token.map(str::to_string).filter(|t| !t.trim().is_empty()).unwrap_or_else(generate_token);
    store.create_token(&hash_token(&token), TokenRole::Admin, admin.id, "first admin", now).await?;
    Ok(Some(token))
}

/// Where the database's plan catalog and the policy's plans differ. The
/// database wins: the policy only seeds plans the catalog lacks, and plans are
/// then managed through the API (`/api/v1/plans`); `serve` says so at start
/// rather than let the two drift apart silently.
pub async fn plan_divergence(store: &Store, policy: &Policy) -> Result<Vec<String>, StoreError> {
    let stored = store.list_plans().await?;
    let mut out = Vec::new();
    for p in &policy.plans {
        let Some(s) = stored.iter().find(|s| s.name == p.name) else { continue };
        let mut diffs = Vec::new();
        if s.price_cents != p.price_cents {
            diffs.push(format!("price {} (policy {})", s.price_cents, p.price_cents));
        }
        if s.sla_policy != p.sla_policy {
            diffs.push(format!("SLA policy {} (policy {})", s.sla_policy, p.sla_policy));
        }
        if s.priority_boost != p.priority_boost {
            diffs.push(format!("priority boost {} (policy {})", s.priority_boost, p.priority_boost));
        }
        if s.channels != p.channels {
            diffs.push("channels".to_string());
        }
        if !diffs.is_empty() {
            out.push(format!(
                "plan `{}` in the database differs from the policy file: {}; the database's is in force (change it with PATCH /api/v1/plans/{})",
                p.name,
                diffs.join(", "),
                s.id
            ));
        }
    }
    for s in stored.iter().filter(|s| s.active && !policy.plans.iter().any(|p| p.name == s.name)) {
        out.push(format!("plan `{}` is in the database but not in the policy file; it stays on sale", s.name));
    }
    Ok(out)
}
