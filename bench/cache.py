"""Pages through nginx's cache (deploy/nginx.conf), hit and miss apart, against nginx serving the same bytes as files.

Per data size (the real build, `kg synth --factor N`, built as by bench/peers.py) and per document kind (a measure's
page `/doc/massnahme/N.html`, its Turtle `/doc/massnahme/N.ttl`), four ways, alternating round by round:
- **static**: nginx serving the bytes our server sent, as files (the baseline);
- **hit**: nginx with deploy/nginx.conf in front of `kg serve`, every path fetched once before (X-Cache-Status HIT
  checked on a sample), so the run is answered from the cache;
- **miss**: the same nginx, every request a path never asked before (`?v=<n>` makes the cache key and the app's kept
  page new), so nginx asks the app, which renders the page afresh: what the first reader of a document costs;
- **direct**: `kg serve` without nginx, the same paths as the hit run (the app's kept pages).
wrk (8 connections, Debian package) runs each; the ratios to static are paired per round.

    .venv/bin/python bench/cache.py --factors 1,100 --seconds 3 --repeats 2 --workdir /tmp/kg-bench
    .venv/bin/python bench/cache.py --factors 1 --check-only     (the answers compared, no timing: tests/bench)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peerlib.engines import Nginx, NginxCache, Ours, Skipped, free_port  # noqa: E402
from peerlib.wrk import Wrk  # noqa: E402
from peerlib.wrk import available as wrk_available  # noqa: E402
from peers import prepare_build  # noqa: E402

from tests.support.processes import fetch  # noqa: E402

KINDS = (("page", "html", "text/html"), ("ttl", "ttl", "text/turtle"))
WAYS = ("static", "hit", "miss", "direct")
MISS_PATHS = 200_000  # distinct paths per miss run: more than any run sends


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_numbers(build: Path, count: int) -> list[str]:
    total = json.loads((build / "manifest.json").read_text())["counts"].get("ik:Massnahme", 129)
    step = max(1, total // count)
    return [str(n) for n in range(1, total + 1, step)][:count]


def run_factor(factor: int, args, top: Path, wrk: Wrk | None) -> dict:
    workdir = top / f"{factor}x"
    workdir.mkdir(parents=True, exist_ok=True)
    build = prepare_build(factor, workdir)
    numbers = measure_numbers(build, args.pages)
    ours = Ours(build, workdir, cache_mb=0)
    ours.spawn()
    ours.wait_ready("/doc/massnahme/1.html", "text/html")
    cache, static = NginxCache(build, workdir, ours.url), Nginx(build, workdir, top)
    results: dict = {"factor": factor, "pages": len(numbers), "kinds": {}, "load": []}
    try:
        cache.start("/doc/massnahme/1.html")
        for key, ext, accept in KINDS:
            paths = [f"/doc/massnahme/{n}.{ext}" for n in numbers]
            static.copy(ours.url, paths, accept)
            for path in paths:  # into nginx's cache (and the app's kept pages)
                fetch(cache.url + path, accept)
            sample = [fetch(cache.url + p, accept)[1].get("X-Cache-Status") for p in paths[:20]]
            if set(sample) != {"HIT"}:
                raise RuntimeError(f"{key}: not answered from the cache after a first request: {sample}")
            files = {way: workdir / "paths" / f"cache-{key}-{way}.txt" for way in WAYS}
            files["static"].parent.mkdir(exist_ok=True)
            for way in ("static", "hit", "direct"):
                files[way].write_text("\n".join(paths) + "\n")
            results["kinds"][key] = {way: [] for way in WAYS}
            results["kinds"][key]["sample"] = sample[:3]
        static.start(f"/doc/massnahme/{numbers[0]}.html")
        urls = {"static": static.url, "hit": cache.url, "miss": cache.url, "direct": ours.url}
        results["checked"] = check_ways(urls, numbers[:args.check])
        for round_ in range(0 if args.check_only else args.repeats):
            for key, ext, accept in KINDS:
                miss = workdir / "paths" / f"cache-{key}-miss.txt"  # new for every round: never asked before
                miss.write_text("\n".join(f"/doc/massnahme/{numbers[i % len(numbers)]}.{ext}?v={round_}-{i}"
                                          for i in range(MISS_PATHS)) + "\n")
                for way in WAYS:
                    path_file = miss if way == "miss" else workdir / "paths" / f"cache-{key}-{way}.txt"
                    stats = wrk.run(urls[way], path_file, accept, args.seconds)
                    results["kinds"][key][way].append(vars(stats) | {"rps": stats.rps})
                    results["load"].append(os.getloadavg()[0])
                    log(f"  {factor}× {key:<4} {way:<6} round {round_ + 1}: {stats.rps:9.1f} req/s  p50 {stats.p50_ms:7.2f} ms  "
                        f"p99 {stats.p99_ms:8.2f} ms" + (f"  errors {stats.errors}" if stats.errors else ""))
                    if way == "miss" and stats.requests >= MISS_PATHS:
                        raise RuntimeError("the miss run repeated paths: raise MISS_PATHS")
                    ours.settle(args.settle)
    finally:
        for engine in (static, cache, ours):
            engine.stop()
    return results


def check_ways(urls: dict[str, str], numbers: list[str]) -> int:
    """The ways answer the same bytes, and hit and miss are what they say (nginx's X-Cache-Status): else the ratios
    compare different work. A miss path (``?v=…``, a new cache key) is compared with the app's answer to that same
    path, since the page's canonical link names its query. Returns the number of answers compared."""
    checked = 0
    for key, ext, accept in KINDS:
        for n in numbers:
            path = f"/doc/massnahme/{n}.{ext}"
            answers = {way: fetch(urls[way] + path, accept) for way in ("static", "hit", "direct")}
            answers["miss"] = fetch(urls["miss"] + path + "?v=check", accept)
            expected = {**{way: answers["static"][2] for way in answers}, "miss": fetch(urls["direct"] + path + "?v=check", accept)[2]}
            for way, (status, _, body) in answers.items():
                if status != 200 or body != expected[way]:
                    raise RuntimeError(f"{key} {path}: {way} answered {status} with other bytes than expected")
                checked += 1
            cache_status = {way: answers[way][1].get("X-Cache-Status") for way in ("hit", "miss")}
            if cache_status != {"hit": "HIT", "miss": "MISS"}:
                raise RuntimeError(f"{key} {path}: nginx's cache answered {cache_status}, not HIT and MISS")
    return checked


def render(results: list[dict], settings: str) -> str:
    lines = [f"# nginx cache: hit and miss against nginx static ({settings})", "",
             "| size | document | static req/s | hit req/s (p50/p99 ms) | **hit ÷ static** | miss req/s (p50/p99 ms) | "
             "**miss ÷ static** | direct req/s | direct ÷ static |", "|---|---|---:|---|---:|---|---:|---:|---:|"]
    verdicts = []
    for r in results:
        for key, runs in r["kinds"].items():
            med = {way: statistics.median(s["rps"] for s in runs[way]) for way in WAYS}
            lat = {way: (statistics.median(s["p50_ms"] for s in runs[way]), statistics.median(s["p99_ms"] for s in runs[way]))
                   for way in WAYS}
            ratio = {way: statistics.median(a["rps"] / b["rps"] for a, b in zip(runs[way], runs["static"], strict=True))
                     for way in ("hit", "miss", "direct")}
            errors = sum(s["errors"] for way in WAYS for s in runs[way])
            lines.append(f"| {r['factor']}× | {'/doc/massnahme/N.html' if key == 'page' else '/doc/massnahme/N.ttl'} | "
                         f"{med['static']:,.0f} | {med['hit']:,.0f} ({lat['hit'][0]:.2f}/{lat['hit'][1]:.1f}) | "
                         f"**{ratio['hit']:.2f}** | {med['miss']:,.1f} ({lat['miss'][0]:.1f}/{lat['miss'][1]:.0f}) | "
                         f"**{ratio['miss']:.3f}** | {med['direct']:,.0f} | {ratio['direct']:.3f} |"
                         + (f" {errors} errors" if errors else ""))
            if key == "page" and r["factor"] >= 100:
                verdicts.append(f"[{'met' if ratio['hit'] >= 0.5 else 'NOT MET'}] /doc/massnahme/N.html at {r['factor']}× "
                                f"through the nginx cache ≥ 0.5× nginx static (hit): {ratio['hit']:.2f}")
        if r["load"]:
            lines.append(f"| {r['factor']}× | load average during the runs: median {statistics.median(r['load']):.1f}, "
                         f"max {max(r['load']):.1f} on {os.cpu_count()} cores | | | | | | | |")
    return "\n".join(lines + [""] + verdicts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", default="1,100")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--pages", type=int, default=500, help="measures whose documents the hit runs rotate over")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--settle", type=float, default=30, help="max seconds to wait for the app to go idle after a run")
    parser.add_argument("--workdir", help="keep builds here (the layout of bench/peers.py, shared with it)")
    parser.add_argument("--json", help="also write the numbers to this file")
    parser.add_argument("--check", type=int, default=3, help="measures whose answers are compared across the ways")
    parser.add_argument("--check-only", action="store_true", help="only compare the answers (no wrk, no timing)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not args.check_only and not wrk_available():
        print("skipped: wrk is not installed: run bench/peers-setup.sh (apt-get install wrk)")
        return 2
    top = Path(args.workdir or tempfile.mkdtemp(prefix="kg-cache-")).resolve()
    top.mkdir(parents=True, exist_ok=True)
    wrk = None if args.check_only else Wrk(top, args.connections, args.threads, 30)
    log(f"work dir {top}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores before the start")
    results = []
    for factor in (int(f) for f in args.factors.split(",")):
        try:
            results.append(run_factor(factor, args, top, wrk))
        except Skipped as exc:
            print(f"skipped: {exc}")
            return 2
    if args.check_only:
        print(f"checked: {sum(r['checked'] for r in results)} answers, the same bytes in every way; hit HIT, miss MISS")
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1))
        return 0
    print(render(results, f"wrk {args.connections} connections, {args.seconds:g} s per run, {args.repeats} alternating rounds"))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    free_port  # noqa: B018 - re-exported for callers that start engines themselves
    sys.exit(main())
