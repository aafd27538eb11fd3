"""How the build and typical queries grow with the data: synthetic 1×, 10×, 100× (and 1000× when affordable).

Per factor, in a fresh subprocess: the build (kg.build.build) with kg.build's wall-clock phases (validation runs
in forked worker processes while the files are written, so "validate" and "write" overlap and "build" is the
total), the CPU seconds of the whole build and of the validation workers; peak memory of the build process and
of its largest worker (ru_maxrss, read before any query store is loaded); the CPU time of each CSV view that
write exports; then the p50 of typical queries on pyoxigraph (kg.store.Store.from_ntriples(build/graph.nt))
and, at 1× and 10×, of the same queries on rdflib's own SPARQL engine as the baseline.

Times that decide growth are CPU seconds (getrusage / time.process_time): on a shared machine wall time
stretches with the load, CPU time does not; on an idle machine they agree ("wall/cpu" shows the load).
The growth exponent k between the two largest measured factors (cost ∝ factor^k) flags anything that grows
worse than linearly (k > 1.15). 1000× is extrapolated part by part with each part's own k, and run only
when that estimate fits --budget (default 600 s) or with --try-1000 (then stopped at the budget).

    .venv/bin/python bench/scale.py [--factors 1 10 100] [--try-1000] [--budget 600]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import export, synth  # noqa: E402
from kg.build import Project, build  # noqa: E402
from kg.namespaces import DEFAULT_BASE, PREFIXES  # noqa: E402
from kg.store import Store  # noqa: E402
from server.sparql.examples import DEFAULT_BODY, EXAMPLES, Example  # noqa: E402

PREFIX = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()) + "\n"
ID = f"{DEFAULT_BASE}id/"
# Typical: what the query page offers (its examples and the form's default query, as served) and lookups of
# one resource. Full scans: questions over every measure, counted live – what the examples avoid by reading the
# build's ik:anzahlMassnahmen – kept to show how the engine itself grows.
TYPICAL = {f"example {e.slug}": e.query(DEFAULT_BASE) for e in EXAMPLES} | {
    "form default (first 20 by number)": Example("default", "", "", DEFAULT_BODY).query(DEFAULT_BASE),
    "one measure (lookup)": PREFIX + f"SELECT ?p ?o WHERE {{ <{ID}massnahme/42> ?p ?o }}",
    "measures citing a Drucksache": PREFIX + f"""
        SELECT ?m ?titel WHERE {{ ?m dcterms:references <{ID}drucksache/IV-0349> ; dcterms:title ?titel }} LIMIT 100""",
}
FULL_SCANS = {f"live: {name}": PREFIX + body.replace("{ID}", ID) for name, body in {
    "measures per field": """
        SELECT ?feld ?label (COUNT(?m) AS ?n) WHERE {
          ?m a ik:Massnahme ; ik:handlungsfeld ?feld . ?feld skos:prefLabel ?label FILTER(lang(?label) = "de")
        } GROUP BY ?feld ?label ORDER BY DESC(?n)""",
    "measures of OE 51 + teams": """
        SELECT ?m ?titel WHERE {
          ?oe org:subOrganizationOf* <{ID}oe/51> . ?m ik:zustaendig ?oe ; dcterms:title ?titel
        } ORDER BY ?m""",
    "Drucksachen cited most": """
        SELECT ?d (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a ik:Massnahme ; dcterms:references ?d }
        GROUP BY ?d ORDER BY DESC(?n) ?d LIMIT 10""",
    "Geflüchtete by field, path form": """
        SELECT ?feld (COUNT(DISTINCT ?m) AS ?n) WHERE {
          ?m ik:zielgruppe/skos:broader* <{ID}zielgruppe/gefluechtete> ; ik:handlungsfeld ?feld
        } GROUP BY ?feld ORDER BY DESC(?n)""",  # Oxigraph evaluates this sequence path quadratically
    "goals without measures": """
        SELECT ?z ?label WHERE { ?z a ik:Ziel ; skos:prefLabel ?label FILTER NOT EXISTS { ?m ik:verfolgtZiel ?z } }""",
    "title search 'Sprach'": """
        SELECT ?m ?titel WHERE { ?m a ik:Massnahme ; dcterms:title ?titel FILTER(CONTAINS(LCASE(STR(?titel)), "sprach")) }""",
}.items()}
QUERIES = TYPICAL | FULL_SCANS
GOAL_MS = 100  # the goal for typical queries at 1000×
RDFLIB_FACTORS = (1, 10)
SUPERLINEAR = 1.15  # growth exponent above which a cost counts as worse than linear
Row = dict


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


# ------------------------------------------------------------------ worker (one factor, in a subprocess)


def worker(data: Path, out: Path, with_rdflib: bool) -> Row:
    cpu, workers_cpu = cpu_seconds(), cpu_seconds(resource.RUSAGE_CHILDREN)
    result = build(out=out, project=Project(data=data))
    validate_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - workers_cpu
    row = {"triples": len(result.graph), **result.timings,
           "cpu": {"build": cpu_seconds() - cpu + validate_cpu,
                   # in worker processes when the graph is large, else in this one (then CPU ≈ wall)
                   "validate": validate_cpu or result.timings["validate"]},
           "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
           "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}
    del result
    t = time.perf_counter()
    store = Store.from_ntriples(out / "graph.nt")
    row["oxigraph_load"] = time.perf_counter() - t
    row["csv"] = {name: _cpu_of(lambda name=name: export.csv_table(store, name)) for name in export.CSV_VIEWS}
    row["oxigraph"], row["rows"] = query_p50(lambda q: list(store.query(q)), runs=15, budget=3.0)
    if with_rdflib:
        from rdflib import Graph

        graph = Graph().parse(out / "graph.nt", format="nt")
        row["rdflib"], rdflib_rows = query_p50(lambda q: list(graph.query(q)), runs=7, budget=20.0)
        disagree = {q: (n, row["rows"][q]) for q, n in rdflib_rows.items() if n is not None and n != row["rows"][q]}
        assert not disagree, ("engines disagree", disagree)
    return row


def _cpu_of(task) -> float:
    started = time.process_time()
    task()
    return time.process_time() - started


def query_p50(execute, runs: int, budget: float) -> tuple[dict[str, float], dict[str, int]]:
    """Median CPU seconds per query over up to ``runs`` runs (at least 3, fewer once ``budget`` is spent) and result sizes."""
    p50, sizes = {}, {}
    for name, body in QUERIES.items():
        times, started = [], time.perf_counter()
        while len(times) < runs and (len(times) < 3 or time.perf_counter() - started < budget):
            t = time.process_time()
            try:
                sizes[name] = len(execute(body))
            except Exception as exc:  # noqa: BLE001 – rdflib fails on some valid queries; shown as n/a
                print(f"{name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                sizes[name] = None
                break
            times.append(time.process_time() - t)
        p50[name] = statistics.median(times) if times else None
    return p50, sizes


# ------------------------------------------------------------------ driver


def measure(factor: int, work: Path, budget: float) -> Row | None:
    """Generate the data set and measure it in a subprocess; None when it runs over ``budget``."""
    data = synth.generate(work / f"data{factor}", factor)
    cmd = [sys.executable, __file__, "--worker", str(data), str(work / f"build{factor}" / "build"),
           "rdflib" if factor in RDFLIB_FACTORS else "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=budget, check=False)
    except subprocess.TimeoutExpired:
        return None
    finally:
        shutil.rmtree(work / f"build{factor}", ignore_errors=True)
        shutil.rmtree(work / f"data{factor}", ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"×{factor} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_parts(row: Row) -> dict[str, float]:
    """CPU seconds of the build split into parts that grow differently (the CSV views measured on their own)."""
    csv = sum(row["csv"].values())
    return {"load+map": row["load_map"], "validate": row["cpu"]["validate"],
            "write w/o CSV views": max(row["write"] - csv, 0.0), **{f"CSV view {v}": s for v, s in row["csv"].items()}}


def build_cpu(row: Row) -> float:
    return row["cpu"]["build"]


def exponent(small: float, large: float, ratio: float) -> float:
    """k in large/small = ratio^k."""
    return math.log(large / small) / math.log(ratio) if small > 0 and large > 0 else float("nan")


def extrapolate(rows: dict[int, Row], target: int) -> Row:
    """The largest measured row scaled to ``target``, each part with its own exponent between the two largest factors."""
    small, large = sorted(rows)[-2:]

    def grow(a: float, b: float) -> float:
        k = exponent(a, b, large / small)
        return b * (target / large) ** (k if math.isfinite(k) else 1.0)

    a, b = build_parts(rows[small]), build_parts(rows[large])
    parts = {name: grow(a[name], b[name]) for name in b}
    csv = {v: parts[f"CSV view {v}"] for v in rows[large]["csv"]}
    write = parts["write w/o CSV views"] + sum(csv.values())
    cpu = parts["load+map"] + parts["validate"] + write
    # Two cores: validation and writing overlap, so the build takes about half of what follows load+map.
    parallel = (os.cpu_count() or 1) > 1 and rows[large]["worker_rss_mb"] > 0
    total = parts["load+map"] + ((parts["validate"] + write) / 2 if parallel else parts["validate"] + write)
    return {
        "triples": grow(rows[small]["triples"], rows[large]["triples"]),
        "load_map": parts["load+map"], "validate": parts["validate"], "write": write, "total": total,
        "cpu": {"build": cpu, "validate": parts["validate"]}, "csv": csv,
        "rss_mb": grow(rows[small]["rss_mb"], rows[large]["rss_mb"]),
        "worker_rss_mb": grow(max(rows[small]["worker_rss_mb"], 1), max(rows[large]["worker_rss_mb"], 1)),
        "oxigraph_load": grow(rows[small]["oxigraph_load"], rows[large]["oxigraph_load"]),
        "oxigraph": {q: grow(rows[small]["oxigraph"][q], v) for q, v in rows[large]["oxigraph"].items()},
    }


# ------------------------------------------------------------------ report


def print_build_table(rows: dict[int, Row], estimated: set[int]) -> None:
    print(f"{'factor':>7}{'measures':>10}{'triples':>11}{'load+map':>10}{'validate':>10}{'write':>9}{'build':>9}"
          f"{'CPU':>9}{'cpu/wall':>9}{'peak MB':>9}{'worker MB':>10}{'oxi load':>10}"
          "   (seconds, wall; validate and write overlap; cpu/wall > 1: parallel)")
    for f, r in sorted(rows.items()):
        mark = "  extrapolated, CPU-based" if f in estimated else ""
        print(f"{f:>6}×{129 * f:>10,}{r['triples']:>11,.0f}{r['load_map']:>10.2f}{r['validate']:>10.2f}{r['write']:>9.2f}"
              f"{r['total']:>9.1f}{build_cpu(r):>9.1f}{build_cpu(r) / r['total']:>9.2f}{r['rss_mb']:>9.0f}"
              f"{r['worker_rss_mb']:>10.0f}{r['oxigraph_load']:>10.2f}{mark}")


def print_query_table(rows: dict[int, Row], estimated: set[int]) -> None:
    factors = sorted(rows)
    measured = [f for f in factors if f not in estimated]
    baseline = [f for f in measured if "rdflib" in rows[f]]
    head = "".join(f"{f'ox {f}×':>11}" for f in factors) + "".join(f"{f'rdflib {f}×':>12}" for f in baseline)
    head += "".join(f"{f'ox/rdflib {f}×':>14}" for f in baseline)
    print(f"{'query p50, CPU ms':<46}{head}   rows {'/'.join(f'{f}×' for f in measured)}")
    for q in QUERIES:
        line = "".join(f"{rows[f]['oxigraph'][q] * 1000:>10.2f}{'*' if f in estimated else ' '}" for f in factors)
        line += "".join(f"{rows[f]['rdflib'][q] * 1000:>12.1f}" if rows[f]["rdflib"][q] else f"{'n/a':>12}" for f in baseline)
        line += "".join(f"{rows[f]['oxigraph'][q] / rows[f]['rdflib'][q]:>14.4f}" if rows[f]["rdflib"][q] else f"{'n/a':>14}"
                        for f in baseline)
        print(f"{q:<46}{line}   {'/'.join(str(rows[f]['rows'][q]) for f in measured)}")
    if estimated:
        print("* extrapolated")
    largest = factors[-1]
    typical = sorted(rows[largest]["oxigraph"][q] * 1000 for q in TYPICAL)
    within = sum(ms < GOAL_MS for ms in typical)
    print(f"\nTypical queries at {largest}×{' (extrapolated)' if largest in estimated else ''}: {within} of {len(typical)} "
          f"under {GOAL_MS} ms, median {statistics.median(typical):.1f} ms, slowest {typical[-1]:.0f} ms.")


def print_csv_views(rows: dict[int, Row], estimated: set[int]) -> None:
    factors = sorted(rows)
    print(f"{'CSV views of write, CPU s':<28}" + "".join(f"{f'{f}×':>11}" for f in factors))
    for view in rows[factors[0]]["csv"]:
        print(f"{view:<28}" + "".join(f"{rows[f]['csv'][view]:>10.2f}{'*' if f in estimated else ' '}" for f in factors))


def print_growth(rows: dict[int, Row], estimated: set[int]) -> None:
    measured = sorted(f for f in rows if f not in estimated)
    if len(measured) < 2:
        return
    small, large = measured[-2:]
    print(f"\nGrowth exponent k, {small}× → {large}× (CPU; 1.0 = linear; flagged when > {SUPERLINEAR}):")
    metrics = {f"build: {name}": (a, build_parts(rows[large])[name]) for name, a in build_parts(rows[small]).items()}
    metrics["build total"] = (build_cpu(rows[small]), build_cpu(rows[large]))
    metrics["peak RSS"] = (rows[small]["rss_mb"], rows[large]["rss_mb"])
    metrics["oxigraph load (wall)"] = (rows[small]["oxigraph_load"], rows[large]["oxigraph_load"])
    metrics |= {f"query: {q}": (rows[small]["oxigraph"][q], rows[large]["oxigraph"][q]) for q in QUERIES}
    for name, (a, b) in metrics.items():
        k = exponent(a, b, large / small)
        flag = "  <-- worse than linear" if k > SUPERLINEAR else ""
        print(f"  {name:<40}{k:6.2f}   ({a:.4g} → {b:.4g}){flag}")


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--try-1000", action="store_true", help="run 1000× even if the extrapolation exceeds the budget")
    parser.add_argument("--budget", type=float, default=600, help="seconds allowed for the 1000× run")
    args = parser.parse_args()
    began = time.perf_counter()
    print(f"bench/scale.py – load average {loadavg()}, {os.cpu_count()} CPUs", flush=True)
    rows: dict[int, Row] = {}
    estimated: set[int] = set()
    with tempfile.TemporaryDirectory(prefix="kg-scale-") as tmp:
        for factor in sorted(args.factors):
            t = time.perf_counter()
            rows[factor] = measure(factor, Path(tmp), budget=3600)
            print(f"  {factor}× measured in {time.perf_counter() - t:.0f} s", flush=True)
        if 1000 not in rows and len(rows) >= 2:
            guess = extrapolate(rows, 1000)
            affordable = guess["total"] < args.budget
            verdict = "running it" if affordable or args.try_1000 else f"over the {args.budget:.0f} s budget, not run"
            print(f"  1000× estimated: build {guess['total']:.0f} s – {verdict}", flush=True)
            measured = measure(1000, Path(tmp), args.budget) if affordable or args.try_1000 else None
            rows[1000] = measured or guess
            estimated = set() if measured else {1000}
    print()
    print_build_table(rows, estimated)
    print()
    print_query_table(rows, estimated)
    print()
    print_csv_views(rows, estimated)
    print_growth(rows, estimated)
    print(f"\n{time.perf_counter() - began:.0f} s in all; load average after {loadavg()} (wall/cpu > 1: other processes on the machine)")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        print(json.dumps(worker(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "rdflib")))
    else:
        main()
