//! The shapes of free text the API takes, each with the JSON Schema pattern
//! the API description publishes for it. A rule and its pattern live side by
//! side so they cannot drift: a value the pattern allows is one the check
//! takes, and the other way round (the API conformance run holds both to it).
//!
//! Whitespace is the set a schema validator's `\s` matches (Python's `re`,
//! which the conformance tools use): Unicode `White_Space` plus the four
//! information separators U+001C..U+001F.

/// Blank text: nothing but whitespace and invisible characters (or nothing
/// at all): a subject of zero-width spaces says nothing.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| is_space(c) || is_invisible(c))
}

/// Characters that take no room: the soft hyphen, zero-width spaces and
/// joiners, direction marks, word joiners and the byte-order mark.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// Whitespace as a schema validator's `\s` reads it (see the module docs).
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Control characters (Unicode `Cc`: U+0000..U+001F, U+007F..U+009F).
pub fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// The one rule for control characters in any text the API takes, on both
/// backends: tab, line feed and carriage return are text; every other control
/// character (NUL among them, which PostgreSQL cannot store) is refused, never
/// silently stripped.
pub fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Any text without refused control characters ([`is_refused_control`]).
pub const NO_CONTROL: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

/// Characters, as JSON Schema's `maxLength` counts them (code points).
pub fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The value as a pattern anchored with `$` reads it: Python's `re`, which
/// the conformance tools use, lets `$` match before one final newline, so a
/// pattern-checked value may end in one; it is taken and dropped. Lengths are
/// counted before (`maxLength` counts it too).
pub fn without_final_newline(s: &str) -> &str {
    s.strip_suffix('\n').unwrap_or(s)
}

/// Some text that is not only whitespace, without refused control characters.
pub const NOT_BLANK: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2060-\u2064\ufeff][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

/// One line with something on it: no control characters, not blank.
pub const ONE_LINE: &str =
    r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2060-\u2064\ufeff][^\x00-\x1f\x7f-\x9f]*$";

/// Checks `s` is not blank and at most `max` characters; the message says
/// what to fix.
pub fn check_text(s: &str, max: usize) -> Result<(), String> {
    if is_blank(s) {
        return Err("must not be empty".into());
    }
    if chars(s) > max {
        return Err(format!("must be at most {max} characters"));
    }
    Ok(())
}

/// [`check_text`] for a one-line field ([`ONE_LINE`]): no control
/// characters either. Returns the line, trimmed.
pub fn check_line(s: &str, max: usize) -> Result<&str, String> {
    if chars(s) > max {
        return Err(format!("must be at most {max} characters"));
    }
    let line = without_final_newline(s);
    if is_blank(line) {
        return Err("must not be empty".into());
    }
    if has_control(line) {
        return Err("must be one line without control characters".into());
    }
    Ok(line.trim())
}

/// At most `max` characters, blank allowed (notes, reasons, labels).
pub fn check_length(s: &str, max: usize) -> Result<(), String> {
    if chars(s) > max {
        return Err(format!("must be at most {max} characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_matches_the_schema_whitespace() {
        assert!(is_blank(""));
        assert!(is_blank(" \t\n\u{3000}\u{1c}"));
        assert!(!is_blank(" x "));
        assert!(is_blank("\u{200b}\u{feff} "), "zero-width characters say nothing");
    }

    #[test]
    fn lines_and_lengths() {
        assert!(check_line("Card declined", 250).is_ok());
        assert!(check_line("a\nb", 250).is_err());
        assert_eq!(check_line(" a \n", 250), Ok("a"), "one final newline is what `$` allows");
        assert!(check_line("  ", 250).is_err());
        assert!(check_line(&"é".repeat(250), 250).is_ok(), "characters, not bytes");
        assert!(check_line(&"é".repeat(251), 250).is_err());
        assert!(check_length("", 10).is_ok());
    }
}
