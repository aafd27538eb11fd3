"""What one page costs as the data grows: every page type rendered at 1×, 100× (and 1000×), growth exponent k.

Per factor, in a fresh process: the build of the real data (1×) or of `kg synth --factor N`, an app on it
(``create_app``, embedded store, answer cache off) and Flask's test client – no HTTP, no gunicorn, so the numbers
are the cost of the page itself: its queries, the Python that shapes them and the template. For every page type
(every kind of resource under /id/ as an HTML page, a measure's Turtle, and the overview pages) the same number
of resources is drawn evenly at random from all resources of that kind, each requested ``--repeats`` times; the
first request of every type runs unmeasured beforehand, so the per-build tables (the measure table, labels, the
search index, built once per build and shared by all pages) are reported apart as "setup" and not charged to a
page. A kept rendered page (server.caches.rendered_page, where present) is dropped before every request.

Times are CPU seconds of the process (time.process_time; the store runs in it): on a shared machine wall time
stretches with the load, CPU time does not. The growth exponent k (cost ∝ factor^k) is taken between the smallest
and the largest factor from the p50 of each type. A page about one resource (and a document of fixed size, the
ontology) should cost the same whatever the size of the graph: k > 0.2 is flagged for those ("bounded"). Overview
pages list or count everything and are shown, not flagged.

    .venv/bin/python bench/pages.py                     # 1× and 100× (~3 min on 2 cores, builds included)
    .venv/bin/python bench/pages.py --factors 1,100,1000 --sample 5   # 1000×: build ~4 min, 11 GB RAM
    .venv/bin/python bench/pages.py --workdir /tmp/kg-bench   # keep and reuse builds (same layout as peers.py)

Exit status 1 when a per-resource page type has k > 0.2 (or a page failed), so a regression shows in a script.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KG = Path(sys.executable).parent / "kg"
FLAT = 0.2  # the bound on k for a page about one resource
# Documents whose content does not grow with the data (the ontology): flagged like a page about one resource.
FIXED = {"ontology": "/def/ik", "ontology, Turtle": "/def/ik.ttl", "SPARQL page": "/sparql"}
# Pages about everything: their cost may grow with the data (they are paged, capped or built once per build).
OVERVIEWS = {
    "home": "/",
    "measure list": "/massnahmen",
    "measure list, one unit": "/massnahmen?oe={oe}",
    "search 'Sprache'": "/suche?q=Sprache",
    "Drucksachen index": "/id/drucksache/",
    "listing of measures": "/id/massnahme/",
    "catalog": "/catalog",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare_build(factor: int, workdir: Path) -> Path:
    """``workdir/build`` of the real data or of ``kg synth --factor N`` (kept and reused, as in bench/peers.py)."""
    build = workdir / "build"
    if (build / "manifest.json").exists():
        return build
    started = time.monotonic()
    data = ROOT / "data"
    if factor != 1:
        data = workdir / "data"
        if not (data / "massnahmen.csv").exists():
            subprocess.run([str(KG), "synth", "--factor", str(factor), "--out", str(data)], check=True, cwd=ROOT,
                           stdout=subprocess.DEVNULL)
    subprocess.run([str(KG), "build", "--data", str(data), "--out", str(build)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    log(f"  built {factor}× in {time.monotonic() - started:.0f} s")
    return build


# ------------------------------------------------------------------ one factor, in its own process

def _keys_by_kind(store, base: str) -> dict[str, list[str]]:
    from kg.namespaces import TYPES

    prefix = f"{base}id/"
    rows = store.select(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{prefix}")) }}')
    keys: dict[str, list[str]] = {}
    for r in rows:
        kind, _, key = r["s"][len(prefix):].partition("/")
        if kind in TYPES and key and "/" not in key:
            keys.setdefault(kind, []).append(key)
    return {kind: sorted(found) for kind, found in sorted(keys.items())}


def measure_factor(build: Path, sample: int, repeats: int, seed: int) -> dict:
    """Per page type: CPU ms per request (p50 and max over the resources drawn), and the setup cost."""
    from server import caches
    from server.app import create_app
    from server.state import published

    app = create_app({"KG_BUILD_DIR": str(build), "KG_QUERY_CACHE_MB": 0})
    client = app.test_client()
    forget = getattr(caches, "forget_pages", lambda: None)
    with app.app_context():
        base = app.config["KG_BASE_URI"]
        keys = _keys_by_kind(published().store, base)
    rng = random.Random(seed)
    paths: dict[str, list[str]] = {}
    for kind, found in keys.items():
        chosen = rng.sample(found, min(sample, len(found)))
        paths[f"/doc/{kind}/…"] = [f"/doc/{kind}/{k}.html" for k in chosen]
    paths["/doc/massnahme/….ttl"] = [p.replace(".html", ".ttl") for p in paths["/doc/massnahme/…"]]
    units = rng.sample(keys["oe"], min(sample, len(keys["oe"])))
    for name, template in (FIXED | OVERVIEWS).items():
        paths[name] = [template.format(oe=u) for u in units] if "{oe}" in template else [template]

    def get(path: str) -> tuple[float, float]:
        forget()
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers={"Accept": "text/html"})
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return cpu, wall

    setup_started = time.process_time()
    first = {name: get(ps[0])[0] for name, ps in paths.items()}  # builds the per-build tables; not charged
    setup = time.process_time() - setup_started
    result = {"triples": len(published_store(app)), "setup_cpu_s": setup, "first_ms": {n: v * 1000 for n, v in first.items()},
              "pages": {}, "load": os.getloadavg()[0]}
    for name, ps in paths.items():
        per_resource, walls = [], []
        for path in ps:
            runs = [get(path) for _ in range(repeats)]
            per_resource.append(statistics.median(c for c, _ in runs) * 1000)
            walls.append(statistics.median(w for _, w in runs) * 1000)
        result["pages"][name] = {"p50_ms": statistics.median(per_resource), "max_ms": max(per_resource),
                                 "wall_p50_ms": statistics.median(walls), "resources": len(ps),
                                 "bounded": name.startswith("/doc/") or name in FIXED}
    return result


def published_store(app):
    from server.state import published

    with app.app_context():
        return published().store


# ------------------------------------------------------------------ the table

def exponent(small: float, large: float, ratio: float) -> float:
    return math.log(max(large, 1e-6) / max(small, 1e-6)) / math.log(ratio)


def render(results: dict[int, dict]) -> tuple[str, list[str]]:
    factors = sorted(results)
    lo, hi = factors[0], factors[-1]
    head = f"{'page type':<28}" + "".join(f"{f'{f}× p50 (max) ms':>22}" for f in factors) + f"{'k':>7}  bounded"
    lines = [head, "-" * len(head)]
    flagged = []
    for name, row in results[lo]["pages"].items():
        cells = "".join(f"{results[f]['pages'][name]['p50_ms']:>12.1f} ({results[f]['pages'][name]['max_ms']:>6.1f})  "
                        for f in factors)
        k = exponent(row["p50_ms"], results[hi]["pages"][name]["p50_ms"], hi / lo) if hi > lo else float("nan")
        mark = ""
        if row["bounded"]:
            mark = "yes  ✗ k > 0.2" if k > FLAT else "yes  ✓"
            if k > FLAT:
                flagged.append(name)
        lines.append(f"{name:<28}{cells}{k:>7.2f}  {mark}")
    lines.append("")
    for f in factors:
        r = results[f]
        lines.append(f"{f}×: {r['triples']:,} triples; per-build setup (first request of every type) {r['setup_cpu_s']:.1f} CPU s;"
                     f" load average {r['load']:.1f} on {os.cpu_count()} cores during the run")
    return "\n".join(lines), flagged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--factors", default="1,100", help="data sizes: 1 = the real data, N = kg synth --factor N")
    parser.add_argument("--sample", type=int, default=10, help="resources drawn per page type (default 10)")
    parser.add_argument("--repeats", type=int, default=3, help="requests per resource (default 3; the median counts)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--workdir", help="keep builds here (reused by the next run); default: a temp dir")
    parser.add_argument("--json", help="also write all numbers to this file")
    parser.add_argument("--child", nargs=2, metavar=("BUILD", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        Path(args.child[1]).write_text(json.dumps(measure_factor(Path(args.child[0]), args.sample, args.repeats, args.seed)))
        return 0
    factors = sorted({int(f) for f in args.factors.split(",")})
    top = Path(args.workdir).resolve() if args.workdir else Path(tempfile.mkdtemp(prefix="kg-pages-"))
    log(f"work dir {top}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores before the start")
    results: dict[int, dict] = {}
    try:
        for factor in factors:
            workdir = top / f"{factor}x"
            workdir.mkdir(parents=True, exist_ok=True)
            build = prepare_build(factor, workdir)
            out = workdir / "pages.json"
            log(f"  {factor}×: rendering every page type ({args.sample} resources × {args.repeats})")
            subprocess.run([sys.executable, __file__, "--child", str(build), str(out), "--sample", str(args.sample),
                            "--repeats", str(args.repeats), "--seed", str(args.seed)], check=True)
            results[factor] = json.loads(out.read_text())
    finally:
        if not args.workdir:
            shutil.rmtree(top, ignore_errors=True)
    table, flagged = render(results)
    print(f"CPU ms per page (p50 over the resources drawn, max in brackets); k between {factors[0]}× and {factors[-1]}×\n")
    print(table)
    if len(factors) > 1:
        print("\ngoal 'per-resource page cost flat (k ≤ 0.2)': "
              + ("met for every per-resource page type" if not flagged else "NOT met for " + ", ".join(flagged)))
    if args.json:
        Path(args.json).write_text(json.dumps({str(f): r for f, r in results.items()}, indent=1))
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
