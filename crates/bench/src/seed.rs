//! Seeding a SQLite database with many open tickets in one statement, for the
//! queue benchmarks (a million tickets through the API would take minutes).
//!
//! Every ticket gets severity points by level (P1..P4 cycle), customer points
//! 0..6, a category of the built-in policy, and a creation time spread over the
//! 30 days before `now_ms`, so some tickets are still gaining age points.

use rusqlite::Connection;
use triage_core::priority::{Points, Strategy};
use triage_core::queue::QueueItem;

pub const CATEGORIES: [&str; 8] =
    ["cards", "transfers", "top_up", "cash", "fees_and_exchange", "account", "security", "technical"];

/// Adds `n` open, unassigned tickets (and the organization and contact they
/// belong to) to the SQLite database at `path`, whose schema is already in place.
/// Returns the organization's id.
pub fn open_tickets(path: &str, n: i64, now_ms: i64) -> rusqlite::Result<i64> {
    let mut c = Connection::open(path)?;
    c.pragma_update(None, "journal_mode", "WAL")?;
    c.pragma_update(None, "synchronous", "OFF")?;
    let tx = c.transaction()?;
    tx.execute(
        "INSERT INTO organizations (name, account_type, customer_category, created_at, updated_at)
         VALUES ('Seeded Co ' || ?1, 'pro', 'standard', ?1, ?1)",
        [now_ms],
    )?;
    let org = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO contacts (organization_id, name, email, created_at) VALUES (?1, 'Seed', 'seed' || ?2 || '@seed.example', ?2)",
        [org, now_ms],
    )?;
    let contact = tx.last_insert_rowid();
    let cats: Vec<String> = CATEGORIES.iter().map(|c| format!("'{c}'")).collect();
    let sql = format!(
        "INSERT INTO tickets (subject, body, channel, requester_id, organization_id, category, priority, priority_score,
            priority_points, policy_version, status, tags, custom_fields, version, created_at, updated_at)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1),
           t(i, sev, cust, created) AS (
             SELECT i, 80 - 20 * (i % 4), i % 7, ?4 - ((i * 7919) % 2592000) * 1000 FROM n)
         SELECT 'Seeded ticket ' || i, 'A seeded ticket for the queue benchmark.', 'email', ?2, ?3,
            (SELECT value FROM json_each('[{cats}]') WHERE key = i % 8),
            'P' || (1 + i % 4), sev + cust,
            '[' || sev || ',' || cust || ',0,0,0,0,0,0,0,0]', 'default-2026.11', 'new', '[]', '{{}}', 1, created, created
         FROM t",
        cats = cats.join(",").replace('\'', "\"")
    );
    tx.execute(&sql, rusqlite::params![n, contact, org, now_ms])?;
    tx.commit()?;
    c.execute_batch("ANALYZE")?;
    Ok(org)
}

/// Ticket `i` of the seeded set as the queue index sees it: the same points,
/// category and creation time the SQL in [`open_tickets`] writes. `points` is
/// filled here and borrowed by the item.
pub fn queue_item(i: i64, now_ms: i64, points: &mut Points) -> QueueItem<'_> {
    let mut p = [0.0; Strategy::COUNT];
    p[Strategy::Severity.index()] = (80 - 20 * (i % 4)) as f64;
    p[Strategy::Customer.index()] = (i % 7) as f64;
    *points = Points(p);
    QueueItem {
        id: i,
        version: 1,
        open: true,
        assigned: false,
        created_ms: now_ms - ((i * 7919) % 2_592_000) * 1000,
        category: Some(CATEGORIES[(i % 8) as usize]),
        team: None,
        tier: None,
        tags: &[],
        points: Some(points),
        score: None,
        // The level its severity gives (levels are stored, not read off the score).
        level: Some(["P1", "P2", "P3", "P4"][(i % 4) as usize]),
        sla_due_ms: None,
    }
}
