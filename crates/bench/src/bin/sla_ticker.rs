//! The SLA ticker's work per tick with many open tickets: an idle tick (nothing
//! due) against what a ticker without the alarm index would read, and a busy
//! tick where tickets' first responses breach and escalate.
//!
//! ```text
//! cargo run --release -p triage-bench --bin sla_ticker -- 1000000 500
//! ```
//!
//! Seeds N open tickets (SQLite file in a temporary directory) on the standard
//! plan, each with its next SLA alarm somewhere in the next 30 days, then makes
//! the oldest D of them due now.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Instant;
use triage_core::clock::ManualClock;
use triage_core::policy::Policy;
use triage_server::sla::ticker;
use triage_server::AppState;
use triage_store::scratch::ScratchDatabase;
use triage_store::{Backend, DatabaseUrl, Store};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let n: i64 = std::env::args().nth(1).map_or(1_000_000, |a| a.parse().expect("a ticket count"));
    let due: i64 = std::env::args().nth(2).map_or(500, |a| a.parse().expect("a count of due tickets"));
    let now_ms = 1_795_824_000_000i64; // Mon 30 Nov 2026 09:20 UTC
    let now = DateTime::<Utc>::from_timestamp_millis(now_ms).expect("a time");
    let db = ScratchDatabase::new(Backend::Sqlite).await;
    let store = Store::connect(&DatabaseUrl::parse(&db.url).map_err(anyhow::Error::msg)?).await?;
    let policy = Policy::builtin();
    triage_server::bootstrap::prepare(&store, &policy, None, now).await?;
    store.close().await;
    let path = db.url.trim_start_matches("sqlite://").split('?').next().unwrap_or_default().to_string();
    let t = Instant::now();
    let org = triage_bench::seed::open_tickets(&path, n, now_ms)?;
    {
        let c = rusqlite::Connection::open(&path)?;
        let plan: i64 = c.query_row("SELECT id FROM plans WHERE name = 'standard'", [], |r| r.get(0))?;
        c.execute(
            "INSERT INTO plan_changes (organization_id, plan_id, effective_from, recorded_at, actor) VALUES (?1, ?2, 0, 0, 'bench')",
            [org, plan],
        )?;
        // Alarms spread over the next 30 days; the D oldest tickets' alarms due now.
        c.execute("UPDATE tickets SET sla_alarm_at = ?1 + ((id * 7919) % 2592000) * 1000 + 1000", [now_ms])?;
        c.execute("UPDATE tickets SET sla_alarm_at = ?1 - 1000 WHERE id <= ?2", [now_ms, due])?;
        c.execute_batch("ANALYZE")?;
    }
    println!("seeded {n} open tickets in {:.1} s", t.elapsed().as_secs_f64());
    let store = Store::connect(&DatabaseUrl::parse(&db.url).map_err(anyhow::Error::msg)?).await?;
    let clock = Arc::new(ManualClock::new(now));
    let mut state = AppState::new(store.clone(), policy, clock.clone());
    state.run_sla_ticker = false;

    // An idle tick: one index read that finds nothing (the alarms due now are
    // moved an hour back for this part).
    let idle_at = DateTime::<Utc>::from_timestamp_millis(now_ms - 3_600_000).expect("a time");
    clock.set(idle_at);
    let mut idle = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let r = ticker::tick(&state).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        idle.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(r.tickets, 0);
    }
    // Baseline: the same question without the alarm index (SQLite's NOT INDEXED
    // makes it read every ticket row, as a ticker without the index would).
    let mut scan = Vec::new();
    {
        let c = rusqlite::Connection::open(&path)?;
        let mut q = c.prepare(
            "SELECT id FROM tickets NOT INDEXED WHERE sla_alarm_at IS NOT NULL AND sla_alarm_at <= ?1 \
             ORDER BY sla_alarm_at, id LIMIT 500",
        )?;
        for _ in 0..5 {
            let t = Instant::now();
            let found = q.query_map([idle_at.timestamp_millis()], |r| r.get::<_, i64>(0))?.count();
            scan.push(t.elapsed().as_secs_f64() * 1e3);
            assert_eq!(found, 0);
        }
    }
    // A busy tick: D tickets' first responses breached, escalated.
    clock.set(now);
    let t = Instant::now();
    let r = ticker::tick(&state).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let busy = t.elapsed().as_secs_f64() * 1e3;
    println!("idle tick (nothing due): median {:.3} ms over 200", median(idle.clone()));
    println!("baseline, the same query without the index: median {:.1} ms over 5", median(scan.clone()));
    println!("ratio: {:.0}x", median(scan) / median(idle));
    println!(
        "busy tick: {} tickets due, {} warnings/breaches acted on, {:.0} ms ({:.2} ms per ticket)",
        r.tickets,
        r.fired,
        busy,
        busy / r.tickets.max(1) as f64
    );
    store.close().await;
    Ok(())
}
