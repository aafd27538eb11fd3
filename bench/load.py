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

The attack is under way when the normal clients come: they start once every runaway client has had a query stopped
(or a 429) – the server knows them – or ``--head-start`` seconds after the attack began, whichever is first (clients
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
from collections import Counter, defaultdict
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


def start_server(build: Path, port: int, timeout: float, cache: bool = True,
                 settings: dict[str, float] | None = None) -> subprocess.Popen:
    """The production server as `kg serve` runs it (gunicorn + waitress, server/serving/gunicorn_config.py)."""
    env = dict(os.environ, KG_BUILD_DIR=str(build), KG_QUERY_TIMEOUT=str(timeout))
    env.update({name: str(value) for name, value in (settings or {}).items()})
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
        self.refusals: Counter[str] = Counter()  # why runaway queries were refused

    def refusal(self, status: int, why: str) -> None:
        with self.lock:
            self.refusals[f"{status} {why}"] += 1

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


def reason(body: bytes) -> str:
    """The English line of a refusal (the server answers programs in German, then English)."""
    lines = body.decode(errors="replace").strip().splitlines()
    return lines[-1][:100] if lines else ""


def dereference(conn: http.client.HTTPConnection, uri_path: str) -> tuple[int, str | None]:
    """A measure's URI as a Linked Data client follows it: the 303, then the Turtle document; status and error."""
    status, _, headers = fetch_with_headers(conn, uri_path, "text/turtle")
    if status != 303 or not headers.get("Location", "").startswith("/doc/"):
        return status, f"{status} {uri_path} (expected 303 to /doc/…)"
    status, body, headers = fetch_with_headers(conn, headers["Location"], "text/turtle")
    if status != 200 or not headers.get("Content-Type", "").startswith("text/turtle") or not body:
        return status, f"{status} {headers.get('Content-Type')} after the 303 of {uri_path}"
    return status, None


def browse(port: int, until: float, rec: Recorder, seed: int, patience: float = 60) -> None:
    rnd = random.Random(seed)
    source = f"127.0.2.{seed + 1}"
    conn = connect(port, source, patience)
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
                error = None if status in ok else f"{status} {reason(body)} {path[:60]}"
                if kind.startswith("sparql") and status == 200:
                    json.loads(body)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            error = f"{type(exc).__name__} {path[:80]}"
            conn.close()
            conn = connect(port, source, patience)
        rec.add(kind, time.perf_counter() - started, error, status)


# What a runaway client is told once the server knows it: its query ran to its time limit or was stopped for others,
# or its share is used up (429). A 503 for a full queue says nothing about the client.
KNOWN = ("exceeded the time limit", "stopped after its share")


def attack(port: int, stop: threading.Event, rec: Recorder, n: int, patience: float = 60,
           known: set[int] | None = None) -> None:
    source = f"127.0.1.{n + 1}"
    conn = connect(port, source, patience)
    path = "/sparql?query=" + urllib.parse.quote(RUNAWAY)
    while not stop.is_set():
        started = time.perf_counter()
        status = None
        try:
            status, body = fetch(conn, path, "application/sparql-results+json")
            error = None if status in (429, 503) else f"runaway answered {status}"
            why = reason(body)
            rec.refusal(status, why)
            if known is not None and (status == 429 or any(k in why for k in KNOWN)):
                known.add(n)
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
            conn.close()
            conn = connect(port, source, patience)
        rec.add("runaway", time.perf_counter() - started, error, status)


def slowloris(port: int, stop: threading.Event, n: int, opened: list) -> None:
    """One connection that sends a request header line every 5 s and never finishes it."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(f"127.0.3.{n + 1}", 0))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        opened.append(1)
        while not stop.wait(5):
            sock.sendall(b"X-Slow: %d\r\n" % n)
    except OSError:
        pass  # the server closed it: that is its right


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def run(build: Path, seconds: float = 60, clients: int = 16, runaway: int = 20, slow: int = 40, query_timeout: float = 2.0,
        head_start: float = 60.0, cache: bool = True, settings: dict[str, float] | None = None) -> dict:
    """One run; ``settings`` are server settings (KG_…) beyond the defaults, e.g. deadlines from :func:`deadlines`."""
    settings = settings or {}
    query_timeout = float(settings.get("KG_QUERY_TIMEOUT", query_timeout))
    port = free_port()
    server = start_server(build, port, query_timeout, cache, settings)
    # A client waits as long as the server may take: its deadlines, and a minute beyond.
    patience = 60 + query_timeout + float(settings.get("KG_QUERY_QUEUE_WAIT", 5))
    rec, peak, opened = Recorder(), 0, []
    try:
        for path in ("/", "/sparql?query=" + urllib.parse.quote(QUERIES[0])):  # warm up workers and caches
            fetch(connect(port, "127.0.0.1", 60), path)
        stop = threading.Event()  # the attack ends with the normal clients' time
        threads = [threading.Thread(target=slowloris, args=(port, stop, i, opened), daemon=True) for i in range(slow)]
        known: set[int] = set()
        threads += [threading.Thread(target=attack, args=(port, stop, rec, i, patience, known))
                    for i in range(runaway)]
        began = time.monotonic()
        for t in threads:
            t.start()
        # The normal clients come once the server knows every attacker (each has had a query stopped, or a 429), at
        # most head_start seconds after the attack began: a client arriving with a swarm of new ones cannot be told
        # apart from them before their queries have run, on any machine.
        while len(known) < runaway and time.monotonic() - began < head_start:
            time.sleep(0.1)
        attack_known = (len(known), round(time.monotonic() - began, 1))
        until = time.monotonic() + seconds
        browsers = [threading.Thread(target=browse, args=(port, until, rec, i, patience)) for i in range(clients)]
        for t in browsers:
            t.start()
        while any(t.is_alive() for t in browsers):
            peak = max(peak, tree_rss_kib(server.pid))
            time.sleep(0.25)
        stop.set()
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
              "peak_rss_mib": round(peak / 1024, 1), "answer_cache": cache, "settings": settings,
              "attackers_known": attack_known[0], "attack_known_after_s": attack_known[1], "kinds": {}}
    for kind, times in sorted(rec.times.items()):
        report["kinds"][kind] = {
            "requests": len(times), "errors": len(rec.errors[kind]), "first_errors": rec.errors[kind][:3],
            "why": dict(Counter(error.rsplit(" ", 1)[0] for error in rec.errors[kind])),
            "statuses": dict(rec.statuses[kind]),
            "p50_ms": round(statistics.median(times) * 1000, 1), "p90_ms": round(percentile(times, 0.9) * 1000, 1),
            "p99_ms": round(percentile(times, 0.99) * 1000, 1),
            "per_s": round(len(times) / seconds, 1),
        }
    report["runaway_refusals"] = dict(rec.refusals.most_common())
    report["normal_errors"] = sum(v["errors"] for k, v in report["kinds"].items() if k != "runaway")
    repeated, fresh = report["kinds"].get("sparql-repeated"), report["kinds"].get("sparql-fresh")
    if repeated and fresh and fresh["p50_ms"] > 0:
        report["repeated_vs_fresh_p50"] = round(repeated["p50_ms"] / fresh["p50_ms"], 2)
    return report


def deadlines(baseline: dict) -> dict[str, float]:
    """The server's wall-clock deadlines for an attack run, in units of what the normal clients alone took on this
    machine in this run (``baseline``: :func:`run` without runaway and slow clients, its deadlines out of reach): the
    slowest kind's p90 latency (p99 would be a first page render or a query process starting). On a machine n times
    slower a query's time limit and its wait for a slot are n times longer, so whether a normal client is answered
    depends on the order the server serves clients in, not on the machine's speed.

    They stay far apart: a normal query made to wait behind runaway queries (no fairness) waits for the queue ahead
    of it – 24 runaway queries, four at a time, each until its time limit (20 units): 120 units – longer than it may
    wait for a slot (50 units); served fairly, its p99 under attack was about 20 units (at load 12 on two cores)."""
    unit = max(v["p90_ms"] for k, v in baseline["kinds"].items() if k != "runaway") / 1000
    return {"KG_QUERY_TIMEOUT": round(max(2.0, 20 * unit), 2), "KG_QUERY_QUEUE_WAIT": round(max(5.0, 50 * unit), 2)}


def show(title: str, report: dict) -> None:
    print(f"{title}: peak RSS {report['peak_rss_mib']} MiB, {report['slow_opened']}/{report['slow_connections']} slow "
          f"connections open, {report['attackers_known']}/{report['runaway_clients']} runaway clients known to the server "
          f"after {report['attack_known_after_s']} s of attack")
    print(f"  {'kind':10} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for kind, v in report["kinds"].items():
        print(f"  {kind:10} {v['requests']:9d} {v['errors']:7d} {v['per_s']:7.1f} {v['p50_ms']:8.1f} {v['p99_ms']:8.1f}  {v['statuses']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--runaway", type=int, default=20)
    parser.add_argument("--slow", type=int, default=40)
    parser.add_argument("--head-start", type=float, default=60.0, help="at most this many seconds of attack before the normal clients come")
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--no-baseline", action="store_true", help="skip the first run: the same clients, no attack")
    parser.add_argument("--no-cache", action="store_true", help="SPARQL answer cache off (KG_QUERY_CACHE_MB=0)")
    args = parser.parse_args()
    build = Path(args.build).resolve()
    if not (build / "manifest.json").exists():
        print(f"no build in {build}: run `kg build` first, or name one with --build DIR", file=sys.stderr)
        return 2
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
