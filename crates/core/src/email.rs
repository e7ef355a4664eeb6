//! A login e-mail address. The only way in is [`Email::parse`], so a held value is valid.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// An address as the API description publishes it (see [`crate::text`]): a
/// dot-atom before the @, dot-separated host labels after it; at most 254
/// characters (the `maxLength` beside it).
pub const EMAIL_PATTERN: &str = concat!(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*",
    r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
);
pub const MAX_EMAIL_CHARS: usize = 254;

impl Email {
    /// Accepts `local@domain.tld`-shaped addresses, trimmed and lower-cased.
    /// Deliberately simple: login names must be unambiguous, not RFC 5322-complete.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::parse_exact(raw.trim())
    }

    /// [`Email::parse`] without the trimming: what the API takes, exactly
    /// [`EMAIL_PATTERN`] (one final newline aside, see [`crate::text`]).
    pub fn parse_exact(raw: &str) -> Result<Self, DomainError> {
        let err = |m: &str| Err(DomainError::new("email", m));
        if raw.chars().count() > MAX_EMAIL_CHARS {
            return err("is longer than 254 characters");
        }
        let s = crate::text::without_final_newline(raw).to_ascii_lowercase();
        let Some((local, domain)) = s.split_once('@') else {
            return err("must look like name@example.com");
        };
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            return err("must look like name@example.com");
        }
        if domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") {
            return err("has an invalid domain part");
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return err("must not contain spaces or control characters");
        }
        // What mail servers route (RFC 5321, ASCII): a dot-atom before the @, a
        // host name of dot-separated labels after it. Unicode addresses (RFC
        // 6531) are not taken: a login must be unambiguous. (RFC 5321's 64
        // characters before the @ are not enforced: a pattern cannot say it.)
        let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return err("has an invalid part before the @");
        }
        if !local.chars().all(|c| atext(c) || c == '.') {
            return err("may use letters, digits and ! # $ % & ' * + / = ? ^ _ ` { | } ~ - . before the @");
        }
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if !domain.contains('.') || !domain.split('.').all(label_ok) {
            return err("has an invalid domain part (write it like example.com)");
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Email::parse(&s).map_err(|e| e.message)
    }
}
impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}
impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalizes_case_and_space() {
        assert_eq!(Email::parse("  Ana@Example.COM ").unwrap().as_str(), "ana@example.com");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "ana",
            "@x.com",
            "ana@",
            "a@b@c",
            "a b@c.com",
            "a@.com",
            "a@c..com",
            "æ@û",
            "agent:ana@x.com",
            ".a@x.com",
            "a@localhost",
            "a@-x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    proptest! {
        #[test]
        fn parse_is_idempotent(local in "[a-z0-9_-][a-z0-9_+-]{0,19}", domain in "[a-z0-9]{1,20}\\.[a-z]{2,6}") {
            let e = Email::parse(&format!("{local}@{domain}")).unwrap();
            prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e);
        }
    }
}
