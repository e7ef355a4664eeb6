//! Storage for Triage: one repository API over SQLite (the embedded default) and
//! PostgreSQL. This is the only crate with SQL in it.
//!
//! Both backends go through sqlx's `Any` driver with the same queries (numbered
//! `$N` parameters, which SQLite accepts too), BIGINT times in milliseconds and
//! JSON as TEXT, so one implementation serves both and the same test suite
//! checks them. Migrations are per backend, side by side in `migrations/`.

mod agents;
mod auth_epoch;
mod codec;
mod connect;
mod contacts;
mod error;
mod imports;
mod labels;
mod models;
mod notifications;
mod organizations;
mod plans;
#[cfg(feature = "testing")]
pub mod scratch;
mod sla_outcomes;
mod tickets;
mod tokens;
mod web_sign_in;

pub use connect::{Backend, DatabaseUrl, StoreOptions};
pub use error::StoreError;
pub use labels::{LabelRow, NewLabel};
pub use models::{ModelRecord, NewModel};
pub use notifications::NewNotification;
pub use organizations::{NewOrganization, OrganizationRecord};
pub use plans::NewPlan;
pub use tickets::{
    Extras, HistoryRow, ModifyError, NewEvent, QueueRow, Restored, SlaReads, SlaWrite, SlaWritten, TicketFilter,
};
pub use tokens::{TokenRecord, TokenRole};
pub use triage_core::notification::Notification;
pub use triage_core::queue::{QueueCursor, QueueFilter};
pub use web_sign_in::{Credentials, WebSession};

use sqlx::AnyPool;
use std::sync::Arc;

/// A page request: items after `after` (an id cursor), at most `limit`.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub after: Option<i64>,
    pub limit: i64,
}

/// A page of items and the cursor of the next page, if there is one.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<i64>,
}

/// The repository. Cheap to clone; every clone shares the pools and the ticket writer.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
    /// Writes. For SQLite a single connection, so writers never race for the lock.
    write: AnyPool,
    /// Reads. In SQLite's WAL mode readers never wait for the writer.
    read: AnyPool,
    writer: tickets::writer::Handle,
    /// Connecting made a new database.
    created: bool,
}

impl Store {
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// Closes the pools after the ticket writer has drained what it was given.
    pub async fn close(&self) {
        self.inner.write.close().await;
        self.inner.read.close().await;
    }

    /// Refreshes the planner's statistics (benchmarks call it after bulk loads).
    pub async fn analyze(&self) -> Result<(), StoreError> {
        sqlx::query("ANALYZE").execute(&self.inner.write).await?;
        Ok(())
    }
}

fn page_of<T>(mut items: Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Page<T> {
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(id)
    } else {
        None
    };
    Page { items, next }
}
