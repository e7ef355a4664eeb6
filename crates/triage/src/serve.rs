//! `triage serve`: the HTTP server, with optional demo data.

/// The password every person of the demo signs in with.
const DEMO_PASSWORD: &str = "demo";

use crate::cli::{Global, ServeArgs};
use crate::setup::{load_policy, open_store_with};
use anyhow::Context;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use triage_core::clock::{Clock, SystemClock};
use triage_server::bootstrap::{prepare, FIRST_ADMIN_EMAIL};
use triage_server::AppState;

/// Prints a line to stdout; a closed stdout (a supervisor that stopped reading)
/// must not take the server down, so write errors are ignored.
macro_rules! say {
    ($($arg:tt)*) => {{
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, $($arg)*);
        let _ = out.flush();
    }};
}

/// [`say!`] for stderr.
macro_rules! esay {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub async fn run(g: &Global, a: ServeArgs) -> anyhow::Result<ExitCode> {
    let policy = match load_policy(g) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let store = open_store_with(g, triage_store::StoreOptions { max_batch: a.ticket_batch, create: true }).await?;
    if store.created() {
        esay!("created a new Triage database at {}", redacted(g.database()));
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let env_token = std::env::var("TRIAGE_ADMIN_TOKEN").ok();
    let new_token = prepare(&store, &policy, env_token.as_deref(), clock.now()).await?;
    if a.demo {
        let added = crate::demo::seed(&store, &policy, clock.now()).await?;
        if added > 0 {
            esay!("demo data: {added} tickets, with organizations, contacts and agents");
            // Models learnt from the demo history, so new tickets arrive categorized.
            for target in ["category", "urgency", "impact"] {
                let rows = store.labelled_tickets(target).await?;
                let m =
                    crate::train::train_and_store(&store, &policy, target, rows, "demo history", false, false).await?;
                esay!("demo model for `{target}`: model {} ({} rows)", m.id, m.rows_trained);
            }
        } else {
            esay!("demo data: already present");
        }
        // Everyone the demo made signs in to the web pages with `demo`.
        store.set_missing_passwords(&triage_server::password::hash(DEMO_PASSWORD)).await?;
    }
    let listener =
        tokio::net::TcpListener::bind(a.listen).await.with_context(|| format!("cannot listen on {}", a.listen))?;
    let addr = listener.local_addr()?;
    let policy_name = format!("{} ({})", policy.name, policy.version);
    let mut state = AppState::new(store.clone(), policy, clock);
    state.metrics_token = a.metrics_token.clone().filter(|t| !t.is_empty());
    state.sla_batch = a.sla_batch.max(1);
    state.secure_cookies = a.secure_cookies;
    let rescored = triage_server::rescore::rescore(&state, triage_server::rescore::Scope::OtherPolicyVersions).await?;
    if rescored.examined > 0 {
        esay!(
            "policy {}: re-scored {} open tickets scored by another version; {} changed level",
            state.policy.version,
            rescored.examined,
            rescored.level_changed
        );
    }
    for gap in triage_server::routing::coverage_gaps(&state.store, &state.policy).await? {
        esay!("warning: {gap}");
    }
    for d in triage_server::bootstrap::plan_divergence(&state.store, &state.policy).await? {
        esay!("warning: {d}");
    }
    let t = std::time::Instant::now();
    if let Some(n) = triage_server::queue::start(&state).await? {
        esay!("queue: {n} open tickets in priority order (loaded in {:.1} s)", t.elapsed().as_secs_f64());
    }

    say!("Triage listening on http://{addr} (database {}, policy {policy_name})", redacted(g.database()));
    match (&new_token, env_token.is_some()) {
        (Some(t), false) => {
            say!("First admin {FIRST_ADMIN_EMAIL}, API token (shown once, store it safely):\n  {t}");
            say!("Try:\n  curl -H 'Authorization: Bearer {t}' 'http://{addr}/api/v1/tickets?limit=5'");
        }
        (Some(_), true) => {
            say!("First admin {FIRST_ADMIN_EMAIL} uses the token from TRIAGE_ADMIN_TOKEN.");
            say!(
                "Try:\n  curl -H \"Authorization: Bearer $TRIAGE_ADMIN_TOKEN\" 'http://{addr}/api/v1/tickets?limit=5'"
            );
        }
        (None, _) => {
            say!(
                "Admins exist already. A new admin token: triage token create --role admin --user {FIRST_ADMIN_EMAIL}"
            );
            say!("Try:\n  curl -H \"Authorization: Bearer $TOKEN\" 'http://{addr}/api/v1/tickets?limit=5'");
        }
    }
    say!("API description: http://{addr}/api/v1/openapi.json");
    if a.demo {
        say!("Web pages: http://{addr}/login (password `{DEMO_PASSWORD}` for everyone in the demo):");
        say!("  admin     {FIRST_ADMIN_EMAIL}");
        say!("  agent     ana@support.example");
        say!("  customer  greta@northwind.example");
    }

    let limits = triage_server::listen::Limits {
        connections: a.max_connections,
        in_flight: a.max_in_flight,
        ..Default::default()
    };
    triage_server::serve_with(listener, state, limits, shutdown_signal()).await?;
    store.close().await;
    esay!("stopped");
    Ok(ExitCode::SUCCESS)
}

fn redacted(url: &str) -> String {
    triage_store::DatabaseUrl::parse(url).map(|u| u.to_string()).unwrap_or_else(|_| url.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    esay!("shutting down: finishing requests in flight");
}
