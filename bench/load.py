"""Load test: 16 concurrent clients against a real gunicorn server on loopback, mixing page views, SPARQL
queries and runaway queries.

15 clients browse (home, measure pages in HTML, a measure's URI dereferenced to Turtle – the 303 and the document it
points to –, the facet list, search, the Drucksache resolver) and run typical SPARQL queries; one client keeps sending
runaway queries that must be stopped at KG_QUERY_TIMEOUT. SPARQL is reported apart by whether the answer cache can
serve it: "sparql-repeated" sends the same four query texts again and again (after the first, answers from the
endpoint's cache), "sparql-fresh" makes each text unique with a comment (the engine runs every one). `--no-cache`
switches the answer cache off (KG_QUERY_CACHE_MB=0): then both go to the engine. Reports per kind of request: count,
errors, p50, p99, the ratio of the repeated to the fresh p50 (the cache's effect, measured in the same run), and the
peak resident memory of the whole server (gunicorn master, its workers and their SPARQL worker processes). Normal
requests must have 0 errors.

    .venv/bin/python bench/load.py [--seconds 60] [--clients 16] [--build build] [--no-cache]

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
    env = dict(os.environ, KG_BUILD_DIR=str(build), KG_QUERY_TIMEOUT=str(timeout), KG_QUERY_WORKERS="4",
               KG_QUERY_QUEUE_WAIT="5")
    if not cache:
        env["KG_QUERY_CACHE_MB"] = "0"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(
        [str(gunicorn), "server.app:create_app()", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "gthread", "--threads", "8", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start: " + proc.stderr.read().decode()[-2000:])


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

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if error:
                self.errors[kind].append(error)


def fetch(conn: http.client.HTTPConnection, path: str, accept: str = "text/html") -> tuple[int, bytes]:
    status, body, _ = fetch_with_headers(conn, path, accept)
    return status, body


def fetch_with_headers(conn: http.client.HTTPConnection, path: str, accept: str) -> tuple[int, bytes, http.client.HTTPMessage]:
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    return response.status, response.read(), response.headers


def dereference(conn: http.client.HTTPConnection, uri_path: str) -> str | None:
    """A measure's URI as a Linked Data client follows it: the 303, then the Turtle document; an error or None."""
    status, _, headers = fetch_with_headers(conn, uri_path, "text/turtle")
    if status != 303 or not headers.get("Location", "").startswith("/doc/"):
        return f"{status} {uri_path} (expected 303 to /doc/…)"
    status, body, headers = fetch_with_headers(conn, headers["Location"], "text/turtle")
    if status != 200 or not headers.get("Content-Type", "").startswith("text/turtle") or not body:
        return f"{status} {headers.get('Content-Type')} after the 303 of {uri_path}"
    return None


def browse(port: int, until: float, rec: Recorder, seed: int) -> None:
    rnd = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
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
        try:
            if ok is None:
                error = dereference(conn, path)
            else:
                status, body = fetch(conn, path, accept)
                error = None if status in ok else f"{status} {path[:80]}"
                if kind.startswith("sparql") and status == 200:
                    json.loads(body)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            error = f"{type(exc).__name__} {path[:80]}"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        rec.add(kind, time.perf_counter() - started, error)


def attack(port: int, until: float, rec: Recorder) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    path = "/sparql?query=" + urllib.parse.quote(RUNAWAY)
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            status, _ = fetch(conn, path, "application/sparql-results+json")
            error = None if status == 503 else f"runaway answered {status}"
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        rec.add("runaway", time.perf_counter() - started, error)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def run(build: Path, seconds: float = 60, clients: int = 16, query_timeout: float = 2.0, cache: bool = True) -> dict:
    port = free_port()
    server = start_server(build, port, query_timeout, cache)
    rec, peak = Recorder(), 0
    try:
        for path in ("/", "/sparql?query=" + urllib.parse.quote(QUERIES[0])):  # warm up workers and caches
            fetch(http.client.HTTPConnection("127.0.0.1", port, timeout=30), path)
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=browse, args=(port, until, rec, i)) for i in range(clients - 1)]
        threads.append(threading.Thread(target=attack, args=(port, until, rec)))
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            peak = max(peak, tree_rss_kib(server.pid))
            time.sleep(0.25)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = {"seconds": seconds, "clients": clients, "query_timeout_s": query_timeout, "peak_rss_mib": round(peak / 1024, 1),
              "answer_cache": cache, "kinds": {}}
    for kind, times in sorted(rec.times.items()):
        report["kinds"][kind] = {
            "requests": len(times), "errors": len(rec.errors[kind]), "first_errors": rec.errors[kind][:3],
            "p50_ms": round(statistics.median(times) * 1000, 1), "p99_ms": round(percentile(times, 0.99) * 1000, 1),
            "per_s": round(len(times) / seconds, 1),
        }
    report["normal_errors"] = sum(v["errors"] for k, v in report["kinds"].items() if k != "runaway")
    repeated, fresh = report["kinds"].get("sparql-repeated"), report["kinds"].get("sparql-fresh")
    if repeated and fresh and fresh["p50_ms"] > 0:
        report["repeated_vs_fresh_p50"] = round(repeated["p50_ms"] / fresh["p50_ms"], 2)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--no-cache", action="store_true", help="SPARQL answer cache off (KG_QUERY_CACHE_MB=0)")
    args = parser.parse_args()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report = run(Path(args.build).resolve(), args.seconds, args.clients, cache=not args.no_cache)
    print(f"{args.clients} clients, {args.seconds:.0f} s, runaway timeout {report['query_timeout_s']} s, "
          f"answer cache {'on' if report['answer_cache'] else 'off'}, peak RSS {report['peak_rss_mib']} MiB, "
          f"machine: {os.cpu_count()} cores, load average before {load_before}")
    print(f"{'kind':10} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, v in report["kinds"].items():
        print(f"{kind:10} {v['requests']:9d} {v['errors']:7d} {v['per_s']:7.1f} {v['p50_ms']:8.1f} {v['p99_ms']:8.1f}")
    if "repeated_vs_fresh_p50" in report:
        print(f"sparql-repeated p50 / sparql-fresh p50: {report['repeated_vs_fresh_p50']} "
              f"({'answer cache serves the repeated texts' if report['answer_cache'] else 'cache off: both run the engine'})")
    print(f"errors on normal requests: {report['normal_errors']}")
    return 1 if report["normal_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
