//! The follow-up after every ticket write this process makes: the queue index
//! is told at once; a changed ticket is then looked at again in the background
//! (its SLA outcomes settled, its next due time and the ticker's alarm stored,
//! and, left unassigned, offered to an agent by its team's strategy).
//!
//! The writes reach it from the workflow ([`super::write`]) through a channel
//! this component owns; `serve()` runs its rounds in the background. Tests call
//! [`FollowUp::drain`] to finish the work a request left, then assert: nothing
//! waits on a timer.

use crate::state::AppState;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::{Mutex, Notify};
use triage_core::ticket::Ticket;

/// Most tickets looked at in one round.
const ROUND: usize = 500;

/// Rounds [`FollowUp::drain`] runs at most: the work of a round may queue more
/// (an offer writes the ticket again), which converges in two or three.
const MOST_ROUNDS: usize = 100;

/// A handle on the follow-up: cheap to clone, shared by every handler.
#[derive(Clone)]
pub struct FollowUp {
    tx: UnboundedSender<i64>,
    /// Held while a round works, so a [`FollowUp::drain`] that gets it knows
    /// no round is half done.
    rx: Arc<Mutex<UnboundedReceiver<i64>>>,
    queued: Arc<Notify>,
    /// Tickets queued and not yet looked at, and a signal when that reaches 0.
    pending: Arc<AtomicUsize>,
    emptied: Arc<Notify>,
    /// Whether a background loop was started (one per state).
    runner: Arc<AtomicBool>,
}

impl Default for FollowUp {
    fn default() -> Self {
        let (tx, rx) = unbounded_channel();
        FollowUp {
            tx,
            rx: Arc::new(Mutex::new(rx)),
            queued: Arc::default(),
            pending: Arc::default(),
            emptied: Arc::default(),
            runner: Arc::default(),
        }
    }
}

impl FollowUp {
    /// A ticket this process stored: the queue index files it now; a changed
    /// one (a new ticket's clocks and agent were decided as it was made) is
    /// looked at again by the next round.
    pub fn wrote(&self, s: &AppState, t: &Ticket) {
        s.queue.put(t);
        if t.version > 1 {
            self.look_again(t.id);
        }
    }

    /// Has the next round look at ticket `id` (one whose stored SLA times are
    /// missing or stale).
    pub fn look_again(&self, id: i64) {
        // The receiver lives as long as any handle: sending cannot fail.
        self.pending.fetch_add(1, Ordering::SeqCst);
        let _ = self.tx.send(id);
        self.queued.notify_one();
    }

    /// One round: works the tickets queued now (up to 500). Returns how
    /// many it looked at; 0 when nothing was queued.
    pub async fn run_once(&self, s: &AppState) -> usize {
        let mut rx = self.rx.lock().await;
        let mut ids = Vec::new();
        while ids.len() < ROUND {
            match rx.try_recv() {
                Ok(id) => ids.push(id),
                Err(_) => break,
            }
        }
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            look(s, id).await;
        }
        if n > 0 && self.pending.fetch_sub(n, Ordering::SeqCst) == n {
            self.emptied.notify_waiters();
        }
        n
    }

    /// Waits until the background loop has worked everything queued (and
    /// what that queued in turn). Unlike [`FollowUp::drain`] it does no work
    /// itself: tests use it to check that `serve()` runs the loop.
    pub async fn idle(&self) {
        loop {
            let emptied = self.emptied.notified();
            tokio::pin!(emptied);
            emptied.as_mut().enable();
            if self.pending.load(Ordering::SeqCst) == 0 {
                return;
            }
            emptied.await;
        }
    }

    /// Claims the right to run the background loop: true once per state
    /// (`serve()` asks; a second `serve()` of the same state runs none).
    pub(crate) fn claim_runner(&self) -> bool {
        !self.runner.swap(true, Ordering::SeqCst)
    }

    /// Everything the background would get to, done now: other processes'
    /// writes read into the queue index, agents' open work read again for the
    /// router, then rounds until none is queued. Returns how many tickets were
    /// looked at.
    pub async fn drain(&self, s: &AppState) -> usize {
        if let Err(e) = s.queue.sync(&s.store).await {
            tracing::warn!(error = %e, "cannot sync the queue index");
        }
        if let Err(e) = s.routing.refresh(s).await {
            tracing::warn!(error = %e, "cannot refresh the router");
        }
        let mut n = 0;
        for _ in 0..MOST_ROUNDS {
            match self.run_once(s).await {
                0 => break,
                k => n += k,
            }
        }
        n
    }

    /// The background loop `serve()` runs: a round whenever work is queued.
    pub(crate) async fn run(self, s: AppState) {
        loop {
            self.queued.notified().await;
            while self.run_once(&s).await > 0 {}
        }
    }
}

/// Settles, re-times and offers one ticket (see the module's description).
async fn look(s: &AppState, id: i64) {
    let t = match crate::sla::refresh(s, id).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(ticket = id, error = ?e, "cannot compute the SLA due time");
            return;
        }
    };
    if let Err(e) = crate::routing::offer(s, &t).await {
        tracing::warn!(ticket = id, error = %e, "cannot route");
    }
}
