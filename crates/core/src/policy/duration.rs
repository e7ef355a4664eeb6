//! Durations as support leads write them: `90m`, `4h`, `2d`, `1h30m`, `45s`.

/// Parses a duration into seconds. A day is 24 hours.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration; write e.g. 90m, 4h, 2d or 1h30m".into());
    }
    let mut total: i64 = 0;
    let mut num = String::new();
    let mut seen_unit = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return Err(format!("`{s}`: unknown unit `{c}`; use d, h, m or s (e.g. 1h30m)")),
        };
        if num.is_empty() {
            return Err(format!("`{s}`: a number must come before `{c}`"));
        }
        let n: i64 = num.parse().map_err(|_| format!("`{s}`: number too large"))?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("`{s}`: duration too large"))?;
        num.clear();
        seen_unit = true;
    }
    if !num.is_empty() || !seen_unit {
        return Err(format!("`{s}`: every number needs a unit (d, h, m or s), e.g. 90m"));
    }
    if total == 0 {
        return Err(format!("`{s}`: a duration must be longer than zero"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_compound_durations() {
        assert_eq!(parse_duration("90m"), Ok(5400));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("2d"), Ok(172_800));
        assert!(parse_duration("90").is_err());
        assert!(parse_duration("1x").is_err());
        assert!(parse_duration("0m").is_err());
    }
}
