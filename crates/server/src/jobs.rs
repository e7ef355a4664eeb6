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
        tokio::time::sleep(VOLUME_EVERY).await;
    }
}
