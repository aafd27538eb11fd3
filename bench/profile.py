"""Where the time of a cheap SPARQL query goes: our endpoint under load, sampled with py-spy.

gunicorn as in the README (here one worker, so one web process and its query processes), the answer cache off,
wrk sending lookups of one thing (measures of one unit, ``bench/peerlib/queries.py`` "b", parameters rotating) on
8 connections, and py-spy (PyPI, the ``bench`` extra) sampling the web process and every query process at once
for the same seconds. Printed: the share of all samples per part of the request path (by the file of the
innermost frame of ours or of a library) and the functions with the most samples of their own, so what is not the
engine shows up by name. Only samples holding the GIL count (py-spy --gil), so a process waiting on a pipe or a
socket adds nothing – and neither does pyoxigraph where it evaluates without the GIL: read the engine's share with
the CPU split of bench/peers.py (web layer + query processes, ms per request).

    .venv/bin/python bench/profile.py [--factor 1] [--seconds 10] [--query b] [--workdir DIR]

py-spy needs ptrace (root, or kernel.yama.ptrace_scope = 0).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pyoxigraph as ox  # noqa: E402
from peerlib.engines import Ours  # noqa: E402
from peerlib.queries import Parameters, build_queries  # noqa: E402
from peerlib.wrk import Wrk  # noqa: E402

from kg.namespaces import DEFAULT_BASE  # noqa: E402

BIN = Path(sys.executable).parent
# Parts of the request path, by the innermost frame that names one (first match wins, checked from the leaf up).
PARTS = (
    ("engine: the query in pyoxigraph", re.compile(r"^execute \(.*server/sparql/worker\.py:")),
    ("query process: results to bytes", re.compile(r"server/sparql/(?:worker|xml_text)\.py:|kg/spreadsheet\.py:")),
    ("query process: pipe, pickle", re.compile(r"multiprocessing/(?:connection|reduction|queues)\.py:|pickle")),
    ("guard (tokens, checks)", re.compile(r"server/sparql/(?:guard|query_text|prefixes)\.py:|server/sparql_syntax\.py:")),
    ("pool, admission", re.compile(r"server/sparql/(?:pool|admission)\.py:")),
    ("client table shared by the web processes", re.compile(r"server/serving/client_table\.py:")),
    ("waitress (HTTP, sockets)", re.compile(r"/waitress/|server/serving/waitress_worker\.py:")),
    ("endpoint view, errors, negotiation", re.compile(r"server/sparql/(?:views|errors|page)\.py:|server/web/")),
    ("other server code", re.compile(r"/server/|/kg/")),
    ("Flask, Werkzeug, Jinja", re.compile(r"/(?:flask|werkzeug|jinja2|markupsafe)/")),
    ("gunicorn (HTTP, sockets, access log)", re.compile(r"/gunicorn/")),
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def part_of(stack: list[str]) -> str:
    """The part of the innermost frame that is ours or a library's (stdlib frames count for their caller)."""
    for frame in reversed(stack):
        for name, pattern in PARTS:
            if pattern.search(frame):
                return name
    return "other (stdlib, interpreter)"


def read_raw(path: Path) -> list[tuple[list[str], int]]:
    """py-spy's raw format: one line per distinct stack, frames separated by ';', then the sample count."""
    out = []
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            out.append((stack.split(";"), int(count)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, default=1, help="1 = the real build, N = kg synth --factor N (built before)")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--query", default="b", help="a key of bench/peerlib/queries.py (default b: measures of one unit)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (more than the query slots: some wait)")
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--workdir", help="builds as bench/peers.py keeps them (DIR/{factor}x/build); default: build 1× in a temp dir")
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy", path=str(BIN)) or shutil.which("py-spy")
    if not spy or not shutil.which("wrk"):
        print("skipped: needs py-spy (pip extra bench) and wrk (bench/peers-setup.sh)")
        return 2
    top = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kg-profile-"))
    workdir = top / f"{args.factor}x"
    workdir.mkdir(parents=True, exist_ok=True)
    build = workdir / "build"
    if not (build / "manifest.json").exists():
        if args.factor != 1:
            raise SystemExit(f"{build} missing: run bench/peers.py or bench/pages.py with --workdir {top} first")
        subprocess.run([str(BIN / "kg"), "build", "--data", str(ROOT / "data"), "--out", str(build)], check=True,
                       cwd=ROOT, stdout=subprocess.DEVNULL)
    base = json.loads((build / "manifest.json").read_text()).get("base_uri", DEFAULT_BASE)
    store = ox.Store()
    store.bulk_load(path=str(build / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    query = next(q for q in build_queries(Parameters.of(store, base), base, 1000) if q.key == args.query)

    server = Ours(build, workdir, cache_mb=0)
    command, env = server.command()
    command += ["--workers", "1"]  # one web process (the command line overrides kg serve's config): its samples and its query processes'
    started = time.monotonic()
    server.proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                   stderr=(workdir / "profile-server.log").open("ab"), start_new_session=True)
    try:
        server.wait_ready(server.path(query.texts[0]), query.accept)
        log(f"server up in {time.monotonic() - started:.1f} s; warming up")
        wrk = Wrk(workdir, args.connections, min(2, args.connections), 10)
        paths = workdir / "profile-paths.txt"
        paths.write_text("\n".join(server.path(t) for t in query.texts) + "\n")
        wrk.run(server.url, paths, query.accept, 3)
        web = [int(p) for p in subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True).stdout.split()]
        raw = workdir / "profile.raw"
        log(f"sampling web process {web} and its query processes for {args.seconds:g} s under load")
        spying = subprocess.Popen([spy, "record", "--format", "raw", "--subprocesses", "--gil", "--full-filenames", "--rate", str(args.rate),
                                   "--duration", str(int(args.seconds)), "--output", str(raw), "--pid", str(web[0])],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1)
        stats = wrk.run(server.url, paths, query.accept, args.seconds)
        _, err = spying.communicate(timeout=args.seconds + 120)
        if spying.returncode != 0 or not raw.exists():
            print(f"py-spy failed: {err.decode(errors='replace')[-800:]}")
            return 1
    finally:
        if server.proc.poll() is None:
            os.killpg(server.proc.pid, signal.SIGTERM)
            server.proc.wait(timeout=30)
    stacks = read_raw(raw)
    total = sum(n for _, n in stacks) or 1
    parts = collections.Counter()
    leaves = collections.Counter()
    for stack, n in stacks:
        parts[part_of(stack)] += n
        leaves[re.sub(r"^process \d+:", "", stack[-1])] += n
    print(f"{query.title} ({args.query}) at {args.factor}×, answer cache off, {args.connections} connections: {stats.rps:,.0f} req/s, "
          f"p50 {stats.p50_ms:.2f} ms; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{total:,} samples holding the GIL (web process and query processes) over {args.seconds:g} s at {args.rate}/s\n")
    print(f"{'part of the request path':<40}{'share':>8}{'ms/request':>12}")
    for name, n in parts.most_common():
        ms = n / args.rate * 1000 / max(stats.requests, 1)
        print(f"{name:<40}{n / total:>8.1%}{ms:>12.3f}")
    print("\nfunctions with the most samples of their own:")
    for frame, n in leaves.most_common(15):
        print(f"  {n / total:6.1%}  {frame[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
