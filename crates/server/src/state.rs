//! What every request handler shares: the store, the policy, the clock.

use crate::auth::TokenCache;
use crate::directory::{ContactCache, OrgCache};
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::sync::RwLock;
use triage_core::clock::Clock;
use triage_core::policy::Policy;
use triage_core::priority::{SurgeRule, Volume};
use triage_store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub policy: Arc<Policy>,
    pub clock: Arc<dyn Clock>,
    pub(crate) tokens: TokenCache,
    pub(crate) contacts: ContactCache,
    pub(crate) orgs: OrgCache,
    /// Queue volume, refreshed in the background; decides surge mode.
    pub(crate) volume: Arc<RwLock<Volume>>,
    /// The team's recent pace, refreshed in the background; for response forecasts.
    pub(crate) capacity: Arc<RwLock<crate::sla::forecast::Capacity>>,
    pub(crate) metrics: PrometheusHandle,
    /// Open tickets in priority order, for the queue endpoints.
    pub queue: crate::queue::Queue,
    /// Agents, their skills, availability and open work, for assignment.
    pub routing: crate::routing::Routing,
    /// The categorization models in use on intake.
    pub models: crate::categorize::Models,
    /// The work after each ticket write (queue index, SLA times, push routing).
    pub followup: crate::workflow::FollowUp,
    /// Whether `serve` runs the SLA ticker every second (tests that move a manual
    /// clock call `sla::ticker::tick` themselves instead).
    pub run_sla_ticker: bool,
    /// Most SLA alarms one tick claims and writes in one transaction.
    pub sla_batch: i64,
    /// The bearer token `/metrics` asks for; without one, it answers loopback
    /// peers only.
    pub metrics_token: Option<String>,
    /// Session cookies are marked `Secure` even when no proxy says the
    /// browser came over TLS (`--secure-cookies`).
    pub secure_cookies: bool,
}

impl AppState {
    pub fn new(store: Store, policy: Policy, clock: Arc<dyn Clock>) -> Self {
        let queue = crate::queue::Queue::new(&policy, policy.priority.weights, clock.now().timestamp_millis());
        Self {
            queue,
            routing: Default::default(),
            models: Default::default(),
            followup: Default::default(),
            run_sla_ticker: true,
            sla_batch: crate::sla::ticker::BATCH,
            metrics_token: None,
            secure_cookies: false,
            store,
            policy: Arc::new(policy),
            clock,
            tokens: TokenCache::default(),
            contacts: ContactCache::default(),
            orgs: OrgCache::default(),
            volume: Arc::new(RwLock::new(Volume::default())),
            capacity: Arc::default(),
            metrics: crate::ops::metrics_handle(),
        }
    }

    /// The surge rule in force at the last measured volume, if any.
    pub fn surge(&self) -> Option<&SurgeRule> {
        let v = *self.volume.read().ok()?;
        self.policy.priority.surge_for(v)
    }

    /// The clock's time at the millisecond precision the store keeps, so what a
    /// handler answers equals what a later read returns.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let t = self.clock.now();
        chrono::DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
    }
}
