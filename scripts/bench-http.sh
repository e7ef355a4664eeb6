#!/usr/bin/env bash
# HTTP ticket-creation throughput, group commit vs one commit per ticket, on
# SQLite and PostgreSQL, interleaved so machine drift hits both alike.
# Usage: scripts/bench-http.sh [rounds] [tickets]   (prints one JSON line per run)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
tickets="${2:-20000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/triage-target}"
cargo build --release -q -p triage -p triage-bench
bin="$CARGO_TARGET_DIR/release"
for r in $(seq 1 "$rounds"); do
  for backend in sqlite postgres; do
    "$bin/loadtest" --json --backend "$backend" --clients 32 --tickets "$tickets" 2>/dev/null
    "$bin/loadtest" --json --backend "$backend" --clients 32 --tickets "$tickets" --ticket-batch 1 --max-seconds 40 2>/dev/null
  done
done
