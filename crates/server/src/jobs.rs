//! Background work of a server process.

use crate::state::AppState;
use std::time::Duration;
use triage_core::priority::Volume;

/// How often the queue's volume is measured for surge mode.
const VOLUME_EVERY: Duration = Duration::from_secs(15);

/// Measures the open backlog and the last hour's arrivals, and says when surge
/// mode switches on or off (the rule's weights apply from the next decision).
pub(crate) async fn watch_volume(state: AppState) {
    let mut current: Option<String> = None;
    loop {
        let now = state.now();
        match state.store.queue_volume(now).await {
            Ok((open, arrivals)) => {
                let v = Volume { open_backlog: open, arrivals_last_hour: arrivals };
                if let Ok(mut w) = state.volume.write() {
                    *w = v;
                }
                let surge = state.surge().map(|s| s.name.clone());
                if surge != current {
                    let weights = state.policy.priority.weights_for(state.surge());
                    state.queue.lock().set_weights(weights);
                    match &surge {
                        Some(name) => tracing::warn!(rule = %name, open, arrivals, "surge mode on"),
                        None => tracing::info!(open, arrivals, "surge mode off"),
                    }
                    metrics::gauge!("triage_surge_active").set(if surge.is_some() { 1.0 } else { 0.0 });
                    current = surge;
                }
                metrics::gauge!("triage_open_backlog").set(open as f64);
            }
            Err(e) => tracing::warn!(error = %e, "cannot measure queue volume"),
        }
        let hours = crate::sla::forecast::PACE_HOURS;
        match state.store.first_responses_since(now - chrono::Duration::hours(hours)).await {
            Ok(n) => {
                if let Ok(mut c) = state.capacity.write() {
                    c.first_responses_per_hour = n as f64 / hours as f64;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot measure the team's pace"),
        }
        tokio::time::sleep(VOLUME_EVERY).await;
    }
}

/// How often other processes' writes are picked up by this process's queue index.
const SYNC_EVERY: Duration = Duration::from_secs(1);

/// Keeps the queue index in step with the store. Time passing only re-orders
/// the queue (the index computes scores at any instant); it never changes a
/// level, so nothing is stored and nobody is told.
pub(crate) async fn follow_queue(state: AppState) {
    loop {
        tokio::time::sleep(SYNC_EVERY).await;
        if let Err(e) = state.queue.sync(&state.store).await {
            tracing::warn!(error = %e, "cannot sync the queue index");
        }
    }
}

/// How often agents, their availability (shifts start and end) and their open
/// work are read again for routing.
const AGENTS_EVERY: Duration = Duration::from_secs(10);

/// Keeps the router in step with agents and the work other processes assign.
pub(crate) async fn follow_agents(state: AppState) {
    loop {
        tokio::time::sleep(AGENTS_EVERY).await;
        if let Err(e) = state.routing.refresh(&state).await {
            tracing::warn!(error = %e, "cannot refresh the router");
        }
    }
}
