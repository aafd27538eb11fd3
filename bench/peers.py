"""Side by side: our endpoint and pages against Oxigraph's own server, Virtuoso, rdflib-endpoint and nginx.

Same data (the real build and `kg synth --factor 100`, built), same queries (six typical ones a–f and every
served example of the query page, server/sparql/examples.py; parameters rotating so consecutive answers
differ), same load generator (wrk: 8 connections, 10 s per run), runs alternating engine by engine (A B C A B C …) and ratios taken pair by
pair within a round, so a burst of load from elsewhere on the machine hits one pair, not one engine. Before the
runs every engine's answers are checked against pyoxigraph's own on graph.nt (normalised result sets); any
disagreement is printed loudly and marked in the table. Our answer cache is off (KG_QUERY_CACHE_MB=0) except in
the rows "ours cache on", which repeat a few query texts and so are (almost all) cache hits. At the end: the
first requests after a start (cold start: ours, ours on the old path – graph.nt parsed by every process, query processes
started by the first query – and Oxigraph's server, alternating, with the ratio old/new) and the goals of issue 18,
each met or not.

    bash bench/peers-setup.sh                  # once: wrk, nginx, Virtuoso (Debian), rdflib-endpoint (pip extra)
    .venv/bin/python bench/peers.py            # 1× and 100×, 10 s × 2 rounds per engine and query (~1.5 h)
    .venv/bin/python bench/peers.py --quick    # smoke run: 1×, 2 s, one round, a few queries (~2 min)
    .venv/bin/python bench/peers.py --factors 100 --only b,d,page --engines ours,oxigraph --seconds 5

Exit status 1 if our endpoint's answers differ from pyoxigraph's (a peer's differences are only reported).
Everything runs on loopback in a work directory (a temp dir, removed at the end unless --workdir is given, in
which case builds and loaded databases are kept and reused). Engines that cannot run print "skipped: …".
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402
from peerlib import compare, report  # noqa: E402
from peerlib.engines import Engine, Nginx, Ours, OxigraphServer, RdflibEndpoint, Skipped, Virtuoso, free_port, http_get  # noqa: E402
from peerlib.queries import Parameters, Query, build_queries, without_limit  # noqa: E402
from peerlib.wrk import Stats, Wrk  # noqa: E402
from peerlib.wrk import available as wrk_available  # noqa: E402

from kg.namespaces import DEFAULT_BASE  # noqa: E402

ENGINES = ("ours", "ours-cache", "oxigraph", "virtuoso", "ours-virtuoso", "rdflib", "nginx")
KG = Path(sys.executable).parent / "kg"
PAGE_MEASURES = 500  # measure pages rotated over (evenly spread over all measures)


@dataclass
class Case:
    """One row group of the table: a query or a page, the engines that serve it and their request paths."""

    key: str
    title: str
    accept: str
    paths: dict[str, list[str]]  # engine name -> request paths
    query: Query | None = None
    runs: dict[str, list[Stats]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # engine name -> disagreement or error
    refused: dict[str, str] = field(default_factory=dict)  # engine name -> its error answer (not load-tested)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare_build(factor: int, workdir: Path) -> Path:
    build = workdir / "build"
    if (build / "graph.nt").exists():
        return build
    started = time.monotonic()
    if factor == 1:
        data = ROOT / "data"  # --data keeps the benchmark's build out of published-uris.txt
    else:
        data = workdir / "data"
        subprocess.run([str(KG), "synth", "--factor", str(factor), "--out", str(data)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([str(KG), "build", "--data", str(data), "--out", str(build)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    log(f"  built {factor}× in {time.monotonic() - started:.0f} s")
    return build


def make_engines(chosen: list[str], build: Path, workdir: Path, top: Path) -> dict[str, Engine]:
    factories = {
        "ours": lambda: Ours(build, workdir, cache_mb=0),
        "ours-cache": lambda: Ours(build, workdir, cache_mb=64),
        "oxigraph": lambda: OxigraphServer(build, workdir),
        "virtuoso": lambda: Virtuoso(build, workdir),
        "rdflib": lambda: RdflibEndpoint(build, workdir),
        "nginx": lambda: Nginx(build, workdir, top),
    }
    made = {}
    for key in chosen:  # in ENGINES order, so Virtuoso is made (and started) before ours on it
        if key == "ours-virtuoso":
            made[key] = Ours(build, workdir, cache_mb=0, behind=made["virtuoso"])
        else:
            made[key] = factories[key]()
    return made


def check_answers(cases: list[Case], engines: dict[str, Engine], store: ox.Store, per_query: int) -> tuple[int, list[str]]:
    """Every engine's answers to the first texts of every query against pyoxigraph's own: (answers checked, problems)."""
    problems, checked = [], 0
    for case in cases:
        if case.query is None:
            continue
        q = case.query
        for i, text in enumerate(q.texts[:per_query]):
            expected = compare.reference(store, text, q.graph)
            full = compare.reference(store, without_limit(text), q.graph) if q.unordered_limit else None
            limit = sum(expected.values()) if q.unordered_limit else None
            for engine in engines.values():
                if engine.name not in case.paths:
                    continue
                try:
                    status, ctype, body = http_get(engine.url + engine.path(text), q.accept, timeout=300)
                    if status != 200:
                        problem = f"answered {status}: {body[:200]!r}"
                    else:
                        rows = compare.graph_rows(body, ctype) if q.graph else compare.select_rows(body)
                        problem = compare.verdict(rows, expected, full, limit)
                except Exception as exc:  # noqa: BLE001 - any failure to answer is reported, not fatal
                    problem = f"{type(exc).__name__}: {exc}"
                checked += 1
                if problem:
                    case.problems.setdefault(engine.name, f"text {i}: {problem}")
                    problems.append(f"{case.key} · {engine.name} · text {i}: {problem}")
                    if problem.startswith("answered"):  # an engine that rejects the query is not load-tested on it
                        case.paths.pop(engine.name, None)
                        case.refused[engine.name] = problem
    return checked, problems


def write_paths(workdir: Path, case: Case, engine: str) -> Path:
    path = workdir / "paths" / f"{case.key}.{engine.replace(' ', '-')}.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(case.paths[engine]) + "\n")
    return path


def sparql_cases(queries: list[Query], engines: dict[str, Engine], cache_texts: int) -> list[Case]:
    cases = []
    for q in queries:
        paths = {}
        for key, engine in engines.items():
            if key == "nginx":
                continue
            texts = q.texts[:cache_texts] if key == "ours-cache" else q.texts
            paths[engine.name] = [engine.path(t) for t in texts]
        cases.append(Case(q.key, q.title, q.accept, paths, query=q))
    return cases


def page_cases(engines: dict[str, Engine], params: Parameters, base: str) -> list[Case]:
    ours = engines.get("ours")
    if ours is None:
        return []
    step = max(1, len(params.measures) // PAGE_MEASURES)
    numbers = [m.rsplit("/", 1)[1] for m in params.measures[::step]][:PAGE_MEASURES]
    cases = []
    for key, title, ext, accept in (("page", "/doc/massnahme/N.html", "html", "text/html"),
                                    ("ttl", "/doc/massnahme/N.ttl", "ttl", "text/turtle")):
        paths = [f"/doc/massnahme/{n}.{ext}" for n in numbers]
        served = {ours.name: paths}
        nginx = engines.get("nginx")
        if nginx is not None and nginx.proc is not None:
            nginx.copy(ours.url, paths, accept)
            served[nginx.name] = paths
        cases.append(Case(key, title, accept, served))
    return cases


def measured(wrk: Wrk, engine: Engine, paths: Path, accept: str, seconds: float) -> Stats:
    """One wrk run, with the server's CPU time per request (robust where req/s move with the machine's load)."""
    before = engine.cpu()
    stats = wrk.run(engine.url, paths, accept, seconds)
    after = engine.cpu()
    per_request = {part: (after[part] - before[part]) * 1000 / stats.requests for part in after} if stats.requests else {}
    return dataclasses.replace(stats, cpu_ms=per_request)


def warm(wrk: Wrk, engine: Engine, paths: Path, case: Case, args) -> None:
    """Unmeasured requests; with the cache on, until each text went ~20 times to the 4 workers (then all hit)."""
    sent, needed = 0, 20 * len(case.paths[engine.name]) if isinstance(engine, Ours) and engine.cache_mb else 0
    for _ in range(5):
        sent += wrk.run(engine.url, paths, case.accept, args.warmup).requests
        engine.settle(args.settle)
        if sent >= needed:
            break


def run_factor(factor: int, args, top: Path, wrk: Wrk | None) -> report.FactorResult:
    workdir = top / f"{factor}x"
    workdir.mkdir(parents=True, exist_ok=True)
    log(f"\n== {factor}×: build")
    build = prepare_build(factor, workdir)
    manifest = json.loads((build / "manifest.json").read_text())
    base = manifest.get("base_uri", DEFAULT_BASE)
    store = ox.Store()
    store.bulk_load(path=str(build / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    params = Parameters.of(store, base)
    queries = build_queries(params, base, args.variants)
    result = report.FactorResult(factor=factor, triples=len(store), seconds=args.seconds, rounds=args.repeats)

    engines = make_engines(args.engines, build, workdir, top)
    probe = queries[1].texts[0]
    for key, engine in list(engines.items()):
        log(f"  starting {engine.name}")
        try:
            if key == "nginx":
                engine.root.mkdir(parents=True, exist_ok=True)
                (engine.root / "ready").write_text("ok\n")
                engine.start("/ready")
            else:
                engine.start(probe)
        except Skipped as exc:
            result.skipped[engine.name] = str(exc)
            engine.stop()
            del engines[key]
    try:
        cases = sparql_cases(queries, engines, args.cache_texts) + page_cases(engines, params, base)
        cases = [c for c in cases if not args.only or c.key in args.only]
        log(f"  checking answers ({len(cases)} cases, {args.check} texts each)")
        result.checked, result.disagreements = check_answers(cases, engines, store, args.check)
        for problem in result.disagreements:
            log(f"  !! DISAGREEMENT {problem}")
        if args.check_only:
            cases = []
        by_name = {e.name: e for e in engines.values()}
        for n, case in enumerate(cases, 1):
            files = {name: write_paths(workdir, case, name) for name in case.paths}
            for name in case.paths:  # warm-up on exactly what is measured (per-build tables, lazy workers), not counted
                warm(wrk, by_name[name], files[name], case, args)
            for round_ in range(args.repeats):
                for name in case.paths:
                    engine = by_name[name]
                    stats = measured(wrk, engine, files[name], case.accept, args.seconds)
                    case.runs.setdefault(name, []).append(stats)
                    result.load.append(os.getloadavg()[0])
                    calm = engine.settle(args.settle)
                    log(f"  [{n}/{len(cases)}] {case.key:<30} {name:<16} round {round_ + 1}: {stats.rps:8.1f} req/s  "
                        f"p50 {stats.p50_ms:7.2f} ms  p99 {stats.p99_ms:8.2f} ms  CPU {report.cpu_text(stats.cpu_ms)} ms/req"
                        + (f"  errors {stats.errors}" if stats.errors else "") + ("" if calm else f"  (still busy after {args.settle:g} s)"))
        result.cases = cases
    finally:
        for engine in engines.values():
            engine.stop()

    if args.cold and not args.check_only:
        by_key = {q.key: q.texts for q in queries}
        lookups = [t for trio in zip(by_key["b"], by_key["c"], by_key["d"], strict=True) for t in trio]  # b c d b c d …
        starts = []
        if "ours" in args.engines:  # the old path first, then ours as it is, alternating round by round
            starts += [Ours(build, workdir, cache_mb=0, old_start=True), Ours(build, workdir, cache_mb=0)]
        if "oxigraph" in args.engines and "oxigraph server" not in result.skipped:
            starts.append(OxigraphServer(build, workdir))
        runs: dict[str, list[dict]] = {}
        for _ in range(args.cold_rounds):
            for engine in starts:
                engine.port = free_port()
                runs.setdefault(engine.name, []).append(cold_start(engine, lookups, workdir, wrk, args))
        result.cold = {name: summarise_cold(found) for name, found in runs.items()}
    return result


def summarise_cold(runs: list[dict]) -> dict:
    """The median of each figure over the rounds, with the rounds themselves."""
    keys = ("first_answer_s", "requests", "p50_ms", "p99_ms", "max_ms", "errors")
    return {**{k: statistics.median(r[k] for r in runs) for k in keys}, "rounds": runs}


def cold_start(engine: Engine, texts: list[str], workdir: Path, wrk: Wrk, args) -> dict:
    """Time from starting the server to its first answer, then the latency of its first requests under load."""
    paths = workdir / "paths" / f"cold.{engine.name.replace(' ', '-')}.txt"
    paths.parent.mkdir(exist_ok=True)
    paths.write_text("\n".join(engine.path(t) for t in texts[1:]) + "\n")
    accept = "application/sparql-results+json"
    try:
        started = engine.spawn()
        first = engine.wait_ready(engine.path(texts[0]), accept, interval=0.005) - started
        stats = wrk.run(engine.url, paths, accept, args.cold_seconds, limit=max(1, args.cold // wrk.threads))
    finally:
        engine.stop()
    log(f"  cold start {engine.name}: first answer {first:.2f} s; first {stats.requests} requests p50 {stats.p50_ms:.1f} ms "
        f"p99 {stats.p99_ms:.1f} ms max {stats.max_ms:.1f} ms")
    return {"first_answer_s": first, "requests": stats.requests, "p50_ms": stats.p50_ms, "p99_ms": stats.p99_ms,
            "max_ms": stats.max_ms, "errors": stats.errors}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("--factors", default="1,100", help="data sizes: 1 = the real build, N = kg synth --factor N (default 1,100)")
    parser.add_argument("--seconds", type=float, default=10, help="duration of one wrk run (default 10)")
    parser.add_argument("--repeats", type=int, default=2, help="alternating rounds per query and engine (default 2)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2, the cores of this machine)")
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"subset of {','.join(ENGINES)}")
    parser.add_argument("--only", help="only these cases: query keys (a-f, example slugs), page, ttl; 'all' (default); "
                        "'cold': none, only the cold start")
    parser.add_argument("--variants", type=int, default=1000, help="distinct request texts per query (default 1000)")
    parser.add_argument("--cache-texts", type=int, default=20, help="texts per query for 'ours cache on' (repeated: hits)")
    parser.add_argument("--check", type=int, default=2, help="texts per query whose answers are compared (default 2)")
    parser.add_argument("--check-only", action="store_true", help="only compare the engines' answers; no load, no cold start")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured requests per engine and case before its rounds")
    parser.add_argument("--settle", type=float, default=120, help="max seconds to wait for a server to go idle after a run")
    parser.add_argument("--cold", type=int, default=200, help="requests measured after a fresh start (0 = no cold start)")
    parser.add_argument("--cold-seconds", type=float, default=15, help="wrk duration for the cold-start requests")
    parser.add_argument("--cold-rounds", type=int, default=2, help="alternating cold starts per server (default 2)")
    parser.add_argument("--timeout", type=float, default=30, help="wrk: a request slower than this counts as an error")
    parser.add_argument("--workdir", help="keep builds and databases here (reused by the next run)")
    parser.add_argument("--json", help="also write all numbers to this file")
    parser.add_argument("--render", metavar="JSON", help="only print the tables of a file written by --json (again)")
    parser.add_argument("--markdown", action="store_true", help="with --render: compact Markdown tables (bench/README.md)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1×, 2 s, one round, a few queries")
    args = parser.parse_args(argv)
    if args.quick:
        args.factors, args.seconds, args.repeats, args.warmup, args.cold = "1", 2, 1, 1, 50
        args.cold_seconds, args.only = 5, args.only or "a,b,d,e,massnahme-als-graph,page"
    args.only = "" if args.only in (None, "all") else args.only
    args.factors = [int(f) for f in args.factors.split(",")]
    chosen = {e.strip() for e in args.engines.split(",") if e.strip()}
    unknown = chosen - set(ENGINES)
    if unknown:
        parser.error(f"unknown engines {sorted(unknown)}; choose from {', '.join(ENGINES)}")
    if "ours-virtuoso" in chosen and "virtuoso" not in chosen:
        parser.error("ours-virtuoso (our server with KG_SPARQL_ENDPOINT on Virtuoso) needs virtuoso in --engines too")
    args.engines = [e for e in ENGINES if e in chosen]
    args.only = {k.strip() for k in args.only.split(",") if k.strip()}
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        saved = report.from_json(json.loads(Path(args.render).read_text()))
        print(report.markdown(saved) if args.markdown else report.render(saved, "as saved in " + args.render))
        return 0
    # Stopped from outside (kill, or ^C also when started in the background): unwind, so every server is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if not args.check_only and not wrk_available():
        print("skipped: wrk is not installed: run bench/peers-setup.sh (apt-get install wrk)")
        return 2
    top = Path(args.workdir).resolve() if args.workdir else Path(tempfile.mkdtemp(prefix="kg-peers-"))
    top.mkdir(parents=True, exist_ok=True)
    wrk = None if args.check_only else Wrk(top, args.connections, args.threads, args.timeout)
    log(f"work dir {top}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores before the start")
    results = []
    try:
        for factor in args.factors:
            results.append(run_factor(factor, args, top, wrk))
    finally:
        if not args.workdir:
            shutil.rmtree(top, ignore_errors=True)
    settings = f"wrk {args.connections} connections, {args.threads} threads, {args.seconds:g} s per run, {args.repeats} alternating round(s)"
    print(report.render(results, settings, answers_only=args.check_only))
    if args.json:
        Path(args.json).write_text(json.dumps(report.as_json(results), indent=1))
    # Exit 1 when our endpoint's answers differ; a peer's differences are printed loudly but are not ours to fix.
    ours = (" · ours · ", " · ours cache on · ")
    return 1 if any(tag in d for r in results for d in r.disagreements for tag in ours) else 0


if __name__ == "__main__":
    sys.exit(main())
