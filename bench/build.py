"""Build time of the real data and of a synthetic N× set (default 100×), against a naive build measured in the same run.

ours  = kg.build.build(): load+map (CSV/YAML → RDF), validate (pyshacl, inference none, plus kg/checks.py), write
        (all formats, CSV and XLSX tables via Oxigraph, manifest); the phase times are kg.build's own Result.timings.
naive = rdflib parses the same graph (mapped data + ontology as N-Triples), pyshacl validates it with the same
        inference as ours ("none") and the ontology as ont_graph, rdflib serialises it to the same four RDF formats.
        It does less than ours (no tables, no graph rules, no gzip, no manifest): the ratio flatters the naive side.

Like for like: the same inference, and the same number of processes – at N× ours runs twice, with one process
(--jobs 1, as naive) and with its default worker processes, and both ratios are printed. --rdfs adds the naive
build with inference="rdfs" (what this benchmark compared against before; same findings, more work) as a row of
its own, never as the baseline.

Every measurement runs in a fresh subprocess (clean memory, enforceable budget). Besides wall-clock phases
each run reports its CPU seconds (user+sys): on a shared machine wall time stretches with the load, CPU
time does not, so the CPU ratio is the one to trust when "wall/cpu" is well above 1. By default the two
synthetic runs go one after the other (ours validates in worker processes on all cores, so running the naive build
beside it would slow both); --side-by-side runs them together to save time on a machine with spare cores.
The naive run gets what is left of --target (300 s) or --budget seconds; stopped, its unfinished phase shows
as ">s" (a lower bound) and the ratio as a bound "<r". Ours always runs to the end.

    .venv/bin/python bench/build.py [--factor 100] [--target 300 | --budget S] [--side-by-side] [--rdfs]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Graph

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import mapping, sources, synth  # noqa: E402
from kg.build import Project, _parse_dir, build  # noqa: E402
from kg.validate import default_workers as validate_workers  # noqa: E402
from kg.validate import load_shapes  # noqa: E402

PHASES = (("load_map", "load+map | parse"), ("validate", "validate"), ("write", "write | serialise"))
NAIVE_FORMATS = {"graph.ttl": "turtle", "graph.nt": "nt", "graph.jsonld": "json-ld", "graph.rdf": "xml"}
REAL_REPEATS = 3
PREPARE_RESERVE = 40  # seconds kept for preparing the naive input
OURS_BUDGET = 1800  # seconds; only a safety net – our build is what is measured, it is never cut short
Run = dict  # {"timings": {phase: wall s}, "cpu": s, "triples": n, "rss_mb": n, ["timeout": s when stopped]}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


# ------------------------------------------------------------------ workers (each in its own subprocess)


def worker_ours(data: Path, out: Path, workers: int | None = None) -> Run:
    # Validation runs in forked workers while the parent writes, so their CPU counts too and the phases overlap.
    cpu = cpu_seconds() + children_cpu_seconds()
    result = build(out=out, project=Project(data=data), workers=workers)
    return {"timings": result.timings, "cpu": cpu_seconds() + children_cpu_seconds() - cpu,
            "triples": len(result.graph), "rss_mb": rss_mb()}


def worker_naive(nt: Path, out: Path, inference: str = "none") -> Run:
    from pyshacl import validate

    cpu, timings = cpu_seconds(), {}
    t = time.perf_counter()
    graph = Graph().parse(nt, format="nt")
    ontology = Graph().parse(ROOT / "ontology" / "ik.ttl", format="turtle")
    shapes = load_shapes(sorted((ROOT / "shapes").glob("*.ttl")))
    timings["load_map"] = _phase_done("load_map", t, cpu)
    t = time.perf_counter()
    conforms, _, _ = validate(graph, shacl_graph=shapes, ont_graph=ontology, inference=inference, advanced=True, allow_warnings=True)
    timings["validate"] = _phase_done("validate", t, cpu)
    t, compiled = time.perf_counter(), cpu_seconds()
    out.mkdir(parents=True, exist_ok=True)
    for name, fmt in NAIVE_FORMATS.items():
        (out / name).write_bytes(graph.serialize(format=fmt, encoding="utf-8"))
    timings["write"] = _phase_done("write", t, cpu)
    return {"timings": timings, "cpu": cpu_seconds() - cpu, "cpu_write": cpu_seconds() - compiled,
            "triples": len(graph), "rss_mb": rss_mb(), "conforms": conforms}


def _phase_done(phase: str, started: float, cpu_start: float) -> float:
    """Print each finished phase at once, so a run stopped at its budget still tells how far it got."""
    seconds = time.perf_counter() - started
    print(json.dumps({"phase": phase, "seconds": seconds, "cpu": cpu_seconds() - cpu_start}), flush=True)
    return seconds


# ------------------------------------------------------------------ running workers


def start(kind: str, source: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--worker", kind, str(source), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, budget: float, started: float) -> Run:
    """The worker's result; over budget: the phases it finished, the CPU it used and "timeout"."""
    try:
        stdout, stderr = proc.communicate(timeout=max(1.0, budget - (time.perf_counter() - started)))
    except subprocess.TimeoutExpired:
        before = children_cpu_seconds()  # the stopped worker is the only child reaped until the next line
        proc.kill()
        stdout, _ = proc.communicate()
        done = [json.loads(line) for line in stdout.splitlines() if line.startswith('{"phase"')]
        return {"timeout": time.perf_counter() - started, "timings": {d["phase"]: d["seconds"] for d in done},
                "cpu": children_cpu_seconds() - before}
    if proc.returncode != 0:
        raise SystemExit(f"worker failed:\n{stderr}")
    return json.loads(stdout.strip().splitlines()[-1])


def measure(kind: str, source: Path, out: Path, budget: float) -> Run:
    return finish(start(kind, source, out), budget, time.perf_counter())


def median_run(runs: list[Run]) -> Run:
    """Per phase the median over repeated runs (the real data is quick enough to repeat)."""
    timings = {phase: statistics.median(r["timings"][phase] for r in runs) for phase in runs[0]["timings"]}
    cpu = {key: statistics.median(r[key] for r in runs) for key in ("cpu", "cpu_write") if key in runs[0]}
    return {**runs[0], "timings": timings, **cpu, "rss_mb": max(r["rss_mb"] for r in runs)}


def same_graph_as_ntriples(data: Path, nt: Path) -> Path:
    """The triples our build publishes (mapped data + ontology), without validating: the naive run's input."""
    graph = mapping.to_graph(sources.load(data)).graph + _parse_dir(ROOT / "ontology")
    nt.parent.mkdir(parents=True, exist_ok=True)
    nt.write_bytes(graph.serialize(format="nt", encoding="utf-8"))
    return nt


def measure_real(work: Path, rdfs: bool) -> dict[str, Run]:
    """The real data is below kg.validate.PARALLEL_FROM_TRIPLES: ours validates in one process, like naive."""
    nt = same_graph_as_ntriples(ROOT / "data", work / "real.nt")
    runs = {"ours": [measure("ours", ROOT / "data", work / f"real{i}" / "build", 120) for i in range(REAL_REPEATS)],
            "naive": [measure("naive", nt, work / f"naive{i}", 120) for i in range(REAL_REPEATS)]}
    if rdfs:
        runs["naive-rdfs"] = [measure("naive-rdfs", nt, work / f"naive-rdfs{i}", 120) for i in range(REAL_REPEATS)]
    return {kind: median_run(r) for kind, r in runs.items()}


def measure_synthetic(data: Path, work: Path, budget: float, parallel: bool, rdfs: bool) -> dict[str, Run]:
    """Ours with one process and with its default workers, and naive over the same graph, one after the other (or
    ours beside naive); only the naive runs have a budget."""
    nt = same_graph_as_ntriples(data, work / "synthetic.nt")
    runs = {"ours1": measure("ours1", data, work / "ours1" / "build", OURS_BUDGET)}
    if not parallel:
        runs["ours"] = measure("ours", data, work / "ours" / "build", OURS_BUDGET)
        runs["naive"] = measure("naive", nt, work / "naive", budget)
    else:
        started = time.perf_counter()
        ours, naive = start("ours", data, work / "ours" / "build"), start("naive", nt, work / "naive")
        runs["naive"] = finish(naive, budget, started)  # first, so that it is stopped right at its budget
        runs["ours"] = finish(ours, OURS_BUDGET, started)
    if rdfs:
        runs["naive-rdfs"] = measure("naive-rdfs", nt, work / "naive-rdfs", budget)
    return runs


# ------------------------------------------------------------------ where validation time goes


# ------------------------------------------------------------------ report

Seconds = tuple[float, str]  # (value, "=" exact | ">" lower bound of a run stopped at its budget | "?" unknown)


def seconds(run: Run, phase: str) -> Seconds:
    timings, budget = run["timings"], run.get("timeout")
    if phase == "total":  # ours reports its own total: validate and write overlap
        return (budget, ">") if budget else (timings.get("total", sum(timings.values())), "=")
    if phase == "cpu":
        return run["cpu"], ">" if budget else "="
    if phase == "cpu_compile":
        if "cpu_write" in run:
            return run["cpu"] - run["cpu_write"], "="
        return (run["cpu"], ">") if budget else (0.0, "?")
    if phase == "cpu_write":
        return (run["cpu_write"], "=") if "cpu_write" in run else (0.0, "?")
    if phase in timings:
        return timings[phase], "="
    first_missing = next(p for p, _ in PHASES if p not in timings)
    return (budget - sum(timings.values()), ">") if budget and phase == first_missing else (0.0, "?")


def _cell(value: Seconds) -> str:
    number, kind = value
    return {"=": f"{number:.2f}", ">": f">{number:.0f}", "?": "–"}[kind]


def _ratio(ours: Seconds, naive: Seconds) -> str:
    if ours[1] != "=" or naive[1] == "?" or naive[0] <= 0:
        return "–"
    return f"{ours[0] / naive[0]:.2f}" if naive[1] == "=" else f"<{ours[0] / naive[0]:.2f}"


def print_table(rows: list[tuple[str, Run, Run]]) -> None:
    print(f"{'data':<16}{'triples':>10}  {'phase (ours | naive), s':<24}{'ours':>9}{'naive':>9}{'ours/naive':>12}")
    for label, ours, naive in rows:
        lines = (*PHASES, ("total", "total wall s"), ("cpu_compile", "CPU load+map+validate"), ("cpu_write", "CPU write | serialise"),
                 ("cpu", "CPU total s"))
        for i, (phase, name) in enumerate(lines):
            o, n = seconds(ours, phase), seconds(naive, phase)
            head = f"{label:<16}{ours.get('triples', 0):>10,}" if i == 0 else " " * 26
            print(f"{head}  {name:<24}{_cell(o):>9}{_cell(n):>9}{_ratio(o, n):>12}")
        print(f"{'':<26}  {'peak RSS MB':<24}{ours.get('rss_mb', '–'):>9}{naive.get('rss_mb', '–'):>9}")
        print(f"{'':<26}  {'wall/cpu (load)':<24}{_load(ours):>9}{_load(naive):>9}")


def _load(run: Run) -> str:
    wall, cpu = seconds(run, "total"), seconds(run, "cpu")
    return f"{wall[0] / cpu[0]:.2f}" if wall[1] == cpu[1] == "=" and cpu[0] > 0 else "–"


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, default=100)
    parser.add_argument("--target", type=float, default=300, help="aim for the whole run to take about this many seconds")
    parser.add_argument("--budget", type=float, help="seconds for the naive synthetic run (default: what --target leaves)")
    parser.add_argument("--side-by-side", action="store_true", help="run the synthetic ours/naive builds at the same time")
    parser.add_argument("--rdfs", action="store_true", help="also the naive build with inference=rdfs (the old baseline)")
    args = parser.parse_args()
    parallel = args.side_by_side and (os.cpu_count() or 1) >= 2
    began = time.perf_counter()
    print(f"bench/build.py – load average {loadavg()}, {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(tmp)
        real = measure_real(work, args.rdfs)
        data = synth.generate(work / f"synth{args.factor}", args.factor)
        budget = args.budget or max(60.0, args.target - (time.perf_counter() - began) - PREPARE_RESERVE)
        print(f"synthetic {args.factor}×: ours and naive {'side by side' if parallel else 'one after the other'}, "
              f"naive stopped after {budget:.0f} s", flush=True)
        synthetic = measure_synthetic(data, work / "synthetic", budget, parallel, args.rdfs)
        print("\nbaseline: naive, one process, inference none (the same as ours)")
        jobs = validate_workers()
        rows = [("real (1×)", real["ours"], real["naive"]),
                (f"{args.factor}×, 1 proc", synthetic["ours1"], synthetic["naive"]),
                (f"{args.factor}×, {jobs} proc", synthetic["ours"], synthetic["naive"])]
        if args.rdfs:
            rows += [("real vs rdfs", real["ours"], real["naive-rdfs"]),
                     (f"{args.factor}× vs rdfs", synthetic["ours1"], synthetic["naive-rdfs"])]
        print_table(rows)
    print(f"\n{time.perf_counter() - began:.0f} s in all; load average after {loadavg()} "
          "(other processes on the machine stretch wall times, see wall/cpu)")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        kind, source, out = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
        workers = {"ours": lambda: worker_ours(source, out), "ours1": lambda: worker_ours(source, out, workers=1),
                   "naive": lambda: worker_naive(source, out), "naive-rdfs": lambda: worker_naive(source, out, "rdfs")}
        print(json.dumps(workers[kind]()))
    else:
        main()
