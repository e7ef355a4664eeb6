#!/usr/bin/env python3
"""Who may do what: every API operation asked by every kind of caller.

Usage: scripts/authz_matrix.py [--triage target/release/triage]

Starts `triage serve --demo` on a fresh SQLite file (loopback, a free port)
and asks each operation of the API as seven callers: no token, an admin, an
agent, a customer, a customer of another organization, an admin demoted to
agent (with the token minted while admin) and a deactivated agent. Each answer
is checked against the table below: a caller allowed must not get 401/403; a
caller not allowed must never get a 2xx (it gets 401, 403, a 404 for another
organization's thing, or a 4xx for a body the server checked first: those are
counted apart). A customer of another organization may do what customers may,
on their own organization, but nothing on the first one's ticket, contact or
organization. Writes that would destroy demo data are asked only
of the callers that must be refused. Prints one JSON line; exits 1 on any
mismatch, listing them. Bounded: about half a minute.
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request

ADMIN = "authz-matrix-admin"

# (method, path, allowed callers, destructive). Callers: A admin, G agent,
# C customer (own organization). `{t}` is a ticket of the customer's
# organization, `{o}` that organization, `{c}` the customer, `{g}` an agent.
OPS = [
    ("GET", "/api/v1/me", "AGC", False),
    ("GET", "/api/v1/agents", "AG", False),
    ("GET", "/api/v1/agents/{g}", "AG", False),
    ("POST", "/api/v1/agents", "A", False),
    ("PATCH", "/api/v1/agents/{g}", "A", True),
    ("DELETE", "/api/v1/agents/{g}", "A", True),
    ("GET", "/api/v1/contacts", "AGC", False),
    ("GET", "/api/v1/contacts/{c}", "AGC", False),
    ("POST", "/api/v1/contacts", "AG", False),
    ("PATCH", "/api/v1/contacts/{c}", "AG", True),
    ("DELETE", "/api/v1/contacts/{c}", "A", True),
    ("POST", "/api/v1/contacts/{c}/erase", "A", True),
    ("GET", "/api/v1/notifications", "AG", False),
    ("GET", "/api/v1/organizations", "AGC", False),
    ("GET", "/api/v1/organizations/{o}", "AGC", False),
    ("POST", "/api/v1/organizations", "AG", False),
    ("PATCH", "/api/v1/organizations/{o}", "AG", True),
    ("DELETE", "/api/v1/organizations/{o}", "A", True),
    ("GET", "/api/v1/organizations/{o}/plan", "AG", False),
    ("POST", "/api/v1/organizations/{o}/plan", "A", True),
    ("GET", "/api/v1/plans", "AGC", False),
    ("POST", "/api/v1/plans", "A", False),
    ("GET", "/api/v1/policy", "AG", False),
    ("GET", "/api/v1/queue", "AG", False),
    ("POST", "/api/v1/queue/next", "AG", True),
    ("GET", "/api/v1/reports/sla", "AG", False),
    ("GET", "/api/v1/reports/routing", "AG", False),
    ("GET", "/api/v1/reports/predictions", "AG", False),
    ("GET", "/api/v1/triage", "AG", False),
    ("GET", "/api/v1/tickets", "AGC", False),
    ("GET", "/api/v1/tickets/{t}", "AGC", False),
    ("POST", "/api/v1/tickets", "AGC", False),
    ("PATCH", "/api/v1/tickets/{t}", "AG", True),
    ("GET", "/api/v1/tickets/{t}/comments", "AGC", False),
    ("POST", "/api/v1/tickets/{t}/comments", "AGC", False),
    ("POST", "/api/v1/tickets/{t}/escalate", "AG", True),
    ("GET", "/api/v1/tickets/{t}/events", "AG", False),
    ("GET", "/api/v1/tickets/{t}/priority", "AG", False),
    ("GET", "/api/v1/tickets/{t}/sla", "AG", False),
    ("GET", "/api/v1/tokens", "A", False),
    ("POST", "/api/v1/tokens", "A", False),
]

# Each caller's letter in the table (None: allowed nowhere).
CALLERS = {
    "none": None,
    "admin": "A",
    "agent": "G",
    "customer": "C",
    "other_customer": "X",
    "demoted_admin": "G",
    "deactivated_agent": None,
}


def call(base, method, path, token, body=None):
    req = urllib.request.Request(base + path, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, data=data, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None


def body_for(method, path, n):
    if method not in ("POST", "PATCH"):
        return None
    if path == "/api/v1/tickets":
        return {"subject": f"Matrix {n}", "body": "Asked by the authorization matrix."}
    if path.endswith("/comments"):
        return {"body": f"Matrix comment {n}", "kind": "public"}
    if path == "/api/v1/agents":
        return {"name": "Matrix", "email": f"matrix{n}@support.example", "role": "agent", "team": "payments", "tier": "L1"}
    if path == "/api/v1/contacts":
        return {"organization_id": 1, "name": "Matrix", "email": f"matrix{n}@northwind.example"}
    if path == "/api/v1/organizations":
        return {"name": f"Matrix Co {n}", "account_type": "pro"}
    if path == "/api/v1/plans":
        return {"name": f"matrix{n}", "price_cents": 100, "channels": ["email"], "sla_policy": "basic"}
    if path.endswith("/plan"):
        return {"plan": "premium"}
    if path.endswith("/escalate"):
        return {"to": "L2", "what_was_tried": "matrix", "what_is_needed": "matrix"}
    if path == "/api/v1/tokens":
        return {"role": "agent", "user": "ana@support.example", "label": f"matrix {n}"}
    return {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--triage", default="target/release/triage", help="the triage binary")
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="triage-authz-")
    srv = subprocess.Popen(
        [os.path.abspath(a.triage), "--database", f"sqlite://{d}/authz.db", "serve", "--demo", "--listen", "127.0.0.1:0"],
        cwd=d, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "TRIAGE_ADMIN_TOKEN": ADMIN, "TRIAGE_LOG": "error"},
    )
    try:
        line = ""
        while "http://" not in line:
            line = srv.stdout.readline()
        base = "http://" + line.split("http://")[1].split()[0]

        def token(role, user):
            s, t = call(base, "POST", "/api/v1/tokens", ADMIN, {"role": role, "user": user, "label": f"matrix {user}"})
            assert s == 201, (role, user, s)
            return t["token"]

        # Callers and the things they ask about.
        _, agents = call(base, "GET", "/api/v1/agents?limit=50", ADMIN)
        agent = next(x for x in agents["items"] if x["role"] == "agent" and x["active"])
        _, made = call(base, "POST", "/api/v1/agents", ADMIN, {"name": "Boss", "email": "boss@support.example", "role": "admin", "team": "payments", "tier": "L1"})
        _, gone = call(base, "POST", "/api/v1/agents", ADMIN, {"name": "Gone", "email": "gone@support.example", "role": "agent", "team": "payments", "tier": "L1"})
        tokens = {
            "none": None,
            "admin": ADMIN,
            "agent": token("agent", agent["email"]),
            "customer": token("customer", "greta@northwind.example"),
            "other_customer": token("customer", "maria@globex.example"),
            "demoted_admin": token("admin", "boss@support.example"),
            "deactivated_agent": token("agent", "gone@support.example"),
        }
        assert call(base, "PATCH", f"/api/v1/agents/{made['id']}", ADMIN, {"role": "agent"})[0] == 200
        assert call(base, "PATCH", f"/api/v1/agents/{gone['id']}", ADMIN, {"active": False})[0] == 200
        _, mine = call(base, "GET", "/api/v1/tickets?limit=1", tokens["customer"])
        ids = {"t": mine["items"][0]["id"], "o": 1, "c": 1, "g": agent["id"]}

        asked, mismatches, checked_first, n = 0, [], [], 0
        for method, path, allowed, destructive in OPS:
            url = path.format(**ids)
            for who, letter in CALLERS.items():
                scoped = any(k in path for k in ("{t}", "{o}", "{c}"))
                ok = letter is not None and (letter in allowed or (letter == "X" and "C" in allowed and not scoped))
                if ok and destructive:
                    continue  # would change the demo under the others' feet
                n += 1
                status, _ = call(base, method, url, tokens[who], body_for(method, path, n))
                asked += 1
                if ok and status in (401, 403):
                    mismatches.append(f"{method} {url} as {who}: {status} (should be allowed)")
                elif not ok and 200 <= status < 300:
                    mismatches.append(f"{method} {url} as {who}: {status} (should be refused)")
                elif not ok and status not in (401, 403, 404):
                    checked_first.append(f"{method} {url} as {who}: {status}")
        out = {"operations": len(OPS), "callers": len(CALLERS), "asked": asked, "mismatches": len(mismatches),
               "refused_after_checking_the_body": len(checked_first)}
        print(json.dumps(out))
        for m in mismatches:
            print("mismatch:", m)
        for m in checked_first:
            print("refused after checking the body:", m)
        if mismatches:
            raise SystemExit(1)
    finally:
        srv.kill()
        srv.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
