//! `triage export`: every ticket as one JSON object per line, with the requester's
//! e-mail and the organization's name, so `triage import` can read it back.

use crate::cli::{ExportArgs, Global};
use crate::setup::open_store;
use anyhow::Context;
use std::collections::HashMap;
use std::io::Write;
use std::process::ExitCode;

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
