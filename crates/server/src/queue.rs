//! This process's queue index (`triage_core::queue`): loaded from the store at
//! start, told of every ticket this process writes (by the follow-up), kept in step with what other
//! processes write, and re-weighted when surge mode switches.

use crate::state::AppState;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use triage_core::policy::Policy;
use triage_core::priority::Weights;
use triage_core::queue::{QueueIndex, QueueItem};
use triage_core::ticket::Ticket;
use triage_store::{Store, StoreError};

/// How far back each sync looks past the last change it saw: a transaction can
/// commit a little after the time it stamped on its rows.
const SYNC_LAG_MS: i64 = 1_000;
const PAGE: i64 = 5_000;
/// Most open tickets without an SLA due time given one at start (each costs a
/// few queries; the rest get theirs at their next change).
const SLA_BACKFILL: usize = 10_000;

/// Scores the forecast ranks new tickets against: the best unassigned ones.
const RANKED: usize = 5_000;
/// How long a snapshot of them serves (scores move slowly: age and SLA ramps).
const RANKED_FOR_MS: i64 = 1_000;

/// The unassigned tickets' scores at one instant, best first.
#[derive(Default)]
struct Ranking {
    at_ms: i64,
    scores: Vec<f64>,
}

#[derive(Clone)]
pub struct Queue {
    index: Arc<Mutex<QueueIndex>>,
    ranking: Arc<Mutex<Option<Arc<Ranking>>>>,
    /// The newest `updated_at` seen from the store.
    synced_ms: Arc<AtomicI64>,
    started: Arc<AtomicBool>,
}

impl Queue {
    pub(crate) fn new(policy: &Policy, weights: Weights, now_ms: i64) -> Queue {
        Queue {
            index: Arc::new(Mutex::new(QueueIndex::new(policy, weights, now_ms))),
            ranking: Arc::default(),
            synced_ms: Arc::default(),
            started: Arc::default(),
        }
    }

    /// The index, for a few microseconds. A panic elsewhere while holding it
    /// leaves consistent data (every method finishes its own updates), so a
    /// poisoned lock is taken over.
    pub fn lock(&self) -> MutexGuard<'_, QueueIndex> {
        self.index.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many unassigned tickets rank above `score`, and whether that is exact
    /// (`false`: at least that many). Counted in a snapshot of the best
    /// `RANKED` scores taken at most once a second, so asking costs a binary
    /// search, not a walk of the queue, whatever its length.
    pub fn ahead(&self, now_ms: i64, score: f64) -> (usize, bool) {
        let fresh = |r: &Option<Arc<Ranking>>| r.as_ref().filter(|r| now_ms - r.at_ms < RANKED_FOR_MS).cloned();
        let cached = fresh(&self.ranking.lock().unwrap_or_else(|p| p.into_inner()));
        let ranking = match cached {
            Some(r) => r,
            None => {
                let filter = triage_core::queue::QueueFilter { unassigned: true, ..Default::default() };
                let (top, _) = self.lock().top(now_ms, &filter, None, RANKED);
                let r = Arc::new(Ranking { at_ms: now_ms, scores: top.iter().map(|r| r.score).collect() });
                *self.ranking.lock().unwrap_or_else(|p| p.into_inner()) = Some(r.clone());
                r
            }
        };
        let n = ranking.scores.partition_point(|s| *s > score);
        (n, n < ranking.scores.len() || ranking.scores.len() < RANKED)
    }

    /// Files a ticket as stored (or takes it out when it is no longer open).
    pub fn put(&self, t: &Ticket) {
        self.lock().upsert(&QueueItem::of(t), t.updated_at.timestamp_millis());
    }

    /// Loads every open ticket; those without an SLA due time (older data) are
    /// given to the follow-up to look at, the newest first, up to
    /// [`SLA_BACKFILL`]. Returns how many.
    pub(crate) async fn load(&self, store: &Store, followup: &crate::workflow::FollowUp) -> Result<usize, StoreError> {
        let mut backfill = Vec::new();
        let mut after = 0;
        let mut n = 0;
        loop {
            let rows = store.open_queue_rows(after, PAGE).await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            n += rows.len();
            let newest = rows.iter().map(|r| r.updated_ms).max().unwrap_or(0);
            self.synced_ms.fetch_max(newest, Ordering::Relaxed);
            backfill.extend(rows.iter().filter(|r| r.sla_due_ms.is_none()).map(|r| r.id));
            let mut q = self.lock();
            for r in &rows {
                q.upsert(&r.item(), r.updated_ms);
            }
        }
        for id in backfill.iter().rev().take(SLA_BACKFILL) {
            followup.look_again(*id);
        }
        Ok(n)
    }

    /// Applies what changed in the store since the last sync (other processes,
    /// imports). Returns how many rows were read.
    pub(crate) async fn sync(&self, store: &Store) -> Result<usize, StoreError> {
        let mut since = self.synced_ms.load(Ordering::Relaxed) - SYNC_LAG_MS;
        let mut n = 0;
        loop {
            let rows = store.changed_queue_rows(since, PAGE).await?;
            n += rows.len();
            let Some(newest) = rows.last().map(|r| r.updated_ms) else { break };
            {
                let mut q = self.lock();
                for r in &rows {
                    q.upsert(&r.item(), r.updated_ms);
                }
            }
            self.synced_ms.fetch_max(newest, Ordering::Relaxed);
            if (rows.len() as i64) < PAGE || newest == since {
                break;
            }
            since = newest;
        }
        Ok(n)
    }

    /// Re-reads one ticket and files what is stored (after a take that failed).
    pub(crate) async fn refresh(&self, store: &Store, id: i64) {
        match store.get_ticket(id).await {
            Ok(t) => self.put(&t),
            Err(StoreError::NotFound) => self.lock().remove(id),
            Err(e) => tracing::warn!(ticket = id, error = %e, "cannot refresh the queue index"),
        }
    }
}

/// Loads the index (server start; a second call does nothing and returns
/// `None`): from then on the workflow files each ticket it writes
/// (`workflow::followup`) and a background job reads other processes' writes. Returns how many open tickets it holds.
pub async fn start(state: &AppState) -> Result<Option<usize>, StoreError> {
    if state.queue.started.swap(true, Ordering::SeqCst) {
        return Ok(None);
    }
    let n = state.queue.load(&state.store, &state.followup).await?;
    tracing::info!(open = n, "queue index loaded");
    Ok(Some(n))
}
