//! `triage import FILE`: historic tickets from CSV or JSONL.
//!
//! Rows are checked like API input; a bad row is reported as `FILE:LINE: field:
//! what to fix` and skipped, the rest are stored in batches. A checkpoint after
//! each batch lets an interrupted import resume; rows carry an external id, so a
//! batch replayed after a crash is not stored twice.

use crate::cli::{Global, ImportArgs};
use crate::setup::{load_policy, open_store, open_store_with};
use anyhow::{bail, Context};
use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;
use triage_core::clock::{Clock, SystemClock};
use triage_core::contact::Contact;
use triage_core::email::Email;
use triage_core::organization::ContractOverrides;
use triage_core::policy::Policy;
use triage_core::priority::Override;
use triage_core::ticket::{validate_body, validate_subject, validate_tags, Actor, Channel, NewTicket, Status};
use triage_server::workflow::{prepare, Arrival, NewRequest};
use triage_server::AppState;
use triage_store::{NewOrganization, Store, StoreError};

/// The fields a row may carry.
const FIELDS: &[&str] = &[
    "subject",
    "body",
    "requester",
    "organization",
    "category",
    "impact",
    "urgency",
    "priority",
    "status",
    "channel",
    "tags",
    "custom_fields",
    "created_at",
    "external_id",
    "id",
];

const DEFAULT_REQUESTER: &str = "import@triage.local";
const DEFAULT_ORGANIZATION: &str = "Imported tickets";

/// One input row: its line, the byte offset after it, and its fields.
type Row = anyhow::Result<(u64, u64, Map<String, Value>)>;

struct Rejected {
    line: u64,
    field: String,
    message: String,
}

struct Ctx<'a> {
    store: &'a Store,
    policy: &'a Policy,
    /// The server's workflow state: rows go through the intake every channel
    /// shares (`triage_server::workflow::prepare`).
    state: AppState,
    now: DateTime<Utc>,
    source: String,
    contacts: HashMap<String, Contact>,
    orgs: HashMap<String, i64>,
}

pub async fn run(g: &Global, a: ImportArgs) -> anyhow::Result<ExitCode> {
    let policy = match load_policy(g) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let name = a.file.display().to_string();
    let mut map: HashMap<String, String> = HashMap::new();
    for m in &a.map {
        let Some((field, column)) = m.split_once('=') else {
            bail!("--map {m}: write FIELD=COLUMN, e.g. --map subject=title")
        };
        if !FIELDS.contains(&field) {
            bail!("--map {m}: `{field}` is not a ticket field; use one of: {}", FIELDS.join(", "));
        }
        map.insert(column.to_string(), field.to_string());
    }
    let file = std::fs::File::open(&a.file).with_context(|| format!("cannot open {name}"))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let jsonl = name.ends_with(".jsonl") || name.ends_with(".ndjson");
    if !jsonl && !name.ends_with(".csv") {
        bail!("{name}: use a .csv file (with a header row) or a .jsonl file");
    }
    let store = if a.create {
        let store = open_store_with(g, triage_store::StoreOptions::default()).await?;
        if store.created() {
            eprintln!("created a new Triage database at {}", g.database());
        }
        store
    } else {
        open_store(g).await?
    };
    let key = std::fs::canonicalize(&a.file).map(|p| p.display().to_string()).unwrap_or(name.clone());
    let done_before = if a.restart { 0 } else { store.import_progress(&key).await? };
    if done_before > 0 {
        eprintln!("{name}: resuming after {done_before} rows (use --restart to start over)");
    }
    let stem = a.file.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "import".into());
    let mut ctx = Ctx {
        store: &store,
        policy: &policy,
        now: SystemClock.now(),
        source: stem,
        contacts: HashMap::new(),
        orgs: HashMap::new(),
        state: workflow_state(&store, &policy).await?,
    };

    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} [{bar:30}] {per_sec} {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );

    // Rows come as (line, byte offset after the row, fields).
    let rows: Box<dyn Iterator<Item = Row>> = if jsonl {
        let reader = std::io::BufReader::new(file);
        let mut offset = 0u64;
        // Lines as bytes: one that is not UTF-8 is a rejected row, not the end.
        Box::new(reader.split(b'\n').enumerate().filter_map(move |(i, line)| {
            let bytes = match line {
                Ok(l) => l,
                Err(e) => return Some(Err(e.into())),
            };
            offset += bytes.len() as u64 + 1;
            let line = match String::from_utf8(bytes) {
                Ok(l) => l,
                Err(_) => return Some(Ok((i as u64 + 1, offset, error_row("the line is not valid UTF-8")))),
            };
            if line.trim().is_empty() {
                return None;
            }
            let parsed = serde_json::from_str::<Value>(&line);
            let fields = match parsed {
                Ok(Value::Object(m)) => m,
                Ok(_) => {
                    let mut m = Map::new();
                    m.insert("__error".into(), Value::String("the line is not a JSON object".into()));
                    m
                }
                Err(e) => {
                    let mut m = Map::new();
                    m.insert("__error".into(), Value::String(format!("the line is not valid JSON: {e}")));
                    m
                }
            };
            Some(Ok((i as u64 + 1, offset, fields)))
        }))
    } else {
        // Flexible: a row of the wrong width is a rejected row (below), not
        // an error that ends the run.
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let headers = reader.headers().with_context(|| format!("{name}: cannot read the header row"))?.clone();
        // A mapped column the file does not have would map nothing, silently.
        for (column, field) in &map {
            if !headers.iter().any(|h| h == column) {
                let cols: Vec<&str> = headers.iter().collect();
                bail!(
                    "{name}:1: --map {field}={column}: the file has no column `{column}`; its columns are: {}",
                    cols.join(", ")
                );
            }
        }
        Box::new(reader.into_byte_records().map(move |r| {
            let r = match r {
                Ok(r) => r,
                Err(e) => match e.position() {
                    // A row the parser could not read: rejected, the run goes on.
                    Some(p) if !matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                        return Ok((p.line(), p.byte(), error_row(&format!("the row cannot be read: {e}"))))
                    }
                    _ => return Err(anyhow::anyhow!("{e}")),
                },
            };
            let pos = r.position().map(|p| (p.line(), p.byte())).unwrap_or((0, 0));
            if r.len() != headers.len() {
                let why = format!("the row has {} fields where the header has {}", r.len(), headers.len());
                return Ok((pos.0, pos.1, error_row(&why)));
            }
            let mut m = Map::new();
            for (h, v) in headers.iter().zip(r.iter()) {
                let Ok(v) = std::str::from_utf8(v) else {
                    return Ok((pos.0, pos.1, error_row(&format!("column `{h}` is not valid UTF-8"))));
                };
                m.insert(h.to_string(), Value::String(v.to_string()));
            }
            Ok((pos.0, pos.1, m))
        }))
    };

    let (mut seen, mut imported, mut already, mut rejected) = (0i64, 0usize, 0usize, 0usize);
    let mut batch: Vec<NewTicket> = Vec::new();
    // Histories of exported tickets, written once their tickets are stored.
    let mut histories: Vec<(String, triage_store::Restored)> = Vec::new();
    let mut people = crate::import_history::People::default();
    let mut stopped = false;
    for row in rows {
        let (line, offset, mut fields) = match row {
            Ok(r) => r,
            Err(e) => {
                // The file itself cannot be read on (an I/O error): say so,
                // and exit non-zero below.
                bar.suspend(|| eprintln!("{name}: error: {e}; stopping (rows before it are kept, rerun to resume)"));
                stopped = true;
                break;
            }
        };
        seen += 1;
        bar.set_position(offset);
        if seen <= done_before {
            continue;
        }
        for (column, field) in &map {
            if let Some(v) = fields.remove(column) {
                fields.insert(field.clone(), v);
            }
        }
        // A JSONL line holds what an export writes, each field of its type.
        if jsonl && !fields.contains_key("__error") {
            if let Err((field, message)) = crate::import_shape::check(&fields) {
                rejected += 1;
                bar.suspend(|| eprintln!("{name}:{line}: {field}: {message}"));
                continue;
            }
        }
        match to_ticket(&mut ctx, line, &fields).await {
            Ok(t) => {
                match crate::import_history::restored(&store, &mut people, &fields, t.organization_id, ctx.now).await {
                    Ok(Some(h)) => histories.push((t.external_id.clone().unwrap_or_default(), h)),
                    Ok(None) => {}
                    Err((field, message)) => {
                        rejected += 1;
                        bar.suspend(|| eprintln!("{name}:{line}: {field}: {message}"));
                        continue;
                    }
                }
                batch.push(t)
            }
            Err(r) => {
                rejected += 1;
                bar.suspend(|| eprintln!("{name}:{}: {}: {}", r.line, r.field, r.message));
            }
        }
        if batch.len() >= a.batch.max(1) {
            let n = batch.len();
            let added = store.insert_tickets(&batch).await?;
            imported += added;
            already += n - added;
            batch.clear();
            restore(&store, &mut histories).await?;
            store.set_import_progress(&key, seen, ctx.now).await?;
            bar.set_message(format!("{imported} imported"));
        }
    }
    if !batch.is_empty() {
        let n = batch.len();
        let added = store.insert_tickets(&batch).await?;
        imported += added;
        already += n - added;
        restore(&store, &mut histories).await?;
    }
    store.set_import_progress(&key, seen, ctx.now).await?;
    bar.finish_and_clear();
    eprintln!(
        "{name}: {imported} imported, {already} already present, {rejected} rejected, {} skipped as done before",
        done_before.min(seen)
    );
    store.close().await;
    Ok(if stopped || (a.strict && rejected > 0) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The state the server's workflow runs on, for this run: the active
/// categorization models fill the fields a file leaves empty, and routing
/// knows who works and their open work, to push the live rows.
async fn workflow_state(store: &Store, policy: &Policy) -> anyhow::Result<AppState> {
    let (_, skipped) = store.intake_models(policy).await?;
    for (target, id, why) in skipped {
        eprintln!("note: model {id} (`{target}`) is not used to fill fields: {why}");
    }
    let state = AppState::new(store.clone(), policy.clone(), Arc::new(SystemClock));
    triage_server::categorize::reload(&state).await?;
    state.routing.refresh(&state).await?;
    Ok(state)
}

/// A row that could not be read, carried to the rejection report with its line.
fn error_row(why: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("__error".into(), Value::String(why.into()));
    m
}

/// Writes the stored tickets' exported histories (a ticket stored before, in a
/// run that stopped, gets its history again: the write replaces, never adds twice
/// to the log; its comments are only added when it has none).
async fn restore(store: &Store, histories: &mut Vec<(String, triage_store::Restored)>) -> anyhow::Result<()> {
    for (external, mut h) in histories.drain(..) {
        let id = store.ticket_id_by_external(&external).await?;
        if !store.list_comments(id, true).await?.is_empty() {
            h.comments.clear();
        }
        store.restore_ticket(id, &h).await?;
    }
    Ok(())
}

fn text(fields: &Map<String, Value>, key: &str) -> Option<String> {
    match fields.get(key)? {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.trim().to_string()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

async fn to_ticket(ctx: &mut Ctx<'_>, line: u64, f: &Map<String, Value>) -> Result<NewTicket, Rejected> {
    let rej = |field: &str, message: String| Rejected { line, field: field.into(), message };
    if let Some(Value::String(e)) = f.get("__error") {
        return Err(rej("line", e.clone()));
    }
    let body_raw = text(f, "body").ok_or_else(|| rej("body", "is empty; every ticket needs a body".into()))?;
    let body = validate_body(&body_raw).map_err(|e| rej("body", e.message))?;
    let subject_raw = text(f, "subject").unwrap_or_else(|| {
        // Historic tickets without a subject: use the start of the body.
        let mut s: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.chars().count() > 80 {
            s = s.chars().take(77).collect::<String>() + "...";
        }
        s
    });
    let subject = validate_subject(&subject_raw).map_err(|e| rej("subject", e.message))?;
    let p = ctx.policy;
    let category = text(f, "category");
    if let Some(c) = &category {
        p.check_category(c).map_err(|e| rej("category", e.message))?;
    }
    let impact = text(f, "impact");
    if let Some(v) = &impact {
        p.check_impact(v).map_err(|e| rej("impact", e.message))?;
    }
    let urgency = text(f, "urgency");
    if let Some(v) = &urgency {
        p.check_urgency(v).map_err(|e| rej("urgency", e.message))?;
    }
    let status = match text(f, "status") {
        Some(s) => s.parse::<Status>().map_err(|e| rej("status", e))?,
        None => Status::Closed,
    };
    let channel = match text(f, "channel") {
        Some(s) => s.parse::<Channel>().map_err(|e| rej("channel", e))?,
        None => Channel::Import,
    };
    let tags: Vec<String> = match f.get("tags") {
        Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(|t| t.trim().to_string())).collect(),
        Some(Value::String(s)) => s.split(';').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect(),
        _ => vec![],
    };
    let tags = validate_tags(&tags).map_err(|e| rej(&e.field, e.message))?;
    let custom_fields = match f.get("custom_fields") {
        Some(Value::Object(m)) => m.clone().into_iter().collect(),
        Some(Value::String(s)) if !s.trim().is_empty() => {
            serde_json::from_str(s).map_err(|e| rej("custom_fields", format!("must be a JSON object: {e}")))?
        }
        _ => Default::default(),
    };
    p.check_custom_fields(&custom_fields).map_err(|e| rej(&e.field, e.message))?;
    let created_at = match text(f, "created_at") {
        Some(s) => parse_time(&s).ok_or_else(|| {
            rej(
                "created_at",
                format!("`{s}` is not a time in the years 1970-9999; use RFC 3339, e.g. 2026-03-01T09:30:00Z"),
            )
        })?,
        None => ctx.now,
    };
    let recorded_level = match text(f, "priority") {
        Some(level) => {
            p.check_level(&level).map_err(|e| rej("priority", e.message))?;
            Some(level)
        }
        None => None,
    };
    let requester = text(f, "requester").unwrap_or_else(|| DEFAULT_REQUESTER.into());
    let email = Email::parse(&requester).map_err(|e| rej("requester", e.message))?;
    let organization = text(f, "organization");
    let requester = ctx.contact(&email, organization.as_deref()).await.map_err(|m| rej("requester", m))?;
    let external_id = match (text(f, "external_id"), text(f, "id")) {
        (Some(x), _) => x,
        (None, Some(id)) => format!("{}:{id}", ctx.source),
        (None, None) => format!("{}:line{line}", ctx.source),
    };
    // A Triage export carries its predictions and history (restored after the
    // ticket is stored): it is history, whatever its status.
    let exported = f.contains_key("predictions") || f.contains_key("events");
    let arrival = if exported || matches!(status, Status::Solved | Status::Closed) {
        Arrival::Historic { recorded_level: recorded_level.clone() }
    } else {
        Arrival::Live
    };
    let over = match (&arrival, recorded_level) {
        (Arrival::Live, Some(level)) => Some(Override {
            reason: format!("priority {level} as recorded in the source system"),
            level,
            by: Actor::System.to_string(),
        }),
        _ => None,
    };
    let req = NewRequest {
        subject,
        body,
        channel,
        requester,
        category,
        impact,
        urgency,
        tags,
        custom_fields,
        over,
        assignee_id: None,
        external_id: Some(external_id),
        suggested: Default::default(),
        idempotency: None,
        predictions: exported.then(Default::default),
        created_at,
        status,
        actor: Actor::System,
    };
    let live = arrival == Arrival::Live;
    let prepared = prepare(&ctx.state, req, arrival).await.map_err(|e| rej("line", format!("{e:?}")))?;
    let t = prepared.ticket;
    if let (true, Some(agent)) = (live, t.assignee_id) {
        // The next live row sees this one's agent busier, as the server would.
        ctx.state.routing.assigned(ctx.policy, agent, t.level(), ctx.now.timestamp_millis());
    }
    Ok(t)
}

/// A time as the API takes one: in the years 1970 to 9999.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    parse_any_time(s).filter(|t| (1970..=9999).contains(&t.year()))
}

/// RFC 3339, or `YYYY-MM-DD HH:MM:SS` in UTC.
fn parse_any_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok().map(|n| n.and_utc())
}

impl Ctx<'_> {
    /// The contact with this e-mail, created (with its organization) when new.
    async fn contact(&mut self, email: &Email, org: Option<&str>) -> Result<Contact, String> {
        if let Some(c) = self.contacts.get(email.as_str()) {
            return Ok(c.clone());
        }
        let found = match self.store.get_contact_by_email(email).await {
            Ok(c) => c,
            Err(StoreError::NotFound) => {
                let org_name =
                    org.unwrap_or(if email.as_str() == DEFAULT_REQUESTER { DEFAULT_ORGANIZATION } else { "" });
                if org_name.is_empty() {
                    return Err(format!(
                        "no contact has e-mail {email}; add an `organization` column so the import can create it"
                    ));
                }
                let org_id = self.organization(org_name).await?;
                let name = email.as_str().split('@').next().unwrap_or("customer").to_string();
                self.store.create_contact(org_id, &name, email, self.now).await.map_err(|e| e.to_string())?
            }
            Err(e) => return Err(e.to_string()),
        };
        self.contacts.insert(email.as_str().to_string(), found.clone());
        Ok(found)
    }

    async fn organization(&mut self, name: &str) -> Result<i64, String> {
        if let Some(id) = self.orgs.get(name) {
            return Ok(*id);
        }
        let id = match self.store.get_organization_by_name(name).await {
            Ok(r) => r.org.id,
            Err(StoreError::NotFound) => {
                let seg = &self.policy.segments;
                let new = NewOrganization {
                    name: name.to_string(),
                    account_type: seg.account_types.first().cloned().unwrap_or_default(),
                    vip: false,
                    customer_category: seg.customer_categories.first().cloned().unwrap_or_default(),
                    persona: None,
                    contract: ContractOverrides::default(),
                    annual_value: 0.0,
                    seats: 0,
                    timezone: "UTC".into(),
                    owner_id: None,
                };
                self.store
                    .create_organization(&new, None, &Actor::System.to_string(), self.now)
                    .await
                    .map_err(|e| e.to_string())?
                    .org
                    .id
            }
            Err(e) => return Err(e.to_string()),
        };
        self.orgs.insert(name.to_string(), id);
        Ok(id)
    }
}
