//! What every command needs: logging, the policy, the database.

use crate::cli::{Cli, Global};
use anyhow::Context;
use std::process::ExitCode;
use triage_core::policy::Policy;
use triage_store::{DatabaseUrl, Store, StoreOptions};

pub fn init_tracing(cli: &Cli) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TRIAGE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // Colours only for a terminal that wants them: a log file or a pipe gets plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour);
    if cli.global.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Loads the policy named by `--policy`, or the built-in one. An invalid policy
/// is printed with file:line and the command stops with exit code 2.
pub fn load_policy(g: &Global) -> Result<Policy, ExitCode> {
    let Some(path) = &g.policy else { return Ok(Policy::builtin()) };
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{name}: error: cannot read the policy file: {e}");
            return Err(ExitCode::from(2));
        }
    };
    let policy = Policy::from_toml(&name, &text).map_err(|errors| {
        eprintln!("{errors}");
        eprintln!("{} error(s); the policy was not loaded", errors.0.len());
        ExitCode::from(2)
    })?;
    for w in &policy.warnings {
        tracing::warn!("{}", w.to_string().replacen(": error: ", ": ", 1));
    }
    Ok(policy)
}

/// Opens an existing Triage database (every command but `serve`): a missing
/// one is an error, never created.
pub async fn open_store(g: &Global) -> anyhow::Result<Store> {
    open_store_with(g, StoreOptions { create: false, ..StoreOptions::default() }).await
}

pub async fn open_store_with(g: &Global, options: StoreOptions) -> anyhow::Result<Store> {
    let url = DatabaseUrl::parse(g.database()).map_err(anyhow::Error::msg)?;
    match Store::connect_with(&url, options).await {
        Err(e @ triage_store::StoreError::Missing(_)) => Err(anyhow::anyhow!("{e}")),
        r => r.with_context(|| format!("cannot open the database {url}")),
    }
}
