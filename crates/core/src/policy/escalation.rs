//! SLA escalations (`[[escalations]]`) and customer messages (`[messages]`):
//! what happens when a clock warns or breaches, and what the customer reads.

use super::file::{EscalationFile, MessagesFile};
use super::validate::Errors;
use crate::sla::{ClockName, TriggerKind};
use serde::Serialize;
use toml::Spanned;
use utoipa::ToSchema;

/// One escalation rule: when it applies and what it does.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EscalationDef {
    pub name: String,
    pub description: String,
    pub on: TriggerKind,
    /// Empty: every clock.
    pub clocks: Vec<ClockName>,
    /// Empty: every level.
    pub levels: Vec<String>,
    /// Empty: every SLA policy.
    pub sla_policies: Vec<String>,
    pub reassign: Option<Reassign>,
    pub notify: Vec<NotifyTarget>,
    pub add_tag: Option<String>,
}

impl EscalationDef {
    /// Whether this rule applies to a trigger of `clock` on a ticket at `level`
    /// under SLA policy `sla_policy`.
    pub fn applies(&self, on: TriggerKind, clock: ClockName, level: &str, sla_policy: &str) -> bool {
        self.on == on
            && (self.clocks.is_empty() || self.clocks.contains(&clock))
            && (self.levels.is_empty() || self.levels.iter().any(|l| l == level))
            && (self.sla_policies.is_empty() || self.sla_policies.iter().any(|p| p == sla_policy))
    }
}

/// Where an escalation sends the ticket (unassigning it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reassign {
    /// L1 to L2, L2 to L3 (an L3 ticket stays).
    NextTier,
    Team(String),
}

/// Who an escalation's notification is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotifyTarget {
    /// The agent the ticket is assigned to.
    Assignee,
    /// The agent who owns the customer's account.
    Owner,
    /// The ticket's team.
    Team,
    /// A named team.
    TeamNamed(String),
}

/// The customer-facing texts, with `{placeholders}`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Messages {
    /// Posted in the public thread when a ticket is created.
    pub acknowledgment: String,
    /// Posted when the promise moves (a change of urgency, a pause or its end).
    pub promise_changed: String,
    /// Changes within this many seconds of the first are told together, once,
    /// as where they left the promise (a change and its undo: nothing).
    pub coalesce_seconds: i64,
}

pub const ACKNOWLEDGMENT: &str =
    "Thank you for contacting us. We received your request #{ticket} \"{subject}\". {promise} {forecast}";
pub const PROMISE_CHANGED: &str = "Update on your request #{ticket}: {reason}. {promise}";
/// Default coalescing window: ten minutes.
pub const COALESCE_SECONDS: i64 = 600;

/// Placeholders each template may use. Levels are internal: customers are told
/// when they will hear back, not how their request was ranked.
const ACK_VARS: &[&str] = &["ticket", "subject", "promise", "due", "forecast"];
const CHANGED_VARS: &[&str] = &["ticket", "subject", "promise", "due", "reason"];

/// A customer message with no sentence said twice (a template and a filled-in
/// placeholder can both say "We will reply by ..."), spaces tidied.
pub fn customer_text(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        // A sentence ends at `.`, `!` or `?` followed by a space or the end.
        let end = rest
            .char_indices()
            .find(|(i, c)| matches!(c, '.' | '!' | '?') && rest[i + 1..].starts_with(' '))
            .map_or(rest.len(), |(i, _)| i + 1);
        let sentence = rest[..end].trim();
        if !sentence.is_empty() && !out.contains(&sentence) {
            out.push(sentence);
        }
        rest = rest[end..].trim_start();
    }
    out.join(" ")
}

/// Fills `{name}` placeholders; an unknown one is left as written (the policy
/// check rejects those, so this only matters for hand-made templates).
pub fn render(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match vars.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn placeholders(t: &str) -> impl Iterator<Item = &str> {
    t.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(name, _)| name))
}

pub(super) fn messages(errs: &mut Errors, raw: Option<&MessagesFile>) -> Messages {
    let mut check = |t: Option<&Spanned<String>>, default: &str, vars: &[&str], what: &str| -> String {
        let Some(t) = t else { return default.to_string() };
        for p in placeholders(t.get_ref()) {
            if !vars.contains(&p) {
                errs.at(
                    t.span(),
                    format!("messages.{what} uses unknown placeholder `{{{p}}}`"),
                    format!("use any of: {}", vars.iter().map(|v| format!("{{{v}}}")).collect::<Vec<_>>().join(", ")),
                );
            }
        }
        if t.get_ref().trim().is_empty() {
            errs.at(t.span(), format!("messages.{what} is empty"), "write the text the customer reads");
        }
        // A brace opened and not closed (`{forecast"`) would reach the customer as written.
        let mut open = false;
        for c in t.get_ref().chars() {
            match c {
                '{' if open => break,
                '{' => open = true,
                '}' => open = false,
                _ => {}
            }
        }
        if open || t.get_ref().matches('{').count() != t.get_ref().matches('}').count() {
            errs.at(
                t.span(),
                format!("messages.{what} has a `{{` without its `}}`"),
                "close each placeholder, e.g. {promise}",
            );
        }
        if t.get_ref().to_lowercase().contains("priority") {
            errs.at(
                t.span(),
                format!("messages.{what} speaks of priority to the customer"),
                "levels are internal: tell the customer when they will hear back ({promise}), not how the request was ranked",
            );
        }
        t.get_ref().clone()
    };
    Messages {
        acknowledgment: check(raw.and_then(|m| m.acknowledgment.as_ref()), ACKNOWLEDGMENT, ACK_VARS, "acknowledgment"),
        promise_changed: check(
            raw.and_then(|m| m.promise_changed.as_ref()),
            PROMISE_CHANGED,
            CHANGED_VARS,
            "promise_changed",
        ),
        coalesce_seconds: match raw.and_then(|m| m.coalesce.as_ref()) {
            None => COALESCE_SECONDS,
            Some(c) => match super::parse_duration(c.get_ref()) {
                Ok(secs) if secs <= 86_400 => secs,
                _ => {
                    errs.at(
                        c.span(),
                        format!("messages.coalesce `{}` is not a duration up to 1d", c.get_ref()),
                        "write e.g. 10m (0 tells every change at once)",
                    );
                    COALESCE_SECONDS
                }
            },
        },
    }
}

/// What the escalation rules may name.
pub(super) struct Known<'a> {
    pub levels: &'a [String],
    pub sla_policies: &'a [String],
    pub teams: &'a [String],
}

pub(super) fn escalations(errs: &mut Errors, raw: &[Spanned<EscalationFile>], k: Known) -> Vec<EscalationDef> {
    errs.unique_names("escalation", raw.iter().map(|e| &e.get_ref().name));
    let mut out = Vec::new();
    for e in raw {
        let e = e.get_ref();
        let name = e.name.get_ref();
        let on = e.on.get_ref().parse::<TriggerKind>().unwrap_or_else(|m| {
            errs.at(e.on.span(), format!("escalation `{name}`: {m}"), "on = \"warning\" or on = \"breach\"");
            TriggerKind::Breach
        });
        let mut clocks = Vec::new();
        for c in &e.clocks {
            match c.get_ref().parse::<ClockName>() {
                Ok(x) => clocks.push(x),
                Err(m) => errs.at(c.span(), format!("escalation `{name}`: {m}"), ""),
            }
        }
        for l in &e.levels {
            if !k.levels.contains(l.get_ref()) {
                errs.at(
                    l.span(),
                    format!("escalation `{name}` names unknown level `{}`", l.get_ref()),
                    format!("use one of: {}", k.levels.join(", ")),
                );
            }
        }
        for p in &e.sla_policies {
            if !k.sla_policies.contains(p.get_ref()) {
                errs.at(
                    p.span(),
                    format!("escalation `{name}` names unknown SLA policy `{}`", p.get_ref()),
                    format!("use one of: {}", k.sla_policies.join(", ")),
                );
            }
        }
        if let Some(r) = e.raise_priority.as_ref().filter(|r| *r.get_ref() != 0) {
            // Time never changes a level: a raised level would tighten the very
            // targets that were missed, and breach again.
            errs.at(
                r.span(),
                format!("escalation `{name}`: an SLA warning or breach cannot raise the level"),
                "a level is the promise to the customer and a raised one would tighten the targets just missed; breached tickets already climb the queue through the `sla` strategy. Use notify, reassign or add_tag (an agent may still set the level by hand)",
            );
        }
        let team_of = |errs: &mut Errors, s: &Spanned<String>, t: &str| -> String {
            if !k.teams.iter().any(|x| x == t) {
                errs.at(
                    s.span(),
                    format!("escalation `{name}` names team `{t}`, which no category routes to"),
                    format!("use one of: {}", k.teams.join(", ")),
                );
            }
            t.to_string()
        };
        let reassign = e.reassign.as_ref().and_then(|r| match r.get_ref().as_str() {
            "next_tier" => Some(Reassign::NextTier),
            s => match s.strip_prefix("team:") {
                Some(t) => Some(Reassign::Team(team_of(errs, r, t))),
                None => {
                    errs.at(
                        r.span(),
                        format!("escalation `{name}`: cannot reassign to `{s}`"),
                        "reassign = \"next_tier\" or reassign = \"team:<name>\"",
                    );
                    None
                }
            },
        });
        let mut notify = Vec::new();
        for n in &e.notify {
            match n.get_ref().as_str() {
                "assignee" => notify.push(NotifyTarget::Assignee),
                "owner" => notify.push(NotifyTarget::Owner),
                "team" => notify.push(NotifyTarget::Team),
                s => match s.strip_prefix("team:") {
                    Some(t) => notify.push(NotifyTarget::TeamNamed(team_of(errs, n, t))),
                    None => errs.at(
                        n.span(),
                        format!("escalation `{name}`: cannot notify `{s}`"),
                        "notify takes assignee, owner, team or team:<name>",
                    ),
                },
            }
        }
        let add_tag = e.add_tag.as_ref().map(|t| t.get_ref().trim().to_string());
        if reassign.is_none() && notify.is_empty() && add_tag.is_none() {
            errs.at(e.name.span(), format!("escalation `{name}` does nothing"), "give it reassign, notify or add_tag");
        }
        out.push(EscalationDef {
            name: name.clone(),
            description: e.description.clone(),
            on,
            clocks,
            levels: e.levels.iter().map(|l| l.get_ref().clone()).collect(),
            sla_policies: e.sla_policies.iter().map(|p| p.get_ref().clone()).collect(),
            reassign,
            notify,
            add_tag,
        });
    }
    out
}
