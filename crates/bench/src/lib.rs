//! Benchmarks and load harnesses for Triage. `cargo bench -p triage-bench` runs the
//! micro-benchmarks; `src/bin/loadtest.rs` drives a real server over HTTP.

pub mod labelled;
pub mod seed;
