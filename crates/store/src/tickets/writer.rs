//! Group commit for ticket creation.
//!
//! Requests hand their ticket to a writer task and wait. The writer takes every
//! ticket waiting (up to a batch), stores them in one transaction and answers each
//! caller only after the commit: every acknowledged ticket is durable, and the
//! cost of the commit's fsync is shared by the whole batch. SQLite gets one
//! writer (it has one write lock); PostgreSQL gets several.

use super::{decode, insert, COLS};
use crate::{Backend, StoreError};
use sqlx::{Any, AnyPool, Transaction};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};
use triage_core::ticket::{NewTicket, Ticket};

pub(crate) const MAX_BATCH: usize = 512;

type Reply = Result<(Ticket, bool), StoreError>;

struct Job {
    ticket: NewTicket,
    reply: oneshot::Sender<Reply>,
}

pub(crate) struct Handle {
    tx: mpsc::Sender<Job>,
}

impl Handle {
    pub(crate) async fn submit(&self, ticket: NewTicket) -> Reply {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job { ticket, reply })
            .await
            .map_err(|_| StoreError::Conflict("the store is shutting down".into()))?;
        rx.await.map_err(|_| StoreError::Conflict("the ticket writer stopped before answering".into()))?
    }
}

pub(crate) fn spawn(backend: Backend, pool: AnyPool, writers: usize, max_batch: usize) -> Handle {
    let (tx, rx) = mpsc::channel::<Job>(MAX_BATCH * 8);
    let rx = Arc::new(Mutex::new(rx));
    for i in 0..writers {
        let (pool, rx) = (pool.clone(), rx.clone());
        let work = async move {
            loop {
                let mut batch = Vec::with_capacity(max_batch);
                if rx.lock().await.recv_many(&mut batch, max_batch).await == 0 {
                    return; // every sender is gone
                }
                write(backend, &pool, batch).await;
            }
        };
        match backend {
            // SQLite's writer gets a thread of its own: each statement is a hop to
            // sqlx's connection thread and back, and on a busy runtime every hop
            // would queue behind request handlers, stretching each group commit.
            Backend::Sqlite => {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("writer runtime");
                std::thread::Builder::new()
                    .name(format!("triage-writer-{i}"))
                    .spawn(move || rt.block_on(work))
                    .expect("writer thread");
            }
            Backend::Postgres => {
                tokio::spawn(work);
            }
        }
    }
    Handle { tx }
}

async fn write(backend: Backend, pool: &AnyPool, batch: Vec<Job>) {
    metrics::histogram!("triage_ticket_batch_size").record(batch.len() as f64);
    let start = std::time::Instant::now();
    let outcome = write_batch(backend, pool, &batch).await;
    metrics::histogram!("triage_ticket_batch_seconds").record(start.elapsed().as_secs_f64());
    match outcome {
        Ok(results) => {
            for (job, r) in batch.into_iter().zip(results) {
                let _ = job.reply.send(r);
            }
        }
        Err(e) if batch.len() == 1 => {
            let _ = batch.into_iter().next().expect("one job").reply.send(Err(e));
        }
        Err(e) => {
            // One ticket broke the transaction: store the others one by one so
            // only the bad one fails.
            tracing::warn!(error = %e, size = batch.len(), "batch failed, retrying tickets one by one");
            for job in batch {
                let r = match write_batch(backend, pool, std::slice::from_ref(&job)).await {
                    Ok(mut v) => v.pop().expect("one result"),
                    Err(e) => Err(e),
                };
                let _ = job.reply.send(r);
            }
        }
    }
}

async fn write_batch(backend: Backend, pool: &AnyPool, jobs: &[Job]) -> Result<Vec<Reply>, StoreError> {
    let mut tx = pool.begin().await?;
    let tickets: Vec<&NewTicket> = jobs.iter().map(|j| &j.ticket).collect();
    let stored = insert::insert_tickets(&mut tx, backend, &tickets).await?;
    let mut out = Vec::with_capacity(jobs.len());
    for (job, s) in jobs.iter().zip(stored) {
        let r = match s {
            Some(t) => Ok((t, true)),
            None => existing(&mut tx, &job.ticket).await?,
        };
        out.push(r);
    }
    tx.commit().await?;
    Ok(out)
}

/// The ticket a previous request with the same idempotency key (or external id) made.
async fn existing(tx: &mut Transaction<'_, Any>, t: &NewTicket) -> Result<Reply, StoreError> {
    if let Some(idem) = &t.idempotency {
        let row = sqlx::query(&format!(
            "SELECT {COLS}, idem_fingerprint FROM tickets WHERE idem_scope = $1 AND idem_key = $2"
        ))
        .bind(&idem.scope)
        .bind(&idem.key)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(row) = row {
            use sqlx::Row;
            let fp: Option<String> = row.try_get("idem_fingerprint")?;
            if fp.as_deref() != Some(idem.fingerprint.as_str()) {
                return Ok(Err(StoreError::Conflict(
                    "this Idempotency-Key was already used for a different request".into(),
                )));
            }
            return Ok(Ok((decode(&row)?, false)));
        }
    }
    if let Some(ext) = &t.external_id {
        return Ok(Err(StoreError::Conflict(format!("external_id `{ext}` is already taken"))));
    }
    Ok(Err(StoreError::Conflict("the ticket conflicts with a stored one".into())))
}
