//! `triage token create`: a new API token for a user, printed once on stdout.

use crate::cli::Global;
use crate::setup::open_store;
use anyhow::bail;
use std::process::ExitCode;
use triage_core::agent::AgentRole;
use triage_core::clock::{Clock, SystemClock};
use triage_core::email::Email;
use triage_server::auth::{generate_token, hash_token};
use triage_server::bootstrap::new_admin;
use triage_store::{StoreError, TokenRole};

pub async fn create(g: &Global, role: &str, user: &str, label: &str) -> anyhow::Result<ExitCode> {
    let role: TokenRole = role.parse().map_err(anyhow::Error::msg)?;
    let email = Email::parse(user).map_err(|e| anyhow::anyhow!("--user: {}", e.message))?;
    let store = open_store(g).await?;
    let now = SystemClock.now();
    let user_id = match role {
        TokenRole::Customer => match store.get_contact_by_email(&email).await {
            Ok(c) => c.id,
            Err(StoreError::NotFound) => {
                bail!("--user: no contact has e-mail {email}; create the contact first (POST /api/v1/contacts)")
            }
            Err(e) => return Err(e.into()),
        },
        TokenRole::Agent => match store.get_agent_by_email(&email).await {
            Ok(a) => a.id,
            Err(StoreError::NotFound) => {
                bail!("--user: no agent has e-mail {email}; create the agent first (POST /api/v1/agents)")
            }
            Err(e) => return Err(e.into()),
        },
        TokenRole::Admin => match store.get_agent_by_email(&email).await {
            Ok(a) if a.role == AgentRole::Admin => a.id,
            Ok(_) => bail!("--user: {email} is an agent but not an admin; change their role first"),
            Err(StoreError::NotFound) => {
                // Scripted deployments: the first command may name a new admin.
                let name = email.as_str().split('@').next().unwrap_or("admin").to_string();
                let a = new_admin(&name, email.clone(), now);
                let a = store.create_agent(&a, now).await?;
                eprintln!("created admin {email}");
                a.id
            }
            Err(e) => return Err(e.into()),
        },
    };
    let token = generate_token();
    let rec = store.create_token(&hash_token(&token), role, user_id, label, now).await?;
    eprintln!("token {} for {role} {email} (shown once; store it safely):", rec.id);
    println!("{token}");
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
