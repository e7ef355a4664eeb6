#!/usr/bin/env python3
"""Kill -9 under load: no acknowledged ticket is lost.

Usage: scripts/kill9.py [--backend sqlite|postgres] [--rounds 3] [--triage target/release/triage]

Starts `triage serve` on a fresh database (loopback, a free port), creates
tickets from 16 client threads, kills the server with SIGKILL while they
write, starts it again on the same database, and checks that every ticket the
server answered 201 to is there, with the subject it was sent. Repeats for
--rounds kills. PostgreSQL: a new database on 127.0.0.1:5432 (user root),
dropped at the end. Prints one JSON line. Bounded: about 10 s a round.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

TOKEN = "kill9-test-token"


def call(base, method, path, body=None, timeout=10):
    req = urllib.request.Request(base + path, method=method)
    req.add_header("Authorization", f"Bearer {TOKEN}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, data=data, timeout=timeout) as r:
        return r.status, json.loads(r.read() or b"null")


def start(triage, url, cwd):
    p = subprocess.Popen(
        [triage, "--database", url, "serve", "--listen", "127.0.0.1:0"],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "TRIAGE_ADMIN_TOKEN": TOKEN, "TRIAGE_LOG": "error"},
    )
    line = p.stdout.readline()
    port = int(line.split("http://")[1].split()[0].rsplit(":", 1)[1])
    return p, f"http://127.0.0.1:{port}"


def writer(base, n, acked, stop, lock):
    i = 0
    while not stop.is_set():
        i += 1
        subject = f"kill9 client {n} ticket {i}"
        try:
            status, t = call(base, "POST", "/api/v1/tickets", {
                "subject": subject, "body": "Written while the server is killed.",
                "requester_email": "k@kill9.example", "category": "cards",
                "impact": "moderate", "urgency": "high"}, timeout=5)
        except Exception:
            continue  # not acknowledged: may or may not be stored
        if status == 201:
            with lock:
                acked[t["id"]] = subject


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", default="sqlite")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--triage", default="target/release/triage")
    a = ap.parse_args()
    triage = os.path.abspath(a.triage)
    d = tempfile.mkdtemp(prefix="triage-kill9-")
    pg = None
    if a.backend == "postgres":
        pg = f"triage_kill9_{os.getpid()}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "root", "-d", "test", "-qc", f"CREATE DATABASE {pg}"], check=True)
        url = f"postgres://root@127.0.0.1:5432/{pg}"
    else:
        url = f"sqlite://{d}/kill9.db"
    acked, lock = {}, threading.Lock()
    out = {"backend": a.backend, "rounds": a.rounds}
    srv, base = start(triage, url, d)
    try:
        org = call(base, "POST", "/api/v1/organizations", {"name": "Kill9 Co", "account_type": "pro", "plan": "standard"})[1]
        call(base, "POST", "/api/v1/contacts", {"organization_id": org["id"], "name": "K", "email": "k@kill9.example"})
        for _ in range(a.rounds):
            stop = threading.Event()
            threads = [threading.Thread(target=writer, args=(base, n, acked, stop, lock)) for n in range(16)]
            for t in threads:
                t.start()
            time.sleep(3)  # writing under load when the kill comes
            srv.send_signal(signal.SIGKILL)
            srv.wait()
            stop.set()
            for t in threads:
                t.join()
            srv, base = start(triage, url, d)
        # Every acknowledged ticket is there, as sent.
        lost, wrong = [], []
        for tid, subject in sorted(acked.items()):
            try:
                _, t = call(base, "GET", f"/api/v1/tickets/{tid}")
            except urllib.error.HTTPError:
                lost.append(tid)
                continue
            if t["subject"] != subject:
                wrong.append(tid)
        out.update({"acknowledged": len(acked), "lost": len(lost), "changed": len(wrong)})
    finally:
        srv.kill()
        srv.wait()
        shutil.rmtree(d, ignore_errors=True)
        if pg:
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "root", "-d", "test", "-qc", f"DROP DATABASE IF EXISTS {pg}"])
    print(json.dumps(out))
    if out.get("lost") or out.get("changed"):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
