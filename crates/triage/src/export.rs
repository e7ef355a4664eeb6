//! `triage export`: every ticket as one JSON object per line, with the requester's
//! e-mail and the organization's name, the assignee's e-mail, its comments and
//! its event log (people named by e-mail: `agent:ben@x.example`), so `triage
//! import` into another database gives back the same tickets.

use crate::cli::{ExportArgs, Global};
use crate::setup::open_store;
use anyhow::Context;
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;
use triage_core::ticket::Actor;

pub async fn run(g: &Global, a: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(g).await?;
    let mut out: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut emails: HashMap<i64, String> = HashMap::new();
    let mut orgs: HashMap<i64, String> = HashMap::new();
    let mut people = People::default();
    let (mut after, mut count) = (0i64, 0usize);
    loop {
        let chunk = store.tickets_after(after, 1000).await?;
        let Some(last) = chunk.last() else { break };
        after = last.id;
        for t in chunk {
            if !emails.contains_key(&t.requester_id) {
                let c = store.get_contact(t.requester_id).await?;
                emails.insert(c.id, c.email.to_string());
            }
            if !orgs.contains_key(&t.organization_id) {
                let o = store.get_organization(t.organization_id).await?;
                orgs.insert(o.org.id, o.org.name);
            }
            let mut v = serde_json::to_value(&t)?;
            let obj = v.as_object_mut().expect("tickets serialize as objects");
            obj.insert("requester".into(), emails[&t.requester_id].clone().into());
            obj.insert("organization".into(), orgs[&t.organization_id].clone().into());
            if t.external_id.is_none() {
                obj.insert("external_id".into(), format!("triage:{}", t.id).into());
            }
            if let Some(a) = t.assignee_id {
                let who = people.name(&store, Actor::Agent(a)).await?;
                obj.insert("assignee".into(), who.trim_start_matches("agent:").to_string().into());
            }
            let mut comments = Vec::new();
            for c in store.list_comments(t.id, true).await? {
                comments.push(serde_json::json!({
                    "author": people.name(&store, c.author).await?, "kind": c.kind, "body": c.body,
                    "created_at": c.created_at,
                }));
            }
            obj.insert("comments".into(), comments.into());
            let mut events = Vec::new();
            for e in store.list_events(t.id).await? {
                events.push(serde_json::json!({
                    "at": e.at, "actor": people.name(&store, e.actor).await?, "kind": e.kind, "data": e.data,
                    "reason": e.reason,
                }));
            }
            obj.insert("events".into(), events.into());
            serde_json::to_writer(&mut out, &v)?;
            out.write_all(b"\n")?;
            count += 1;
        }
    }
    out.flush()?;
    eprintln!("exported {count} tickets");
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// People by id, as an export names them: `agent:EMAIL`, `contact:EMAIL`, `system`.
#[derive(Default)]
struct People(HashMap<String, String>);

impl People {
    async fn name(&mut self, store: &triage_store::Store, a: Actor) -> anyhow::Result<String> {
        let key = a.to_string();
        if let Some(n) = self.0.get(&key) {
            return Ok(n.clone());
        }
        let n = match a {
            Actor::System => "system".to_string(),
            Actor::Agent(id) => match store.get_agent(id).await {
                Ok(x) => format!("agent:{}", x.email),
                Err(_) => key.clone(),
            },
            Actor::Contact(id) => match store.get_contact(id).await {
                Ok(x) => format!("contact:{}", x.email),
                Err(_) => key.clone(),
            },
        };
        self.0.insert(key, n.clone());
        Ok(n)
    }
}
