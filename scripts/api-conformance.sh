#!/usr/bin/env bash
# The API description against the server: the OpenAPI document must validate
# (openapi-spec-validator), and schemathesis drives a demo server from it for
# 60 seconds. Usage: scripts/api-conformance.sh PATH-TO-TRIAGE-BINARY
#
# Checks run: every response conforms to the document (status codes, content
# types, headers, bodies) and the server never fails (5xx). Left out for now,
# named in the issue that asks for them: schemathesis's
# positive_data_acceptance / negative_data_rejection, which need every
# validation rule (name lengths, e-mail syntax, the policy's own values, state
# rules such as a closed ticket being final) written into the schemas.
# DELETE /api/v1/tokens/{id} is excluded: it would revoke the token the run uses.
set -euo pipefail
bin="$(realpath "$1")"
work="$(mktemp -d)"
port="${TRIAGE_CONFORMANCE_PORT:-18099}"
token="trg_conformance_$(date +%s)_$$"
python3 -m pip install -q --disable-pip-version-check openapi-spec-validator schemathesis >/dev/null 2>&1 ||
  python3 -m pip install -q --disable-pip-version-check openapi-spec-validator schemathesis
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
(cd "$work" && TRIAGE_ADMIN_TOKEN="$token" TRIAGE_LOG=warn "$bin" --database "sqlite://$work/triage.db" \
  serve --demo --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1) &
pid=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "http://127.0.0.1:$port/api/v1/openapi.json" -o "$work/openapi.json"
python3 -c "
import json, sys
from openapi_spec_validator import validate
validate(json.load(open(sys.argv[1])))
print('openapi.json: valid')" "$work/openapi.json"
schemathesis run "http://127.0.0.1:$port/api/v1/openapi.json" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --exclude-path '/api/v1/tokens/{id}' \
  --max-time 60 --workers 2 --seed 1
