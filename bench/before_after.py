"""Pages for people, now versus an earlier revision, measured in the same run: is any page slower than before?

Each revision gets its own checkout (``git archive`` into a temporary directory; "now" is this working tree) and
its own build of the same data, and is measured in a process of its own (the two revisions' ``server`` packages
cannot share one interpreter) through Flask's test client, sequentially, so the numbers compare the code, not the
network. The processes alternate (before, now, before, now, …) so that load from other processes on a shared
machine falls on both; per page the median over the rounds is reported, with CPU time next to wall time.

The measure page is shown as a reader meets it (the HTML of /doc/massnahme/22) and rendered afresh (an unknown
parameter skips any kept page; before issue 11 every request rendered afresh). "every measure, first reader" renders
each of the 129 measure pages once per round, afresh: what the first reader of each page pays after a new build,
without the repeats that keep one page's own data hot. The Turtle rows measure the RDF document of a measure (rendered
for every request), each measure's in turn, and each one asked again with the ETag of its first answer (304).

    .venv/bin/python bench/before_after.py [--before aa1763d] [--requests 300] [--rounds 3]

Prints per page: p50 and CPU ms per request before and now, and the ratio before/now (> 1: now faster).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "/doc/massnahme/22 (as read)": "/doc/massnahme/22",
    "/doc/massnahme/22 (rendered afresh)": "/doc/massnahme/22?render=1",
    "/doc/massnahme/10 (as read)": "/doc/massnahme/10",
    "/massnahmen": "/massnahmen",
    "/ (home)": "/",
    "/doc/drucksache/IV-0349": "/doc/drucksache/IV-0349",
    "every measure, first reader": "*measures",
    "/doc/massnahme/1.ttl": "/doc/massnahme/1.ttl",
    "every measure's Turtle": "*turtle",
    "every measure's Turtle, revalidated": "*revalidated",
}

# Runs inside the revision's own checkout: its app on its build, each page timed the same way.
MEASURE = r"""
import json, statistics, sys, time
tree, build, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
urls = json.loads(sys.argv[4])
sys.path.insert(0, tree)
from server.app import create_app
app = create_app({"KG_BUILD_DIR": build})
client = app.test_client()
out = {}
for name, url in urls.items():
    if url == "*measures":  # each measure page once, afresh (the page of one measure 22 was warmed above)
        pages = [f"/doc/massnahme/{nr}?render=1" for nr in range(1, 130)]
    elif url == "*turtle":  # each measure's RDF document, twice (nothing of it is kept between requests)
        pages = [f"/doc/massnahme/{nr}.ttl" for nr in range(1, 130)] * 2
    elif url == "*revalidated":  # the same with the ETag of the first answer (a cache in front, a harvester)
        pages = [f"/doc/massnahme/{nr}.ttl" for nr in range(1, 130)] * 2
        tags = {page: client.get(page).headers["ETag"] for page in pages}
    else:
        pages = [url] * requests
        for _ in range(10):  # warm-up: worker start, caches, templates
            assert client.get(url, headers={"Accept": "text/html"}).status_code == 200, url
    times, cpu0 = [], time.process_time()
    for page in pages:
        headers = {"Accept": "text/html", **({"If-None-Match": tags[page]} if url == "*revalidated" else {})}
        t = time.perf_counter()
        response = client.get(page, headers=headers)
        times.append(time.perf_counter() - t)
        assert response.status_code == (304 if url == "*revalidated" else 200), page
    out[name] = {"p50": statistics.median(times) * 1000, "cpu": (time.process_time() - cpu0) / len(pages) * 1000}
pool = app.extensions.get("sparql_pool")
if pool is not None:
    pool.close()
print(json.dumps(out))
"""

BUILD = r"""
import sys
tree, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, tree)
from kg.cli import main
sys.exit(main(["build", "--out", out]))
"""


def checkout(rev: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def build(tree: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-c", BUILD, str(tree), str(out)], cwd=tree, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(tree: Path, out: Path, requests: int) -> dict:
    run = subprocess.run([sys.executable, "-c", MEASURE, str(tree), str(out), str(requests), json.dumps(PAGES)],
                         cwd=tree, check=True, capture_output=True, text=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def alternate(before: str, measure, requests: int, rounds: int, prefix: str) -> dict[str, list[dict]]:
    """Revision ``before`` (its own checkout) and this working tree, each on its own build of the same data, measured
    by ``measure(tree, build, requests)`` in alternating rounds, so that load from other processes falls on both."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        trees = {"before": checkout(before, Path(tmp) / "before"), "now": ROOT}
        builds = {name: Path(tmp) / f"build-{name}" for name in trees}
        for name, tree in trees.items():
            build(tree, builds[name])
        runs: dict[str, list[dict]] = {"before": [], "now": []}
        for _ in range(rounds):
            for name in ("before", "now"):
                runs[name].append(measure(trees[name], builds[name], requests))
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="aa1763d", help="git revision to compare with (default: main before issue 11)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs = alternate(args.before, measure, args.requests, args.rounds, "ik-bench-pages-")
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.before], capture_output=True, text=True).stdout.strip()
    print(f"before = {rev}, now = this working tree; {args.requests} sequential requests per page, {args.rounds} alternating rounds, "
          "Flask test client, medians over the rounds")
    header = f"{'page':<38} {'before p50':>11} {'cpu':>7} {'now p50':>9} {'cpu':>7} {'before/now p50':>15} {'cpu':>6}"
    print(header)
    print("-" * len(header))
    for name in PAGES:
        b = {k: statistics.median(r[name][k] for r in runs["before"]) for k in ("p50", "cpu")}
        n = {k: statistics.median(r[name][k] for r in runs["now"]) for k in ("p50", "cpu")}
        print(f"{name:<38} {b['p50']:>9.2f}ms {b['cpu']:>7.2f} {n['p50']:>7.2f}ms {n['cpu']:>7.2f} {b['p50'] / n['p50']:>14.2f}× "
              f"{b['cpu'] / n['cpu']:>5.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
