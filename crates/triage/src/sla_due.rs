//! `triage sla due`: when a target falls due on a business calendar, for support
//! leads checking a calendar before they adopt it (and for checking the engine by
//! hand). Needs no policy file and no database.

use crate::cli::SlaDueArgs;
use chrono::{DateTime, Utc};
use std::process::ExitCode;
use triage_core::policy::parse_duration;
use triage_core::sla::{due, parse_holiday, parse_hours, Calendar, Pause, Weekly};

/// A usage error: which flag, what is wrong, what to write instead; exit code 2.
fn usage(msg: String) -> anyhow::Result<ExitCode> {
    eprintln!("error: {msg}");
    Ok(ExitCode::from(2))
}

fn instant(flag: &str, s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{flag} `{s}`: not an RFC 3339 instant; write e.g. 2026-11-30T09:00:00+01:00"))
}

pub fn run(a: &SlaDueArgs) -> anyhow::Result<ExitCode> {
    let tz: chrono_tz::Tz = match a.timezone.parse() {
        Ok(tz) => tz,
        Err(_) => {
            return usage(format!(
                "--timezone `{}`: not an IANA time zone; write e.g. Europe/Berlin, America/New_York or UTC",
                a.timezone
            ))
        }
    };
    let week = if a.hours.is_empty() {
        None
    } else {
        let mut w = Weekly::default();
        for h in &a.hours {
            if let Err(e) = parse_hours(h, &mut w) {
                return usage(format!("--hours {e}"));
            }
        }
        Some(w)
    };
    let mut holidays = Vec::new();
    for h in &a.holidays {
        match parse_holiday(h) {
            Ok(x) => holidays.push(x),
            Err(e) => return usage(format!("--holiday {e}")),
        }
    }
    let cal = match Calendar::new(tz, week, holidays) {
        Ok(c) => c,
        Err(e) => return usage(format!("--hours: {e}")),
    };
    let start = match &a.start {
        Some(s) => match instant("--start", s) {
            Ok(t) => t,
            Err(e) => return usage(e),
        },
        None => Utc::now(),
    };
    let target = match parse_duration(&a.target) {
        Ok(t) => t,
        Err(e) => return usage(format!("--target {e}")),
    };
    let mut pauses = Vec::new();
    for p in &a.pauses {
        let Some((from, to)) = p.split_once('/') else {
            return usage(format!("--pause `{p}`: write START/END, e.g. 2026-11-30T10:00:00Z/2026-11-30T11:30:00Z"));
        };
        let (from, to) = match (instant("--pause", from), instant("--pause", to)) {
            (Ok(f), Ok(t)) => (f, t),
            (Err(e), _) | (_, Err(e)) => return usage(e),
        };
        if to <= from {
            return usage(format!("--pause `{p}`: the pause ends before it starts"));
        }
        pauses.push(Pause { start_ms: from.timestamp_millis(), end_ms: to.timestamp_millis() });
    }
    let d = match due(&cal, start.timestamp_millis(), target * 1000, &pauses) {
        Ok(d) => d,
        Err(e) => return usage(e),
    };
    let at = DateTime::<Utc>::from_timestamp_millis(d.due_ms).unwrap_or_default().with_timezone(&tz);
    let rfc = at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
    match a.format.as_str() {
        "json" => println!(
            "{}",
            serde_json::json!({"due": rfc, "business_seconds": d.business_ms / 1000, "paused_seconds": d.paused_ms / 1000})
        ),
        "text" => {
            println!("due:      {} ({rfc})", at.format("%a %d %b %Y %H:%M %Z"));
            println!("business: {} of business time", words(d.business_ms / 1000));
            println!("paused:   {} of business time inside pauses", words(d.paused_ms / 1000));
        }
        f => return usage(format!("--format `{f}`: use text or json")),
    }
    Ok(ExitCode::SUCCESS)
}

/// `1h 30m`, `2d 4h`, `45s`.
fn words(secs: i64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "m"), (s, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if parts.is_empty() {
        "0s".into()
    } else {
        parts.join(" ")
    }
}
