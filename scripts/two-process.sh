#!/usr/bin/env bash
# Two `triage serve` processes on one PostgreSQL share the SLA alarms: the same
# burst drained by one process, then by two, interleaved for the given rounds.
# Every warning and breach is acted on once (sla_burst counts the claims).
# Usage: scripts/two-process.sh [rounds] [tickets]   (one JSON line per run)
# Loopback only (PostgreSQL on 127.0.0.1:5432, user root); about a minute a run.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-1}"
tickets="${2:-62000}"
cargo build --release -q -p triage -p triage-bench
bin="${CARGO_TARGET_DIR:-target}/release"
for r in $(seq 1 "$rounds"); do
  for p in 1 2; do
    "$bin/sla_burst" --backend postgres --tickets "$tickets" --mode drain --processes "$p" 2>/dev/null
  done
done
