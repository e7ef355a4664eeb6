//! Errors the caller can act on: not found, conflict, or something else.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or reference rule would be broken; the message says which.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The store is shutting down and takes no more writes (retry elsewhere
    /// or later); not a conflict with stored data.
    #[error("unavailable: {0}")]
    Stopping(String),
    #[error("database error: {0}")]
    Other(sqlx::Error),
    /// An error of the SQLite ticket writer (rusqlite).
    #[error("database error: {0}")]
    Backend(String),
    /// Opened without leave to create one, and there is no Triage database there.
    #[error("no Triage database at {0}; `triage serve` creates one")]
    Missing(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => {
                let msg = e.to_string();
                if msg.contains("FOREIGN KEY") {
                    StoreError::Conflict("it refers to a record that does not exist".into())
                } else {
                    StoreError::Conflict(unique_message(&msg))
                }
            }
            _ => StoreError::Backend(e.to_string()),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) => {
                let msg = db.message().to_string();
                if db.is_unique_violation() {
                    StoreError::Conflict(unique_message(&msg))
                } else if db.is_foreign_key_violation() {
                    StoreError::Conflict("it is still referenced by other records".into())
                } else {
                    StoreError::Other(e)
                }
            }
            _ => StoreError::Other(e),
        }
    }
}

/// Turns a backend's unique-violation text into "`name` is already taken".
fn unique_message(msg: &str) -> String {
    for col in ["email", "name", "external_id", "token_hash"] {
        if msg.contains(col) {
            return format!("{col} is already taken");
        }
    }
    "a record with the same unique value exists".into()
}
