//! `triage policy check FILE`: validates a policy and says what to fix.

use std::path::Path;
use std::process::ExitCode;
use triage_core::policy::Policy;

pub async fn run(g: &crate::cli::Global, file: &Path) -> anyhow::Result<ExitCode> {
    let name = file.display().to_string();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{name}: error: cannot read the file: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    match Policy::from_toml(&name, &text) {
        Ok(p) => {
            for w in &p.warnings {
                println!("{}", w.to_string().replacen(": error: ", ": warning: ", 1));
            }
            println!(
                "{name}: ok: policy `{}` version {}: {} levels, {}x{} matrix, {} categories, {} plans, {} SLA policies, {} custom fields",
                p.name,
                p.version,
                p.levels.len(),
                p.matrix.impact.len(),
                p.matrix.urgency.len(),
                p.categories.len(),
                p.plans.len(),
                p.sla_policies.len(),
                p.custom_fields.len()
            );
            let mut warnings = p.warnings.len();
            if g.database.is_some() {
                let store = crate::setup::open_store(g).await?;
                for gap in triage_server::routing::coverage_gaps(&store, &p).await? {
                    println!("{name}: warning: {gap}");
                    warnings += 1;
                }
                store.close().await;
            }
            if warnings > 0 {
                println!("{name}: {warnings} warning(s)");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("{name}: {} error(s)", errors.0.len());
            Ok(ExitCode::from(1))
        }
    }
}
