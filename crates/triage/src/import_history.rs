//! What `triage import` reads back from a `triage export` besides a ticket's
//! fields: its assignee, comments, event log, first response, solved and closed
//! times and the priority as it was decided (`triage_store::Restored`). People
//! are named by e-mail in an export (`agent:ben@x.example`); here they become the
//! ids of this database, agents created (inactive) when new.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::collections::HashMap;
use triage_core::agent::Agent;
use triage_core::email::Email;
use triage_core::ticket::{Actor, CommentKind, EventData, EventKind};
use triage_store::{NewEvent, Restored, Store, StoreError};

/// People met so far, by how an export names them.
#[derive(Default)]
pub(crate) struct People(HashMap<String, Actor>);

impl People {
    /// `agent:EMAIL`, `contact:EMAIL` or `system` as this database's actor.
    async fn actor(&mut self, store: &Store, name: &str, org: i64, now: DateTime<Utc>) -> Result<Actor, String> {
        if let Some(a) = self.0.get(name) {
            return Ok(*a);
        }
        let a = match name.split_once(':') {
            None if name == "system" => Actor::System,
            Some(("agent", email)) => Actor::Agent(agent(store, email, None, now).await?),
            Some(("contact", email)) => {
                let e = Email::parse(email).map_err(|e| format!("`{name}`: {}", e.message))?;
                let c = match store.get_contact_by_email(&e).await {
                    Ok(c) => c,
                    Err(StoreError::NotFound) => {
                        let local = email.split('@').next().unwrap_or("customer");
                        store.create_contact(org, local, &e, now).await.map_err(|e| e.to_string())?
                    }
                    Err(e) => return Err(e.to_string()),
                };
                Actor::Contact(c.id)
            }
            _ => return Err(format!("`{name}` is not a person: write agent:EMAIL, contact:EMAIL or system")),
        };
        self.0.insert(name.to_string(), a);
        Ok(a)
    }
}

/// The agent with this e-mail; a new one is made inactive (history names
/// people who may have left).
async fn agent(store: &Store, email: &str, team: Option<&str>, now: DateTime<Utc>) -> Result<i64, String> {
    let e = Email::parse(email).map_err(|e| format!("`{email}`: {}", e.message))?;
    match store.get_agent_by_email(&e).await {
        Ok(a) => Ok(a.id),
        Err(StoreError::NotFound) => {
            let name = email.split('@').next().unwrap_or("agent");
            let mut a = Agent { active: false, ..Agent::new(name, e, now) };
            if let Some(team) = team {
                a.team = team.to_string();
            }
            Ok(store.create_agent(&a, now).await.map_err(|e| e.to_string())?.id)
        }
        Err(e) => Err(e.to_string()),
    }
}

fn time(v: &Value, field: &str) -> Result<Option<DateTime<Utc>>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| format!("{field}: `{s}` is not an RFC 3339 time")),
        other => Err(format!("{field}: {other} is not a time")),
    }
}

/// The history in an exported row, or `None` for a row that carries none (a
/// file from another system). Errors say which field is wrong.
pub(crate) async fn restored(
    store: &Store,
    people: &mut People,
    f: &Map<String, Value>,
    org: i64,
    now: DateTime<Utc>,
) -> Result<Option<Restored>, (String, String)> {
    let keys = ["comments", "events", "assignee", "first_response_at", "priority_explanation", "version"];
    if !keys.iter().any(|k| f.contains_key(*k)) {
        return Ok(None);
    }
    let err = |field: &str, m: String| (field.to_string(), m);
    let null = Value::Null;
    let get = |k: &str| f.get(k).unwrap_or(&null);
    let team = get("team").as_str().map(String::from);
    let mut r = Restored {
        team: team.clone(),
        tier: get("tier").as_str().and_then(|t| t.parse().ok()),
        first_response_at: time(get("first_response_at"), "first_response_at")
            .map_err(|m| err("first_response_at", m))?,
        solved_at: time(get("solved_at"), "solved_at").map_err(|m| err("solved_at", m))?,
        closed_at: time(get("closed_at"), "closed_at").map_err(|m| err("closed_at", m))?,
        updated_at: time(get("updated_at"), "updated_at").map_err(|m| err("updated_at", m))?,
        version: get("version").as_i64(),
        sla_due_at: time(get("sla_due_at"), "sla_due_at").map_err(|m| err("sla_due_at", m))?,
        priority_score: get("priority_score").as_f64(),
        priority_explanation: serde_json::from_value(get("priority_explanation").clone()).ok(),
        policy_version: get("policy_version").as_str().map(String::from),
        predictions: f.get("predictions").and_then(|p| serde_json::from_value(p.clone()).ok()),
        suggested: f.get("suggested").and_then(|p| serde_json::from_value(p.clone()).ok()).unwrap_or_default(),
        ..Default::default()
    };
    if let Some(a) = get("assignee").as_str() {
        r.assignee_id = Some(agent(store, a, team.as_deref(), now).await.map_err(|m| err("assignee", m))?);
    }
    for (i, c) in get("comments").as_array().into_iter().flatten().enumerate() {
        let field = format!("comments[{i}]");
        let author = people
            .actor(store, c["author"].as_str().unwrap_or_default(), org, now)
            .await
            .map_err(|m| err(&field, m))?;
        let kind = match c["kind"].as_str() {
            Some("internal") => CommentKind::Internal,
            _ => CommentKind::Public,
        };
        let at = time(&c["created_at"], &field).map_err(|m| err(&field, m))?.unwrap_or(now);
        r.comments.push((author, kind, c["body"].as_str().unwrap_or_default().to_string(), at));
    }
    for (i, e) in get("events").as_array().into_iter().flatten().enumerate() {
        let field = format!("events[{i}]");
        let actor =
            people.actor(store, e["actor"].as_str().unwrap_or_default(), org, now).await.map_err(|m| err(&field, m))?;
        let kind =
            e["kind"].as_str().and_then(EventKind::parse).ok_or_else(|| err(&field, "unknown event kind".into()))?;
        let at = time(&e["at"], &field).map_err(|m| err(&field, m))?.unwrap_or(now);
        let data = EventData::read(kind, e["data"].clone())
            .map_err(|m| err(&format!("{field}.data"), format!("not the data of a `{}` event: {m}", kind.as_str())))?;
        let event = NewEvent { data, reason: e["reason"].as_str().map(String::from) };
        r.events.push((at, actor, event));
    }
    Ok(Some(r))
}
