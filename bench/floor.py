"""The floor under our SPARQL endpoint: what the HTTP stack alone serves, against Oxigraph's own server, in one run.

Issue 18 asks that lookups of one thing reach 0.5× the req/s of Oxigraph's server (``oxigraph serve-read-only``, Rust).
Whether that is reachable at all with the stack this project runs on – gunicorn supervising Python web processes,
Flask, the query in a separate killable process – is measured here by taking everything away but the HTTP server:

- **floor: kg serve's server, bare WSGI** – gunicorn with kg serve's own settings (server/serving/gunicorn_config.py:
  2 processes, waitress) and an app that only returns a fixed answer (the bytes of a real lookup answer);
- **floor: + Flask** – the same through one Flask route;
- **floor: gunicorn gthread, bare WSGI** – gunicorn's own threaded worker instead of waitress (2 × 32 threads);
- **ours** – our endpoint answering the lookups of the goal (b, c, d, the OE example) for real, parameters rotating,
  answer cache off;
- **oxigraph server** – the same queries.

wrk as in bench/peers.py (8 connections), engines alternating round by round, ratios to Oxigraph taken pair by pair.
The floors are compared with Oxigraph's req/s for each lookup: the last lines say, per lookup, whether a Flask route
that does nothing at all (and a bare WSGI app) reaches 0.5× Oxigraph – if not, no request path on this stack can.

    bash bench/peers-setup.sh        # once: wrk (and the Oxigraph server from the test extra)
    .venv/bin/python bench/floor.py [--factor 1] [--seconds 5] [--rounds 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyoxigraph as ox  # noqa: E402
from peerlib.engines import BIN, Engine, Ours, OxigraphServer, Skipped, http_get  # noqa: E402
from peerlib.queries import LOOKUPS, Parameters, Query, build_queries  # noqa: E402
from peerlib.wrk import Wrk  # noqa: E402
from peers import log, measured, prepare_build  # noqa: E402

from kg.namespaces import DEFAULT_BASE  # noqa: E402

HERE = Path(__file__).resolve().parent
GOAL = 0.5  # of Oxigraph server's req/s


class Floor(Engine):
    """gunicorn serving bench/peerlib/floor_app.py: the fixed answer, nothing behind it."""

    def __init__(self, build: Path, workdir: Path, name: str, app: str, settings: list[str], body: Path) -> None:
        self.name = name
        super().__init__(build, workdir)
        self.app, self.settings, self.body = app, settings, body

    @property
    def cwd(self) -> Path:
        return HERE  # peerlib is importable from here

    def command(self) -> tuple[list[str], dict[str, str]]:
        return ([str(BIN / "gunicorn"), f"peerlib.floor_app:{self.app}", *self.settings, "--bind", f"127.0.0.1:{self.port}"],
                {"KG_FLOOR_BODY": str(self.body), "PYTHONPATH": str(HERE.parent)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=1, help="data size: 1 (the report) or a kg synth factor")
    parser.add_argument("--queries", default=",".join(LOOKUPS), help=f"lookups of bench/peerlib/queries.py (default {','.join(LOOKUPS)})")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workdir", type=Path, help="keep builds and databases here (default: a temporary directory)")
    args = parser.parse_args(argv)
    top = args.workdir or Path(tempfile.mkdtemp(prefix="kg-floor-"))
    workdir = top / f"{args.factor}x"
    workdir.mkdir(parents=True, exist_ok=True)
    build = prepare_build(args.factor, workdir)
    store = ox.Store()
    store.bulk_load(path=str(build / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    wanted = args.queries.split(",")
    queries = [q for q in build_queries(Parameters.of(store, DEFAULT_BASE), DEFAULT_BASE, 200) if q.key in wanted]

    ours, oxigraph = Ours(build, workdir, cache_mb=0), OxigraphServer(build, workdir)
    answer = workdir / "floor-answer.json"
    config = ["--config", "python:server.serving.gunicorn_config"]
    floors = [Floor(build, workdir, "floor: kg serve's server, bare WSGI", "bare", config, answer),
              Floor(build, workdir, "floor: + Flask", "flask_app", config, answer),
              Floor(build, workdir, "floor: gunicorn gthread, bare WSGI", "bare",
                    ["--worker-class", "gthread", "--workers", "2", "--threads", "32"], answer)]
    wrk = Wrk(workdir, args.connections, 2, 30)
    # (engine, query or None for a floor): what one round measures, in this order
    runs_of: list[tuple[Engine, Query | None]] = [(e, q) for q in queries for e in (oxigraph, ours)] + [(f, None) for f in floors]
    paths: dict[tuple[str, str], Path] = {}
    runs: dict[tuple[str, str], list] = {}
    try:
        for engine in (oxigraph, ours):
            engine.start(queries[0].texts[0])
        status, _, body = http_get(ours.url + ours.path(queries[0].texts[0]), queries[0].accept)
        if status != 200:
            raise SystemExit(f"our endpoint answered {status}: {body[:200]!r}")
        answer.write_bytes(body)  # the floor serves the bytes of a real answer
        for floor in floors:
            floor.spawn()
            floor.wait_ready("/sparql", "application/sparql-results+json", timeout=60)
        for n, (engine, query) in enumerate(runs_of):
            key = (engine.name, query.key if query else "")
            paths[key] = workdir / f"floor-paths-{n}.txt"
            texts = query.texts if query else ("",)
            paths[key].write_text("\n".join(engine.path(t) for t in texts) + "\n")
            runs[key] = []
            wrk.run(engine.url, paths[key], query.accept if query else "*/*", 2)  # warm-up
            engine.settle()
        for r in range(args.rounds):
            for engine, query in runs_of:
                key = (engine.name, query.key if query else "")
                stats = measured(wrk, engine, paths[key], query.accept if query else "*/*", args.seconds)
                runs[key].append(stats)
                engine.settle()
                log(f"round {r + 1}: {engine.name} {key[1]}: {stats.rps:,.0f} req/s (p50 {stats.p50_ms:.2f} ms)")
    except Skipped as exc:
        print(f"skipped: {exc}")
        return 0
    finally:
        for engine in (oxigraph, ours, *floors):
            engine.stop()
    report(args, queries, floors, ours, oxigraph, runs)
    return 0


def report(args, queries: list[Query], floors: list[Floor], ours: Engine, oxigraph: Engine, runs: dict) -> None:
    print(f"at {args.factor}×, wrk {args.connections} connections, {args.seconds:g} s × {args.rounds} alternating rounds; "
          "× = req/s ÷ Oxigraph server's for the same lookup in the same round (median)")
    header = f"{'lookup':<28} {'server':<38} {'req/s':>9} {'p50 ms':>7} {'CPU ms/req':>11} {'× Oxigraph':>11}"
    print(header)
    print("-" * len(header))
    verdicts = []
    for query in queries:
        reference = runs[(oxigraph.name, query.key)]
        ratios = {}
        for engine in (oxigraph, ours, *floors):
            stats = runs[(engine.name, query.key if engine in (oxigraph, ours) else "")]
            ratios[engine.name] = statistics.median(s.rps / o.rps for s, o in zip(stats, reference, strict=True))
            cpu = statistics.median(sum((s.cpu_ms or {}).values()) for s in stats)
            errors = sum(s.errors for s in stats)
            print(f"{query.key if engine is oxigraph else '':<28} {engine.name:<38} {statistics.median(s.rps for s in stats):>9,.0f} "
                  f"{statistics.median(s.p50_ms for s in stats):>7.2f} {cpu:>11.3f} {ratios[engine.name]:>10.3f}×"
                  + (f"  ({errors} errors)" if errors else ""))
        verdicts.append((query.key, ratios[ours.name], ratios[floors[0].name], ratios[floors[1].name]))
    print()
    for key, mine, bare, flask in verdicts:
        print(f"{key}: ours {mine:.3f}×; the floor reaches {bare:.3f}× bare and {flask:.3f}× with Flask – goal {GOAL}× "
              + ("reachable" if flask >= GOAL else "NOT reachable even by a Flask route that returns fixed bytes")
              + ("" if bare >= GOAL else ", nor by a bare WSGI app"))


if __name__ == "__main__":
    sys.exit(main())
