"""The web process's share of a cheap SPARQL query, now versus an earlier revision, measured in the same run.

Issue 18 asks for a lean request path: for a lookup of one thing the engine needs well under a millisecond, so
whatever the web process does around it (negotiation, admission, the guard's hand-over, serialising, headers) is
what a client waits for. This measures that part alone: CPU time of the web process per request (the query
processes are not counted: they run the engine, unchanged between revisions), through Flask's test client, answer
cache off, every request a different query text (no answer repeats). Each revision runs in its own checkout and
process on its own build of the same data (bench/before_after.py's way), alternating round by round.

    .venv/bin/python bench/request_path.py [--before main] [--requests 600] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from before_after import alternate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# Lookups of one thing (bench/peers.py's b, c, d), varied by a number so that no two requests share a text.
QUERIES = {
    "measure by number": 'SELECT ?m ?t WHERE {{ ?m <http://purl.org/dc/terms/identifier> "{n}" ; '
                         '<http://purl.org/dc/terms/title> ?t }}',
    "describe one measure": "DESCRIBE <{base}id/massnahme/{n}>",
    "one measure's values": "SELECT ?p ?o WHERE {{ <{base}id/massnahme/{n}> ?p ?o }}",
}
ACCEPT = {"measure by number": "application/sparql-results+json", "describe one measure": "text/turtle",
          "one measure's values": "application/sparql-results+json"}

MEASURE = r"""
import json, sys, time
from urllib.parse import quote
tree, built, requests = sys.argv[1], sys.argv[2], int(sys.argv[3])
queries, accept = json.loads(sys.argv[4]), json.loads(sys.argv[5])

def main():
    sys.path.insert(0, tree)
    from server.app import create_app
    app = create_app({"KG_BUILD_DIR": built, "KG_QUERY_CACHE_MB": 0, "KG_CLIENT_QUERIES": 10_000,
                      "KG_CLIENT_QUERY_SECONDS": 1e9})
    base = app.config["KG_BASE_URI"]
    client = app.test_client()
    out = {}
    for name, text in queries.items():
        def ask(i):
            query = text.format(n=i % 129 + 1, base=base) + f" # {i}"  # a new text each time: no answer repeats
            r = client.get("/sparql?query=" + quote(query), headers={"Accept": accept[name]})
            assert r.status_code == 200, (name, r.status_code, r.data[:300])
        for i in range(30):  # warm-up: query processes, templates
            ask(i)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for i in range(requests):
            ask(1000 + i)
        out[name] = {"cpu": (time.process_time() - cpu0) / requests * 1000,
                     "wall": (time.perf_counter() - wall0) / requests * 1000}
    print(json.dumps(out))

if __name__ == "__main__":
    main()
"""


def measure(tree: Path, out: Path, requests: int) -> dict:
    script = out.parent / f"measure-{out.name}.py"  # a file, not -c: the query processes are started by forkserver
    script.write_text(MEASURE)
    run = subprocess.run([sys.executable, str(script), str(tree), str(out), str(requests), json.dumps(QUERIES),
                          json.dumps(ACCEPT)], cwd=tree, check=True, capture_output=True, text=True)
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="git revision to compare with (default: main)")
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs = alternate(args.before, measure, args.requests, args.rounds, "ik-bench-path-")
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.before], capture_output=True,
                         text=True).stdout.strip()
    print(f"before = {rev}, now = this working tree; {args.requests} requests per query, {args.rounds} alternating "
          "rounds, answer cache off; CPU ms of the web process per request (medians over the rounds)")
    header = f"{'query':<24} {'before cpu':>11} {'now cpu':>9} {'before/now':>11} {'before wall':>12} {'now wall':>9}"
    print(header)
    print("-" * len(header))
    for name in QUERIES:
        b = {k: statistics.median(r[name][k] for r in runs["before"]) for k in ("cpu", "wall")}
        n = {k: statistics.median(r[name][k] for r in runs["now"]) for k in ("cpu", "wall")}
        print(f"{name:<24} {b['cpu']:>9.3f}ms {n['cpu']:>7.3f}ms {b['cpu'] / n['cpu']:>10.2f}× {b['wall']:>10.3f}ms "
              f"{n['wall']:>7.3f}ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
