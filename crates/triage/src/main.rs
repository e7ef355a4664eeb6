//! `triage`: the command line. Parses arguments, runs one command, maps errors to
//! an exit code. The work is done by the library crates.

/// The allocator the server ships with: jemalloc gives the pages a burst of
/// connections freed back to the system within seconds (glibc's kept them:
/// 3,000 idle connections left +33 MiB after they closed); `scripts/flood.py`
/// measures it (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

mod cli;
mod demo;
mod export;
mod import;
mod import_history;
mod import_shape;
mod policy_check;
mod serve;
mod setup;
mod sla_due;
mod token;
mod train;
mod user;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_closed_output();
    let args = cli::Cli::parse();
    setup::init_tracing(&args);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `triage evaluate | head` and the like: when whoever reads the output stops
/// reading, printing fails ("Broken pipe"); that is the end of the command,
/// not an error, so the process exits quietly instead of panicking.
fn quiet_on_closed_output() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let p = info.payload();
        let msg = p.downcast_ref::<String>().map(String::as_str).or_else(|| p.downcast_ref::<&str>().copied());
        if msg.is_some_and(|m| m.starts_with("failed printing to stdout") && m.contains("Broken pipe")) {
            std::process::exit(0);
        }
        default(info)
    }));
}
