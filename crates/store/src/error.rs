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
                    StoreError::Conflict(unique_message(None, &msg))
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
                    StoreError::Conflict(unique_message(db.constraint(), &msg))
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

/// The unique rules a person can break, with the field each guards:
/// PostgreSQL reports the constraint's name, SQLite the columns it covers
/// (`UNIQUE constraint failed: agents.email`).
const UNIQUE_RULES: &[(&str, &str, &str)] = &[
    ("plans_name_key", "plans.name", "name"),
    ("organizations_name_key", "organizations.name", "name"),
    ("contacts_email_key", "contacts.email", "email"),
    ("agents_email_key", "agents.email", "email"),
    ("api_tokens_token_hash_key", "api_tokens.token_hash", "token_hash"),
    ("tickets_external_id_key", "tickets.external_id", "external_id"),
];

/// "`field` is already taken" for the rule the database names (PostgreSQL's
/// `constraint`, else SQLite's message), or a general answer for any other.
fn unique_message(constraint: Option<&str>, msg: &str) -> String {
    let columns = msg.split_once("UNIQUE constraint failed: ").map(|(_, c)| c.trim());
    let rule = UNIQUE_RULES.iter().find(|(pg, sqlite, _)| constraint == Some(*pg) || columns == Some(*sqlite));
    match rule {
        Some((_, _, field)) => format!("{field} is already taken"),
        None => "a record with the same unique value exists".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::unique_message;

    #[test]
    fn unique_violations_are_named_by_their_rule_not_by_words_in_the_message() {
        assert_eq!(unique_message(Some("agents_email_key"), "duplicate key value"), "email is already taken");
        assert_eq!(unique_message(None, "UNIQUE constraint failed: organizations.name"), "name is already taken");
        // A message that merely mentions a column names no rule.
        assert_eq!(
            unique_message(Some("tickets_idem_scope_idem_key_key"), "Key (idem_scope, idem_key)=(name, email)"),
            "a record with the same unique value exists"
        );
        assert_eq!(
            unique_message(None, "UNIQUE constraint failed: tickets.idem_scope, tickets.idem_key"),
            "a record with the same unique value exists"
        );
    }
}
