//! Checks of free-text ticket fields: subject, body and tags.

use crate::text::{check_line, check_text, without_final_newline};
use crate::DomainError;

pub const MAX_SUBJECT_CHARS: usize = 250;
pub const MAX_BODY_CHARS: usize = 65_536;
pub const MAX_TAGS: usize = 20;
/// One tag, as the API description publishes it (see [`crate::text`]).
pub const TAG_PATTERN: &str = r"^[A-Za-z0-9_:.-]{1,50}$";

/// A subject: one line ([`crate::text::ONE_LINE`]) of at most 250 characters; stored trimmed.
pub fn validate_subject(s: &str) -> Result<String, DomainError> {
    check_line(s, MAX_SUBJECT_CHARS).map(str::to_string).map_err(|m| DomainError::new("subject", m))
}

/// A body: not blank, at most 65,536 characters; stored as written.
pub fn validate_body(s: &str) -> Result<String, DomainError> {
    check_text(s, MAX_BODY_CHARS).map_err(|m| DomainError::new("body", m))?;
    Ok(s.to_string())
}

/// Tags are words of `A-Z a-z 0-9 _ - : .` ([`TAG_PATTERN`]), stored lower-case,
/// at most 50 characters, at most 20 per ticket; duplicates are dropped and the order kept.
pub fn validate_tags(tags: &[String]) -> Result<Vec<String>, DomainError> {
    check_tags(tags).map_err(|mut errs| errs.swap_remove(0))
}

/// [`validate_tags`] naming every tag at fault (`tags[i]`), not only the first.
pub fn check_tags(tags: &[String]) -> Result<Vec<String>, Vec<DomainError>> {
    if tags.len() > MAX_TAGS {
        return Err(vec![DomainError::new("tags", format!("at most {MAX_TAGS} tags"))]);
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    let mut errors = Vec::new();
    for (i, t) in tags.iter().enumerate() {
        let t = without_final_newline(t).to_ascii_lowercase();
        let ok = !t.is_empty()
            && t.len() <= 50
            && t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-:.".contains(c));
        if !ok {
            errors.push(DomainError::new(
                format!("tags[{i}]"),
                "must be 1-50 characters of A-Z, a-z, 0-9, `_`, `-`, `:` or `.`",
            ));
        } else if !out.contains(&t) {
            out.push(t);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalized_and_checked() {
        let t = validate_tags(&["VIP".into(), "vip".into(), "billing-issue".into()]).unwrap();
        assert_eq!(t, ["vip", "billing-issue"]);
        assert_eq!(validate_tags(&["no spaces".into()]).unwrap_err().field, "tags[0]");
        let all = check_tags(&["ok".into(), "no spaces".into(), "".into()]).unwrap_err();
        assert_eq!(all.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["tags[1]", "tags[2]"]);
    }

    #[test]
    fn subject_must_be_one_short_line() {
        assert!(validate_subject("  ").is_err());
        assert!(validate_subject("a\nb").is_err());
        assert_eq!(validate_subject(" Hello ").unwrap(), "Hello");
        assert!(validate_body(&"é".repeat(MAX_BODY_CHARS)).is_ok(), "characters, not bytes");
        assert!(validate_subject(&"x".repeat(251)).is_err());
    }
}
