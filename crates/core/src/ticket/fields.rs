//! Checks of free-text ticket fields: subject, body and tags.

use crate::DomainError;

pub const MAX_SUBJECT_CHARS: usize = 250;
pub const MAX_BODY_BYTES: usize = 64 * 1024;
pub const MAX_TAGS: usize = 20;

pub fn validate_subject(s: &str) -> Result<String, DomainError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(DomainError::new("subject", "must not be empty"));
    }
    if s.chars().count() > MAX_SUBJECT_CHARS {
        return Err(DomainError::new("subject", format!("must be at most {MAX_SUBJECT_CHARS} characters")));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(DomainError::new("subject", "must be one line without control characters"));
    }
    Ok(s.to_string())
}

pub fn validate_body(s: &str) -> Result<String, DomainError> {
    if s.trim().is_empty() {
        return Err(DomainError::new("body", "must not be empty"));
    }
    if s.len() > MAX_BODY_BYTES {
        return Err(DomainError::new("body", format!("must be at most {MAX_BODY_BYTES} bytes")));
    }
    Ok(s.to_string())
}

/// Tags are lower-case words of `a-z 0-9 _ - : .`, at most 50 characters, at most 20 per ticket;
/// duplicates are dropped and the order kept.
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
        let t = t.trim().to_lowercase();
        let ok = !t.is_empty()
            && t.len() <= 50
            && t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-:.".contains(c));
        if !ok {
            errors.push(DomainError::new(
                format!("tags[{i}]"),
                "must be 1-50 characters of a-z, 0-9, `_`, `-`, `:` or `.`",
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
        assert!(validate_subject(&"x".repeat(251)).is_err());
    }
}
