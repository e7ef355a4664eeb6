//! Validation errors of the domain, each naming the field at fault.

/// A value that cannot enter the domain. `field` names the input at fault
/// (a JSON pointer-ish path such as `custom_fields.affected_users`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct DomainError {
    pub field: String,
    pub message: String,
}

impl DomainError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}
