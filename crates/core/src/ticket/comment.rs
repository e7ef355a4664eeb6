//! The ticket thread: public replies and internal notes.

use super::Actor;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommentKind {
    /// Visible to the customer.
    Public,
    /// Visible to agents only.
    Internal,
}

impl CommentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentKind::Public => "public",
            CommentKind::Internal => "internal",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Comment {
    pub id: i64,
    pub ticket_id: i64,
    #[schema(value_type = String, example = "agent:3")]
    pub author: Actor,
    pub kind: CommentKind,
    pub body: String,
    pub created_at: DateTime<Utc>,
}
