//! The authorization epoch: a counter every change to who may do what bumps
//! (migration 0010), so each server process can tell, with one indexed read
//! per request, whether the callers it cached are still what the database
//! says.

use crate::{Store, StoreError};
use sqlx::{Any, Executor};

impl Store {
    /// The current epoch.
    pub async fn auth_epoch(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT epoch FROM auth_epoch WHERE id = 1").fetch_one(self.r()).await?)
    }
}

/// Moves the epoch on; run in the transaction of the change it announces.
pub(crate) async fn bump<'e, E: Executor<'e, Database = Any>>(e: E) -> Result<(), StoreError> {
    sqlx::query("UPDATE auth_epoch SET epoch = epoch + 1 WHERE id = 1").execute(e).await?;
    Ok(())
}
