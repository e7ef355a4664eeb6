#!/usr/bin/env bash
# The API description against the server: the OpenAPI document must validate
# (openapi-spec-validator), and schemathesis drives a demo server from it for
# 60 seconds. Usage: scripts/api-conformance.sh PATH-TO-TRIAGE-BINARY
#
# Checks run: schemathesis's defaults. Every response conforms to the document
# (status codes, content types, headers, bodies), the server never fails (5xx),
# a request the schemas allow is not refused as invalid, and one they do not
# allow is refused: the server publishes its validation rules in the document
# (crates/server/src/api/openapi_rules.rs). One check is off for one operation,
# with the reason, in scripts/schemathesis.toml.
# Excluded: what could lock the run out of its own token (revoking it,
# deactivating or deleting its admin once schemathesis has made another).
set -euo pipefail
bin="$(realpath "$1")"
work="$(mktemp -d)"
token="trg_conformance_$(date +%s)_$$"
python3 -m pip install -q --disable-pip-version-check openapi-spec-validator schemathesis >/dev/null 2>&1 ||
  python3 -m pip install -q --disable-pip-version-check openapi-spec-validator schemathesis
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
# A port of its own (0: the system picks a free one); the server says which.
(cd "$work" && TRIAGE_ADMIN_TOKEN="$token" TRIAGE_LOG=warn exec "$bin" --database "sqlite://$work/triage.db" \
  serve --demo --listen 127.0.0.1:0 >"$work/serve.log" 2>&1) &
pid=$!
base=""
for _ in $(seq 1 300); do
  base="$(grep -o 'listening on http://[0-9.:]*' "$work/serve.log" 2>/dev/null | head -n1 | sed 's/listening on //')" || true
  [ -n "$base" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 1
done
[ -n "$base" ] || { echo "the demo server did not start"; cat "$work/serve.log"; exit 1; }
curl -fs "$base/api/v1/openapi.json" -o "$work/openapi.json"
# The run's token works before it starts (an admin's).
curl -fs -H "Authorization: Bearer $token" "$base/api/v1/me" | grep -q '"role":"admin"' ||
  { echo "the admin token does not work"; cat "$work/serve.log"; exit 1; }
python3 -c "
import json, sys
from openapi_spec_validator import validate
validate(json.load(open(sys.argv[1])))
print('openapi.json: valid')" "$work/openapi.json"
here="$(cd "$(dirname "$0")" && pwd)"
schemathesis --config-file "$here/schemathesis.toml" run "$base/api/v1/openapi.json" \
  -H "Authorization: Bearer $token" \
  --exclude-name 'DELETE /api/v1/tokens/{id}' \
  --exclude-name 'PATCH /api/v1/agents/{id}' \
  --exclude-name 'DELETE /api/v1/agents/{id}' \
  --max-time 60 --workers 1 --seed 1
