//! Contacts: the customer users who raise tickets, each in one organization.

use crate::email::Email;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    #[schema(value_type = String)]
    pub email: Email,
    /// IANA time zone their promises are written in (none: the organization's).
    pub timezone: Option<String>,
    pub created_at: DateTime<Utc>,
}
