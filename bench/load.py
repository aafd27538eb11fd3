"""Load under attack: normal clients, runaway-query clients and slow connections at once, against the production
server on loopback.

- ``--clients`` normal clients (default 16) browse – home, measure pages in HTML and Turtle, the facet list, search,
  a measure's URI dereferenced to Turtle (the 303 and the document it points to), the Drucksache resolver – and run
  typical SPARQL queries: "sparql-repeated" sends the same four texts again and again (after the first, answers from
  the endpoint's cache), "sparql-fresh" makes each text unique (the engine runs every one; `--no-cache` switches the
  cache off, KG_QUERY_CACHE_MB=0). Each client sends from its own loopback address (127.0.2.x), so the server sees
  them as different clients.
- ``--runaway`` clients (default 20, 127.0.1.x) send runaway queries back to back; every one must be stopped (429/503).
- ``--slow`` connections (default 40, 127.0.3.x) are slowloris: a request header sent one line every few seconds,
  never finished.

The attack starts ``--head-start`` seconds before the normal clients (an attack under way when people come; clients
arriving in the same instant as a swarm of new ones cannot be told apart before their queries have run). Reports per
kind of request: count, errors, p50, p99; and the peak resident memory of the whole server (master, web workers,
their query processes). Normal requests must have 0 errors.

    .venv/bin/python bench/load.py [--seconds 60] [--clients 16] [--runaway 20] [--slow 40] [--build build]

First the same normal clients run alone for as long (the baseline, same machine, same run; --no-baseline skips it),
then under attack; the ratios compare the two.

Bounded in count and time, loopback only. tests/load/test_load.py runs a 10-second version in CI.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://integration.region-hannover.example/"
PREFIX = f"PREFIX ik: <{BASE}def/ik#> PREFIX dcterms: <http://purl.org/dc/terms/> "
QUERIES = [
    PREFIX + "SELECT ?f (COUNT(?m) AS ?n) WHERE { ?m a ik:Massnahme ; ik:handlungsfeld ?f } GROUP BY ?f",
    PREFIX + f"SELECT ?m ?t WHERE {{ ?m ik:zustaendig <{BASE}id/oe/51> ; dcterms:title ?t }}",
    PREFIX + "SELECT ?d (COUNT(?m) AS ?n) WHERE { ?m dcterms:references ?d } GROUP BY ?d ORDER BY DESC(?n) LIMIT 10",
    PREFIX + f"SELECT ?m WHERE {{ ?m ik:zielgruppe <{BASE}id/zielgruppe/gefluechtete> }}",
]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PAGES = ["/", "/massnahmen?handlungsfeld=gefluechtete", "/suche?q=Gefl%C3%BCchtete", "/id/drucksache/",
         "/drucksache?ref=0349%20(IV)%20BDs"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(build: Path, port: int, timeout: float, cache: bool = True) -> subprocess.Popen:
    """The production server as `kg serve` runs it (gunicorn + waitress, server/serving/gunicorn_config.py)."""
    env = dict(os.environ, KG_BUILD_DIR=str(build), KG_QUERY_TIMEOUT=str(timeout))
    if not cache:
        env["KG_QUERY_CACHE_MB"] = "0"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(
        [str(gunicorn), "server.app:create_app()", "--config", "python:server.serving.gunicorn_config",
         "--bind", f"127.0.0.1:{port}", "--log-level", "error"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")


def tree_rss_kib(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc (Linux)."""
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, kind: str, seconds: float, error: str | None, status: int | None = None) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if error:
                self.errors[kind].append(error)
            if status is not None:
                self.statuses[kind][status] += 1


def connect(port: int, source: str, timeout: float = 60) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))


def fetch(conn: http.client.HTTPConnection, path: str, accept: str = "text/html") -> tuple[int, bytes]:
    status, body, _ = fetch_with_headers(conn, path, accept)
    return status, body


def fetch_with_headers(conn: http.client.HTTPConnection, path: str, accept: str) -> tuple[int, bytes, http.client.HTTPMessage]:
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    return response.status, response.read(), response.headers


def dereference(conn: http.client.HTTPConnection, uri_path: str) -> tuple[int, str | None]:
    """A measure's URI as a Linked Data client follows it: the 303, then the Turtle document; status and error."""
    status, _, headers = fetch_with_headers(conn, uri_path, "text/turtle")
    if status != 303 or not headers.get("Location", "").startswith("/doc/"):
        return status, f"{status} {uri_path} (expected 303 to /doc/…)"
    status, body, headers = fetch_with_headers(conn, headers["Location"], "text/turtle")
    if status != 200 or not headers.get("Content-Type", "").startswith("text/turtle") or not body:
        return status, f"{status} {headers.get('Content-Type')} after the 303 of {uri_path}"
    return status, None


def browse(port: int, until: float, rec: Recorder, seed: int) -> None:
    rnd = random.Random(seed)
    source = f"127.0.2.{seed + 1}"
    conn = connect(port, source)
    sent = 0
    while time.monotonic() < until:
        roll = rnd.random()
        if roll < 0.35:
            kind, path, accept, ok = "page", f"/doc/massnahme/{rnd.randint(1, 129)}", "text/html", (200,)
        elif roll < 0.5:
            kind, path, accept, ok = "rdf", f"/id/massnahme/{rnd.randint(1, 129)}", "text/turtle", None
        elif roll < 0.7:
            kind, path, accept, ok = "page", rnd.choice(PAGES), "text/html", (200, 303)
        else:
            sent += 1
            text = rnd.choice(QUERIES)
            if roll < 0.85:
                kind = "sparql-repeated"
            else:  # a unique text: the answer cache cannot serve it, the engine runs it
                kind, text = "sparql-fresh", f"{text}\n# client {seed}, query {sent}"
            path, accept, ok = f"/sparql?query={urllib.parse.quote(text)}", "application/sparql-results+json", (200,)
        started = time.perf_counter()
        status = None
        try:
            if ok is None:
                status, error = dereference(conn, path)
            else:
                status, body = fetch(conn, path, accept)
                error = None if status in ok else f"{status} {path[:80]}"
                if kind.startswith("sparql") and status == 200:
                    json.loads(body)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            error = f"{type(exc).__name__} {path[:80]}"
            conn.close()
            conn = connect(port, source)
        rec.add(kind, time.perf_counter() - started, error, status)


def attack(port: int, until: float, rec: Recorder, n: int) -> None:
    source = f"127.0.1.{n + 1}"
    conn = connect(port, source)
    path = "/sparql?query=" + urllib.parse.quote(RUNAWAY)
    while time.monotonic() < until:
        started = time.perf_counter()
        status = None
        try:
            status, _ = fetch(conn, path, "application/sparql-results+json")
            error = None if status in (429, 503) else f"runaway answered {status}"
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
            conn.close()
            conn = connect(port, source)
        rec.add("runaway", time.perf_counter() - started, error, status)


def slowloris(port: int, until: float, n: int, opened: list) -> None:
    """One connection that sends a request header line every 5 s and never finishes it."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(f"127.0.3.{n + 1}", 0))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        opened.append(1)
        while time.monotonic() < until:
            time.sleep(5)
            sock.sendall(b"X-Slow: %d\r\n" % n)
    except OSError:
        pass  # the server closed it: that is its right


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def run(build: Path, seconds: float = 60, clients: int = 16, runaway: int = 20, slow: int = 40, query_timeout: float = 2.0,
        head_start: float = 8.0, cache: bool = True) -> dict:
    port = free_port()
    server = start_server(build, port, query_timeout, cache)
    rec, peak, opened = Recorder(), 0, []
    try:
        for path in ("/", "/sparql?query=" + urllib.parse.quote(QUERIES[0])):  # warm up workers and caches
            fetch(connect(port, "127.0.0.1", 60), path)
        attack_until = time.monotonic() + head_start + seconds
        threads = [threading.Thread(target=slowloris, args=(port, attack_until, i, opened), daemon=True) for i in range(slow)]
        threads += [threading.Thread(target=attack, args=(port, attack_until, rec, i)) for i in range(runaway)]
        for t in threads:
            t.start()
        time.sleep(head_start)
        until = time.monotonic() + seconds
        browsers = [threading.Thread(target=browse, args=(port, until, rec, i)) for i in range(clients)]
        for t in browsers:
            t.start()
        while any(t.is_alive() for t in browsers):
            peak = max(peak, tree_rss_kib(server.pid))
            time.sleep(0.25)
        for t in threads:
            t.join(timeout=query_timeout + 15)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    report = {"seconds": seconds, "clients": clients, "runaway_clients": runaway, "slow_connections": slow,
              "slow_opened": len(opened), "query_timeout_s": query_timeout, "head_start_s": head_start,
              "peak_rss_mib": round(peak / 1024, 1), "answer_cache": cache, "kinds": {}}
    for kind, times in sorted(rec.times.items()):
        report["kinds"][kind] = {
            "requests": len(times), "errors": len(rec.errors[kind]), "first_errors": rec.errors[kind][:3],
            "statuses": dict(rec.statuses[kind]),
            "p50_ms": round(statistics.median(times) * 1000, 1), "p99_ms": round(percentile(times, 0.99) * 1000, 1),
            "per_s": round(len(times) / seconds, 1),
        }
    report["normal_errors"] = sum(v["errors"] for k, v in report["kinds"].items() if k != "runaway")
    repeated, fresh = report["kinds"].get("sparql-repeated"), report["kinds"].get("sparql-fresh")
    if repeated and fresh and fresh["p50_ms"] > 0:
        report["repeated_vs_fresh_p50"] = round(repeated["p50_ms"] / fresh["p50_ms"], 2)
    return report


def show(title: str, report: dict) -> None:
    print(f"{title}: peak RSS {report['peak_rss_mib']} MiB, {report['slow_opened']}/{report['slow_connections']} slow "
          f"connections open")
    print(f"  {'kind':10} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for kind, v in report["kinds"].items():
        print(f"  {kind:10} {v['requests']:9d} {v['errors']:7d} {v['per_s']:7.1f} {v['p50_ms']:8.1f} {v['p99_ms']:8.1f}  {v['statuses']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--runaway", type=int, default=20)
    parser.add_argument("--slow", type=int, default=40)
    parser.add_argument("--head-start", type=float, default=8.0)
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--no-baseline", action="store_true", help="skip the first run: the same clients, no attack")
    parser.add_argument("--no-cache", action="store_true", help="SPARQL answer cache off (KG_QUERY_CACHE_MB=0)")
    args = parser.parse_args()
    build = Path(args.build).resolve()
    load = os.getloadavg()[0]
    # The baseline: the same normal clients on the same machine in the same run, without runaway or slow clients.
    baseline = None if args.no_baseline else run(build, args.seconds, args.clients, 0, 0, head_start=0,
                                               cache=not args.no_cache)
    report = run(build, args.seconds, args.clients, args.runaway, args.slow, head_start=args.head_start,
                 cache=not args.no_cache)
    print(f"{args.clients} clients, {args.seconds:.0f} s; attack: {args.runaway} runaway clients + {args.slow} slow "
          f"connections, runaway timeout {report['query_timeout_s']} s; machine: {os.cpu_count()} cores, "
          f"load average {load:.1f} before / {os.getloadavg()[0]:.1f} after")
    if baseline:
        show("baseline (no attack)", baseline)
    show("under attack", report)
    if baseline:
        print("under attack / baseline:")
        for kind in ("page", "rdf", "sparql-repeated", "sparql-fresh"):
            a, b = report["kinds"].get(kind), baseline["kinds"].get(kind)
            if a and b:
                print(f"  {kind:10} p50 {a['p50_ms'] / b['p50_ms']:.2f}x  p99 {a['p99_ms'] / b['p99_ms']:.2f}x  "
                      f"throughput {a['per_s'] / b['per_s']:.2f}x")
        print(f"  peak RSS   {report['peak_rss_mib'] / baseline['peak_rss_mib']:.2f}x")
    if "repeated_vs_fresh_p50" in report:
        print(f"sparql-repeated p50 / sparql-fresh p50 under attack: {report['repeated_vs_fresh_p50']} "
              f"({'answer cache serves the repeated texts' if report['answer_cache'] else 'cache off: both run the engine'})")
    errors = report["normal_errors"] + (baseline["normal_errors"] if baseline else 0)
    print(f"errors on normal requests: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
