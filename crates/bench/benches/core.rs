//! Micro-benchmarks of the pure core: `cargo bench -p triage-bench`.

use triage_core::policy::{Policy, BUILTIN_TOML};
use triage_core::priority::severity_priority;

fn main() {
    divan::main();
}

/// Loading and validating the built-in policy (server start, `policy check`).
#[divan::bench]
fn policy_load_and_validate() -> Policy {
    Policy::from_toml("default.toml", divan::black_box(BUILTIN_TOML)).unwrap()
}

/// The severity decision every new ticket gets today.
#[divan::bench]
fn severity_priority_from_matrix(b: divan::Bencher) {
    let p = Policy::builtin();
    b.bench(|| severity_priority(&p, divan::black_box(Some("significant")), divan::black_box(Some("high"))));
}
