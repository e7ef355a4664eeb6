//! Group commit for ticket creation.
//!
//! Requests hand their ticket to a writer and wait. The writer takes every ticket
//! waiting (up to a batch), stores them in one transaction and answers each caller
//! only after the commit: every acknowledged ticket is durable, and the cost of the
//! commit's fsync is shared by the whole batch.
//!
//! PostgreSQL gets several writer tasks on sqlx. SQLite has one write lock, so it
//! gets one writer: a thread of its own that owns a rusqlite connection. sqlx runs
//! each SQLite statement on a worker thread and hands the result back, two thread
//! wake-ups per statement; on two busy cores those hand-offs, not SQLite, were most
//! of a batch's time (1,400 µs of fixed cost a batch). Calling SQLite in place
//! removes them, and only this hot path needs it: everything else stays on sqlx.

use super::insert::{self, follow_up_stmts, stored, tickets_stmt, CHUNK, SQLITE_NEXT_ID};
use crate::{Backend, StoreError};
use rusqlite::TransactionBehavior;
use sqlx::AnyPool;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, Mutex};
use triage_core::ticket::{NewTicket, Ticket};

pub(crate) const MAX_BATCH: usize = 512;

/// What became of a ticket handed to the writer.
pub(crate) enum Stored {
    Created(Box<Ticket>),
    /// Its idempotency key or external id belongs to a stored ticket already.
    Taken,
}

enum Job {
    One {
        ticket: Box<NewTicket>,
        reply: Reply,
    },
    /// An import batch: its own transaction; answers how many were added.
    Bulk {
        tickets: Vec<NewTicket>,
        reply: oneshot::Sender<Result<usize, StoreError>>,
    },
}

type Reply = oneshot::Sender<Result<Stored, StoreError>>;

/// Single tickets waiting for one group commit, with where to send each answer.
type Waiting = Vec<(Box<NewTicket>, Reply)>;

pub(crate) struct Handle {
    tx: mpsc::Sender<Job>,
}

fn stopped() -> StoreError {
    StoreError::Stopping("the ticket writer stopped; the store is shutting down".into())
}

impl Handle {
    pub(crate) async fn submit(&self, ticket: NewTicket) -> Result<Stored, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job::One { ticket: Box::new(ticket), reply }).await.map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    pub(crate) async fn bulk(&self, tickets: Vec<NewTicket>) -> Result<usize, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Job::Bulk { tickets, reply }).await.map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

pub(crate) fn spawn(
    backend: Backend,
    pool: AnyPool,
    sqlite_path: Option<String>,
    writers: usize,
    max_batch: usize,
) -> Handle {
    let (tx, rx) = mpsc::channel::<Job>(MAX_BATCH * 8);
    match (backend, sqlite_path) {
        (Backend::Sqlite, Some(path)) => {
            std::thread::Builder::new()
                .name("triage-writer".into())
                .spawn(move || sqlite_writer(&path, rx, max_batch))
                .expect("writer thread");
        }
        _ => {
            let rx = Arc::new(Mutex::new(rx));
            for _ in 0..writers {
                let (pool, rx) = (pool.clone(), rx.clone());
                tokio::spawn(async move {
                    loop {
                        let mut jobs = Vec::with_capacity(max_batch);
                        if rx.lock().await.recv_many(&mut jobs, max_batch).await == 0 {
                            return; // every sender is gone
                        }
                        sqlx_batch(backend, &pool, jobs).await;
                    }
                });
            }
        }
    }
    Handle { tx }
}

fn record(size: usize, start: Instant) {
    metrics::histogram!("triage_ticket_batch_size").record(size as f64);
    metrics::histogram!("triage_ticket_batch_seconds").record(start.elapsed().as_secs_f64());
}

fn split(jobs: Vec<Job>) -> (Waiting, Vec<Job>) {
    let mut ones = Vec::with_capacity(jobs.len());
    let mut bulks = Vec::new();
    for j in jobs {
        match j {
            Job::One { ticket, reply } => ones.push((ticket, reply)),
            bulk => bulks.push(bulk),
        }
    }
    (ones, bulks)
}

fn stored_or_taken(r: Option<Ticket>) -> Stored {
    r.map_or(Stored::Taken, |t| Stored::Created(Box::new(t)))
}

/// The outcome of storing one ticket alone.
fn single(mut v: Vec<Option<Ticket>>) -> Stored {
    stored_or_taken(v.pop().flatten())
}

/// Answers a batch's callers from its outcome. When one ticket broke the batch's
/// transaction, returns the tickets to store one by one, so only the bad one fails.
fn settle(ones: Waiting, outcome: Result<Vec<Option<Ticket>>, StoreError>) -> Waiting {
    match outcome {
        Ok(results) => {
            for ((_, reply), r) in ones.into_iter().zip(results) {
                let _ = reply.send(Ok(stored_or_taken(r)));
            }
            Vec::new()
        }
        Err(e) if ones.len() == 1 => {
            let _ = ones.into_iter().next().expect("one").1.send(Err(e));
            Vec::new()
        }
        Err(e) => {
            tracing::warn!(error = %e, size = ones.len(), "batch failed, retrying tickets one by one");
            ones
        }
    }
}

async fn sqlx_batch(backend: Backend, pool: &AnyPool, jobs: Vec<Job>) {
    async fn run(backend: Backend, pool: &AnyPool, tickets: &[&NewTicket]) -> Result<Vec<Option<Ticket>>, StoreError> {
        let mut tx = pool.begin().await?;
        let out = insert::insert_tickets(&mut tx, backend, tickets).await?;
        tx.commit().await?;
        Ok(out)
    }
    let (ones, bulks) = split(jobs);
    for b in bulks {
        if let Job::Bulk { tickets, reply } = b {
            let refs: Vec<&NewTicket> = tickets.iter().collect();
            let _ = reply.send(run(backend, pool, &refs).await.map(|v| v.iter().flatten().count()));
        }
    }
    if ones.is_empty() {
        return;
    }
    let start = Instant::now();
    let refs: Vec<&NewTicket> = ones.iter().map(|(t, _)| t.as_ref()).collect();
    let outcome = run(backend, pool, &refs).await;
    record(ones.len(), start);
    for (t, reply) in settle(ones, outcome) {
        let _ = reply.send(run(backend, pool, &[t.as_ref()]).await.map(single));
    }
}

fn open_sqlite(path: &str) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn sqlite_writer(path: &str, mut rx: mpsc::Receiver<Job>, max_batch: usize) {
    let mut conn = match open_sqlite(path) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, path, "the ticket writer cannot open the database");
            while let Some(job) = rx.blocking_recv() {
                let err = || StoreError::Backend(format!("the ticket writer cannot open the database: {e}"));
                match job {
                    Job::One { reply, .. } => drop(reply.send(Err(err()))),
                    Job::Bulk { reply, .. } => drop(reply.send(Err(err()))),
                }
            }
            return;
        }
    };
    while let Some(first) = rx.blocking_recv() {
        let mut jobs = vec![first];
        while jobs.len() < max_batch {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let (ones, bulks) = split(jobs);
        for b in bulks {
            if let Job::Bulk { tickets, reply } = b {
                let refs: Vec<&NewTicket> = tickets.iter().collect();
                let _ = reply.send(sqlite_insert(&mut conn, &refs).map(|v| v.iter().flatten().count()));
            }
        }
        if ones.is_empty() {
            continue;
        }
        let start = Instant::now();
        let refs: Vec<&NewTicket> = ones.iter().map(|(t, _)| t.as_ref()).collect();
        let outcome = sqlite_insert(&mut conn, &refs);
        record(ones.len(), start);
        for (t, reply) in settle(ones, outcome) {
            let _ = reply.send(sqlite_insert(&mut conn, &[t.as_ref()]).map(single));
        }
    }
}

/// The SQLite twin of [`insert::insert_tickets`], in one IMMEDIATE transaction.
fn sqlite_insert(conn: &mut rusqlite::Connection, tickets: &[&NewTicket]) -> Result<Vec<Option<Ticket>>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut out = Vec::with_capacity(tickets.len());
    for chunk in tickets.chunks(CHUNK) {
        let seq: i64 = tx.query_row(SQLITE_NEXT_ID, [], |r| r.get(0))?;
        let ids: Vec<i64> = (1..=chunk.len() as i64).map(|i| seq + i).collect();
        let st = tickets_stmt(Backend::Sqlite, chunk, &ids);
        let inserted: HashSet<i64> = {
            let mut stmt = tx.prepare_cached(&st.sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(st.params.iter()), |r| r.get::<_, i64>(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let result: Vec<Option<Ticket>> =
            chunk.iter().zip(&ids).map(|(t, id)| inserted.contains(id).then(|| stored(t, *id))).collect();
        let new: Vec<(&NewTicket, &Ticket)> =
            chunk.iter().zip(&result).filter_map(|(t, s)| s.as_ref().map(|s| (*t, s))).collect();
        for st in follow_up_stmts(Backend::Sqlite, &new) {
            tx.prepare_cached(&st.sql)?.execute(rusqlite::params_from_iter(st.params.iter()))?;
        }
        out.extend(result);
    }
    tx.commit()?;
    Ok(out)
}
