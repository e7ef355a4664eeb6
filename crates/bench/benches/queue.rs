//! The work queue with 1,000,000 open tickets: the in-memory queue index against
//! a plain SQL `ORDER BY` over the tickets table (SQLite, the default store), in
//! the same run. `cargo bench -p triage-bench --bench queue`.
//!
//! Both answer "which open, unassigned ticket is most urgent?" over the same
//! tickets (same points, categories and creation times). The SQL baseline orders
//! by the score stored at the last write; the index also counts the age and SLA
//! points gained since, so it answers a harder question.

use std::sync::OnceLock;
use triage_bench::seed;
use triage_core::policy::Policy;
use triage_core::priority::{Points, Strategy};
use triage_core::queue::{QueueFilter, QueueIndex};
use triage_store::scratch::ScratchDatabase;
use triage_store::{Backend, DatabaseUrl, Store};

const OPEN: i64 = 1_000_000;
/// 2026-11-29T00:00:00Z.
const NOW_MS: i64 = 1_795_824_000_000;

fn main() {
    divan::main();
}

/// The same tickets [`seed::open_tickets`] stores, as index items.
fn build(policy: &Policy, n: i64) -> QueueIndex {
    let mut q = QueueIndex::new(policy, policy.priority.weights, NOW_MS);
    let mut points = Points([0.0; Strategy::COUNT]);
    for i in 1..=n {
        q.upsert(&seed::queue_item(i, NOW_MS, &mut points), NOW_MS);
    }
    q
}

fn unassigned() -> QueueFilter {
    QueueFilter { unassigned: true, ..Default::default() }
}

fn security_urgent() -> QueueFilter {
    QueueFilter {
        categories: vec!["security".into()],
        queues: None,
        levels: vec!["P1".into(), "P2".into()],
        unassigned: true,
        tag: None,
        uncategorized: false,
    }
}

/// Asks a full index for the head of `f` once a call, time moving 1 ms a call (so
/// tickets whose age stops growing are re-filed as it goes).
fn next_in(b: divan::Bencher, f: QueueFilter) {
    let mut q = build(&Policy::builtin(), OPEN);
    let mut now = NOW_MS;
    b.bench_local(|| {
        now += 1;
        q.top(now, &f, None, 1).0.first().map(|r| r.id)
    });
}

/// The next ticket for an agent, from the index.
#[divan::bench(sample_count = 200)]
fn index_next_1m(b: divan::Bencher) {
    next_in(b, unassigned());
}

/// The next ticket in a view (one category, P1 and P2 only), from the index.
#[divan::bench(sample_count = 200)]
fn index_next_in_view_1m(b: divan::Bencher) {
    next_in(b, security_urgent());
}

/// Taking the next ticket (marked taken so no one else gets it), then putting it
/// back so every call finds a full queue.
#[divan::bench(sample_count = 200)]
fn index_take_next_and_put_back_1m(b: divan::Bencher) {
    let p = Policy::builtin();
    let mut q = build(&p, OPEN);
    let f = unassigned();
    let mut now = NOW_MS;
    let mut points = Points([0.0; Strategy::COUNT]);
    b.bench_local(|| {
        now += 1;
        let r = q.take_next(now, &f).expect("a ticket");
        q.upsert(&seed::queue_item(r.id, NOW_MS, &mut points), now);
        r.id
    });
}

/// Building the index for a million open tickets (what a server does at start,
/// after reading the rows).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn index_build_1m() -> usize {
    build(&Policy::builtin(), OPEN).len()
}

struct Sql {
    rt: tokio::runtime::Runtime,
    store: Store,
    _db: ScratchDatabase,
}

fn sql() -> &'static Sql {
    static SQL: OnceLock<Sql> = OnceLock::new();
    SQL.get_or_init(|| seeded(None))
}

/// The same tickets with an index made for this query: the best a SQL queue can
/// do (it still cannot count age or SLA points gained since the last write).
fn sql_indexed() -> &'static Sql {
    static SQL: OnceLock<Sql> = OnceLock::new();
    SQL.get_or_init(|| {
        seeded(Some(
            "CREATE INDEX tickets_queue ON tickets (COALESCE(priority_score, 0) DESC, id) \
             WHERE status IN ('new', 'open'); ANALYZE;",
        ))
    })
}

fn seeded(extra: Option<&str>) -> Sql {
    {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let db = rt.block_on(ScratchDatabase::new(Backend::Sqlite));
        let url = DatabaseUrl::parse(&db.url).expect("url");
        rt.block_on(async { Store::connect(&url).await.expect("store").close().await });
        let path = db.url.trim_start_matches("sqlite://").to_string();
        seed::open_tickets(&path, OPEN, NOW_MS).expect("seed");
        if let Some(sql) = extra {
            rusqlite::Connection::open(&path).and_then(|c| c.execute_batch(sql)).expect("index");
        }
        let store = rt.block_on(Store::connect(&url)).expect("store");
        Sql { rt, store, _db: db }
    }
}

/// Baseline: the next ticket by `ORDER BY priority_score DESC, id` over the
/// tickets table (the schema's own indexes, `ANALYZE`d).
#[divan::bench(sample_count = 20, sample_size = 1)]
fn sql_order_by_next_1m(b: divan::Bencher) {
    let s = sql();
    let f = unassigned();
    b.bench_local(|| s.rt.block_on(s.store.queue(&f, None, 1)).expect("query").0.len());
}

/// Baseline in a view (one category, P1 and P2 only).
#[divan::bench(sample_count = 20, sample_size = 1)]
fn sql_order_by_next_in_view_1m(b: divan::Bencher) {
    let s = sql();
    let f = security_urgent();
    b.bench_local(|| s.rt.block_on(s.store.queue(&f, None, 1)).expect("query").0.len());
}

/// Baseline with an index made for the queue query.
#[divan::bench(sample_count = 200)]
fn sql_order_by_next_with_queue_index_1m(b: divan::Bencher) {
    let s = sql_indexed();
    let f = unassigned();
    b.bench_local(|| s.rt.block_on(s.store.queue(&f, None, 1)).expect("query").0.len());
}
