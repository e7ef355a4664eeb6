//! The SLA ticker under a burst, in real `triage serve` processes: how many
//! warnings and breaches a second they act on, and how late.
//!
//! ```text
//! cargo build --release -p triage -p triage-bench
//! target/release/sla_burst --backend sqlite --tickets 62000 --mode drain
//! target/release/sla_burst --backend postgres --tickets 62000 --mode drain --processes 2
//! target/release/sla_burst --backend sqlite --tickets 62000 --mode spread --seconds 60
//! ```
//!
//! Seeds N open P3 tickets of an enterprise customer (calendar-time targets:
//! first response 2 h, warned at half; resolution 2 d), then starts the server
//! processes on that database and watches the database until every alarm of
//! the run has been acted on.
//!
//! - `drain`: every ticket was opened three days ago, so each has four
//!   warnings and breaches due at once (the worst burst): the figure is how
//!   many a second the processes act on.
//! - `spread`: the tickets were opened as a burst over `--seconds`, so their
//!   first-response warnings fall over the same span: the figure is how late
//!   each was acted on (the ticker's lag).
//!
//! Prints one JSON line.

use anyhow::{bail, Context};
use clap::Parser;
use sqlx::Row;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use triage_core::policy::Policy;
use triage_store::scratch::ScratchDatabase;
use triage_store::{Backend, DatabaseUrl, Store};

#[derive(Parser, Debug)]
struct Args {
    /// sqlite or postgres.
    #[arg(long, default_value = "sqlite")]
    backend: String,
    #[arg(long, default_value_t = 62_000)]
    tickets: i64,
    /// drain (everything due at once) or spread (falling over --seconds).
    #[arg(long, default_value = "drain")]
    mode: String,
    /// The span the burst's warnings fall over (spread).
    #[arg(long, default_value_t = 60)]
    seconds: i64,
    /// Server processes sharing the database.
    #[arg(long, default_value_t = 1)]
    processes: usize,
    /// The triage binary (default: next to this one).
    #[arg(long)]
    triage: Option<std::path::PathBuf>,
}

const HOUR: i64 = 3_600_000;
/// When the servers should be up by, after seeding (spread: the first warning falls then).
const LEAD_MS: i64 = 20_000;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let backend = match a.backend.as_str() {
        "sqlite" => Backend::Sqlite,
        "postgres" => Backend::Postgres,
        b => bail!("--backend {b}: use sqlite or postgres"),
    };
    let spread = match a.mode.as_str() {
        "drain" => false,
        "spread" => true,
        m => bail!("--mode {m}: use drain or spread"),
    };
    let db = ScratchDatabase::new(backend).await;
    let url = DatabaseUrl::parse(&db.url).map_err(anyhow::Error::msg)?;
    let store = Store::connect(&url).await?;
    triage_server::bootstrap::prepare(&store, &Policy::builtin(), None, chrono::Utc::now()).await?;
    store.close().await;

    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(2).connect(&db.url).await?;
    let t = Instant::now();
    let go = now_ms() + LEAD_MS;
    // drain: opened three days ago; spread: ticket i's warning (1 h after it
    // was opened) falls at go + i * span / N.
    let (created, alarm) = if spread {
        (
            format!("{go} + (i * {}) / {} - {HOUR}", a.seconds * 1000, a.tickets),
            format!("{go} + (i * {}) / {}", a.seconds * 1000, a.tickets),
        )
    } else {
        (format!("{go} - {}", 72 * HOUR), format!("{go} - {}", 71 * HOUR))
    };
    seed(&pool, a.tickets, &created, &alarm, go).await?;
    let seed_s = t.elapsed().as_secs_f64();

    let bin = match a.triage.clone() {
        Some(p) => p,
        None => std::env::current_exe()?.with_file_name("triage"),
    };
    let dir = std::env::temp_dir().join(format!("triage-sla-burst-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let t = Instant::now();
    let mut servers: Vec<Child> = Vec::new();
    for _ in 0..a.processes {
        let mut child = Command::new(&bin)
            .current_dir(&dir)
            .env("TRIAGE_LOG", std::env::var("TRIAGE_LOG").unwrap_or_else(|_| "warn".into()))
            .args(["--database", &db.url, "serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        BufReader::new(child.stdout.take().context("piped")?)
            .lines()
            .next()
            .context("the server printed nothing")??;
        servers.push(child);
    }
    let up_ms = now_ms();
    let start_s = t.elapsed().as_secs_f64();
    if spread && up_ms > go {
        eprintln!("warning: the servers were up {} ms after the first warning fell", up_ms - go);
    }

    // Done when no alarm of the run is left (acted-on tickets' next alarms are
    // hours away; claimed ones are leased for seconds).
    let horizon = if spread { go + a.seconds * 1000 + HOUR / 2 } else { go + 24 * HOUR };
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        let left: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE sla_alarm_at IS NOT NULL AND sla_alarm_at <= $1")
                .bind(horizon)
                .fetch_one(&pool)
                .await?;
        if left == 0 {
            break;
        }
        if Instant::now() > deadline {
            bail!("{left} tickets still have an alarm due after 15 minutes");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for s in &mut servers {
        let _ = s.kill();
        let _ = s.wait();
    }
    let _ = std::fs::remove_dir_all(&dir);

    let row = sqlx::query("SELECT COUNT(*), MIN(fired_at), MAX(fired_at) FROM sla_triggers").fetch_one(&pool).await?;
    let (fired, first, last): (i64, i64, i64) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    // Once each: as many warning and breach events as claims (a claim's key
    // is unique; an event written twice would show here).
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ticket_events WHERE kind IN ('sla_warning', 'sla_breached')")
            .fetch_one(&pool)
            .await?;
    if events != fired {
        bail!("{events} warning and breach events for {fired} claims");
    }
    let rate = fired as f64 / ((last - up_ms).max(1) as f64 / 1e3);
    let mut late: Vec<i64> = sqlx::query_scalar(
        "SELECT s.fired_at - t.sla_due_at + 3600000 FROM sla_triggers s JOIN tickets t ON t.id = s.ticket_id
         WHERE s.trigger_key LIKE 'first_response:warning:%'",
    )
    .fetch_all(&pool)
    .await?;
    late.sort_unstable();
    let pct = |p: f64| late.get(((late.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(0);
    pool.close().await;
    if spread {
        println!(
            "{{\"backend\":\"{}\",\"mode\":\"spread\",\"tickets\":{},\"seconds\":{},\"processes\":{},\"seed_seconds\":{seed_s:.1},\"start_seconds\":{start_s:.1},\"fired\":{fired},\"late_p50_ms\":{},\"late_p99_ms\":{},\"late_max_ms\":{}}}",
            a.backend, a.tickets, a.seconds, a.processes, pct(0.5), pct(0.99), late.last().copied().unwrap_or(0)
        );
    } else {
        println!(
            "{{\"backend\":\"{}\",\"mode\":\"drain\",\"tickets\":{},\"processes\":{},\"seed_seconds\":{seed_s:.1},\"start_seconds\":{start_s:.1},\"fired\":{fired},\"drain_seconds\":{:.1},\"per_second\":{rate:.0},\"first_after_ms\":{}}}",
            a.backend,
            a.tickets,
            a.processes,
            (last - up_ms) as f64 / 1e3,
            first - up_ms
        );
    }
    Ok(())
}

/// One organization on the enterprise plan, one requester, `n` open P3
/// tickets in the payments team with their SLA due time and alarm stored (as
/// the server would have stored them) and settled.
async fn seed(pool: &sqlx::AnyPool, n: i64, created: &str, alarm: &str, now: i64) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(&format!(
        "INSERT INTO organizations (name, account_type, customer_category, timezone, created_at, updated_at)
         VALUES ('Burst Co', 'enterprise', 'standard', 'UTC', {now}, {now})"
    ))
    .execute(&mut *tx)
    .await?;
    let org: i64 =
        sqlx::query_scalar("SELECT id FROM organizations WHERE name = 'Burst Co'").fetch_one(&mut *tx).await?;
    let plan: i64 = sqlx::query_scalar("SELECT id FROM plans WHERE name = 'enterprise'").fetch_one(&mut *tx).await?;
    sqlx::query(&format!(
        "INSERT INTO plan_changes (organization_id, plan_id, effective_from, recorded_at, actor) VALUES ({org}, {plan}, 0, 0, 'bench')"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO contacts (organization_id, name, email, created_at) VALUES ({org}, 'Burst', 'burst@burst.example', {now})"
    ))
    .execute(&mut *tx)
    .await?;
    let contact: i64 =
        sqlx::query_scalar("SELECT id FROM contacts WHERE email = 'burst@burst.example'").fetch_one(&mut *tx).await?;
    sqlx::query(&format!(
        "INSERT INTO tickets (subject, body, channel, requester_id, organization_id, category, priority, priority_score,
            policy_version, status, team, tags, custom_fields, version, sla_settled, created_at, updated_at, sla_due_at, sla_alarm_at)
         WITH RECURSIVE n(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < {last})
         SELECT 'Burst ticket ' || i, 'A ticket of the SLA burst benchmark.', 'email', {contact}, {org}, 'cards', 'P3', 50,
            'default-2026.11', 'new', 'payments', '[]', '{{}}', 1, 1, c, c, c + {due}, a
         FROM (SELECT i, {created} AS c, {alarm} AS a FROM n) AS x",
        last = n - 1,
        due = 2 * HOUR,
    ))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}
