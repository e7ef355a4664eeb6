//! The channels a ticket can arrive through.

use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Portal,
    Api,
    Phone,
    Chat,
    Import,
}

impl Channel {
    pub const ALL: [Channel; 6] =
        [Channel::Email, Channel::Portal, Channel::Api, Channel::Phone, Channel::Chat, Channel::Import];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Portal => "portal",
            Channel::Api => "api",
            Channel::Phone => "phone",
            Channel::Chat => "chat",
            Channel::Import => "import",
        }
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a channel; use one of email, portal, api, phone, chat, import"))
    }
}
