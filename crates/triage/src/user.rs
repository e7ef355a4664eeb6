//! `triage user password EMAIL [--link]`: sets the password a person signs
//! in with on the web pages, read from standard input, or prints a one-time
//! link with which they choose it.

use crate::cli::Global;
use crate::setup::open_store;
use anyhow::bail;
use std::io::BufRead;
use std::process::ExitCode;
use triage_store::{StoreError, TokenRole};

pub async fn password(g: &Global, email: &str) -> anyhow::Result<ExitCode> {
    let email = triage_core::email::Email::parse(email).map_err(|e| anyhow::anyhow!("EMAIL: {}", e.message))?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']);
    if let Some(why) = triage_server::password::problem(password) {
        bail!("standard input: {why}; nothing was changed");
    }
    let store = open_store(g).await?;
    let hash = triage_server::password::hash(password);
    match store.set_password(email.as_str(), &hash).await {
        Ok(who) => {
            let what = match who.role {
                TokenRole::Customer => "customer contact",
                TokenRole::Agent => "agent",
                TokenRole::Admin => "admin",
            };
            println!("password set for {what} {} <{email}>; their earlier sessions ended", who.name);
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::NotFound) => {
            bail!("EMAIL: no agent or contact has e-mail {email}; create them first (POST /api/v1/agents or /api/v1/contacts)")
        }
        Err(e) => Err(e.into()),
    }
}

/// Prints a one-time link with which the person chooses their password.
pub async fn link(g: &Global, email: &str, base_url: &str) -> anyhow::Result<ExitCode> {
    let email = triage_core::email::Email::parse(email).map_err(|e| anyhow::anyhow!("EMAIL: {}", e.message))?;
    let store = open_store(g).await?;
    let who = match store.credentials(email.as_str()).await {
        Ok(w) => w,
        Err(StoreError::NotFound) => {
            bail!("EMAIL: no agent or contact has e-mail {email}; create them first (POST /api/v1/agents or /api/v1/contacts)")
        }
        Err(e) => return Err(e.into()),
    };
    let now = triage_core::clock::Clock::now(&triage_core::clock::SystemClock);
    let path = triage_server::web::links::create(&store, &who, now).await?;
    println!("{}{path}", base_url.trim_end_matches('/'));
    eprintln!("a one-time link for {} <{email}> to choose a password; it works once, for 7 days", who.name);
    Ok(ExitCode::SUCCESS)
}
