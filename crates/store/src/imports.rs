//! Checkpoints that let an interrupted import resume where it stopped.

use crate::codec::ms;
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};

impl Store {
    /// Lines of `source` already imported (0 when it never ran).
    pub async fn import_progress(&self, source: &str) -> Result<i64, StoreError> {
        let n: Option<i64> = sqlx::query_scalar("SELECT lines_done FROM import_progress WHERE source = $1")
            .bind(source)
            .fetch_optional(self.r())
            .await?;
        Ok(n.unwrap_or(0))
    }

    pub async fn set_import_progress(&self, source: &str, lines: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO import_progress (source, lines_done, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (source) DO UPDATE SET lines_done = excluded.lines_done, updated_at = excluded.updated_at",
        )
        .bind(source)
        .bind(lines)
        .bind(ms(now))
        .execute(self.w())
        .await?;
        Ok(())
    }
}
