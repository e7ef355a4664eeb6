#!/usr/bin/env python3
"""Slow and idle connection floods against one `triage serve` on loopback.

Usage: scripts/flood.py [--triage target/release/triage] [--connections 3000] [--max-connections 1000]

Starts a server on a fresh SQLite file (127.0.0.1, a free port), notes its
resident memory, then:

1. opens N connections that send half a request header and then nothing
   (slowloris) and, while they are open, times GET /healthz (this server's
   --max-connections is set above N, so all N are held);
2. waits for the server to close them (its header timeout) and notes how long
   that took and the memory after;
3. starts it again with --max-connections M, holds M connections, opens 200
   more and counts the ones answered 503 at once.

Prints one JSON line. Bounded: every step has a deadline, the whole run takes
about a minute. Loopback only. Needs `ulimit -n` above N (it raises its own
soft limit to the hard limit).
"""

import argparse
import json
import os
import resource
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def healthz(base, timeout=5.0):
    t = time.monotonic()
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=timeout) as r:
            status = r.status
    except urllib.error.HTTPError as e:
        status = e.code
    except Exception:
        status = 0
    return status, (time.monotonic() - t) * 1000


def open_slow(port, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
        socks.append(s)
    return socks


def wait_closed(socks, deadline):
    """Seconds until the server closed every socket (or None at the deadline)."""
    start = time.monotonic()
    poll = select.poll()
    by_fd = {}
    for s in socks:
        poll.register(s, select.POLLIN | select.POLLHUP | select.POLLERR)
        by_fd[s.fileno()] = s
    while by_fd and time.monotonic() < deadline:
        for fd, _ in poll.poll(500):
            s = by_fd.get(fd)
            if s is None:
                continue
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                poll.unregister(fd)
                del by_fd[fd]
                s.close()
    left = bool(by_fd)
    for s in by_fd.values():
        s.close()
    return None if left else time.monotonic() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--triage", default="target/release/triage", help="the triage binary")
    ap.add_argument("--connections", type=int, default=3000, help="slow connections held at once (step 1)")
    ap.add_argument("--max-connections", type=int, default=1000, help="the limit tested in step 3")
    a = ap.parse_args()
    a.triage = os.path.abspath(a.triage)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    need = max(a.connections, a.max_connections * 2) + 100
    if hard < need:
        sys.exit(f"the open-file limit is {hard}; this run needs {need}")

    d = tempfile.mkdtemp(prefix="triage-flood-")
    srv = subprocess.Popen(
        [a.triage, "--database", f"sqlite://{d}/flood.db", "serve", "--listen", "127.0.0.1:0",
         "--max-connections", str(a.max_connections + a.connections)],
        cwd=d, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "TRIAGE_LOG": "error"},
    )
    out = {}
    try:
        line = srv.stdout.readline()
        port = int(line.split("http://")[1].split()[0].rsplit(":", 1)[1])
        base = f"http://127.0.0.1:{port}"
        for _ in range(20):
            healthz(base)
        out["rss_baseline_mib"] = round(rss_mib(srv.pid), 1)

        # 1. Slowloris.
        socks = open_slow(port, a.connections)
        out["slow_connections"] = len(socks)
        out["rss_with_slow_mib"] = round(rss_mib(srv.pid), 1)
        times = [healthz(base) for _ in range(20)]
        out["healthz_during_status"] = sorted({s for s, _ in times})
        out["healthz_during_p50_ms"] = round(sorted(t for _, t in times)[len(times) // 2], 1)
        closed = wait_closed(socks, time.monotonic() + 30)
        out["slow_closed_after_s"] = None if closed is None else round(closed, 1)
        time.sleep(2)  # the server's own clean-up after the last close
        out["rss_after_mib"] = round(rss_mib(srv.pid), 1)
        out["healthz_after_status"] = healthz(base)[0]
        srv.terminate()
        srv.wait(timeout=10)

        # 3. Over the connection limit: a short 503 and a close, at once.
        srv = subprocess.Popen(
            [a.triage, "--database", f"sqlite://{d}/flood.db", "serve", "--listen", "127.0.0.1:0",
             "--max-connections", str(a.max_connections)],
            cwd=d, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "TRIAGE_LOG": "error"},
        )
        port = int(srv.stdout.readline().split("http://")[1].split()[0].rsplit(":", 1)[1])
        held = open_slow(port, a.max_connections)
        refused = 0
        extra = []
        for _ in range(200):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            extra.append(s)
        for s in extra:
            s.settimeout(5)
            try:
                if s.recv(64).startswith(b"HTTP/1.1 503"):
                    refused += 1
            except OSError:
                pass
            s.close()
        out["over_limit_max_connections"] = a.max_connections
        out["over_limit_tried"] = len(extra)
        out["over_limit_refused_503"] = refused
        for s in held:
            s.close()
    finally:
        srv.kill()
        srv.wait()
        shutil.rmtree(d, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
