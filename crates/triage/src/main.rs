//! `triage`: the command line. Parses arguments, runs one command, maps errors to
//! an exit code. The work is done by the library crates.

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

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
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
