"""Serving benchmark: our /sparql endpoint against a baseline measured in the same run, same method.

(a) Five typical SPARQL queries on /sparql (worker processes, Oxigraph) versus the same queries on a plain
    rdflib in-memory Graph behind an equivalent minimal Flask view. Both are driven through Flask's test
    client in this process, sequentially, so the numbers compare the servers, not the network. Each query is
    sent again and again, so with the endpoint's answer cache on every request after the first is a cache hit:
    the like-for-like table runs ours with the cache off (KG_QUERY_CACHE_MB=0, the engine every time, as rdflib);
    a second table shows the same with the cache on, marked as cache hits.
(b) If the resource pages answer, /doc/massnahme/1?format=ttl versus a static file of similar size
    served by Flask from the same app.
(c) The people's pages: the HTML of measure 22 (the page a Drucksache link opens; kept, and rendered afresh) and
    of a search, versus the same static file; compare the ratio before and after a change of the page.

Prints requests/s, p50 and p99 per query and the ratios (ours / baseline; >1 means faster for req/s).

    .venv/bin/python bench/serve.py [--requests 200] [--build build]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask, Response, request
from rdflib import Graph

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.app import create_app  # noqa: E402
from server.sparql.examples import prefix_block  # noqa: E402

QUERIES = {
    "measures per field": """SELECT ?feld (COUNT(?m) AS ?n) WHERE { ?m a ik:Massnahme ; ik:handlungsfeld ?feld } GROUP BY ?feld""",
    "measures of OE 51": """SELECT ?m ?titel WHERE { ?m ik:zustaendig <{base}id/oe/51> ; dcterms:title ?titel }""",
    "one measure, all props": """SELECT ?p ?o WHERE { <{base}id/massnahme/40> ?p ?o }""",
    "most cited Drucksachen": """SELECT ?d (COUNT(?m) AS ?n) WHERE { ?m a ik:Massnahme ; dcterms:references ?d }
GROUP BY ?d ORDER BY DESC(?n) LIMIT 10""",
    "label search (FILTER)": """SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER(CONTAINS(LCASE(STR(?label)), "sprach")) }""",
}


def baseline_app(graph: Graph) -> Flask:
    """The minimal equivalent: parse, evaluate with rdflib, answer SPARQL JSON."""
    app = Flask("baseline")

    @app.get("/sparql")
    def sparql():
        result = graph.query(request.args["query"])
        return Response(result.serialize(format="json"), mimetype="application/sparql-results+json")

    return app


def measure(call: Callable[[], object], requests: int) -> dict:
    for _ in range(min(10, requests)):  # warm-up: worker start, caches
        call()
    times = []
    started = time.perf_counter()
    for _ in range(requests):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - started
    times.sort()
    return {"rps": requests / total, "p50": statistics.median(times) * 1000, "p99": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000}


def checked_get(client, url: str, **kwargs) -> Callable[[], object]:
    def call():
        response = client.get(url, **kwargs)
        assert response.status_code == 200, (url, response.status_code, response.data[:200])
        return response
    return call


def table(title: str, rows: list[tuple[str, dict, dict]], ours: str, baseline: str) -> None:
    print(f"\n{title}")
    header = (f"{'case':<26} {ours + ' req/s':>14} {'p50 ms':>8} {'p99 ms':>8} "
              f"{baseline + ' req/s':>16} {'p50 ms':>8} {'p99 ms':>8} {'req/s ×':>8} {'p50 ×':>7}")
    print(header)
    print("-" * len(header))
    for name, a, b in rows:
        print(f"{name:<26} {a['rps']:>14.0f} {a['p50']:>8.2f} {a['p99']:>8.2f} {b['rps']:>16.0f} {b['p50']:>8.2f} {b['p99']:>8.2f}"
              f" {a['rps'] / b['rps']:>8.2f} {b['p50'] / a['p50']:>7.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--build", default=str(ROOT / "build"))
    args = parser.parse_args()
    build = Path(args.build).resolve()
    manifest = json.loads((build / "manifest.json").read_text())
    base = manifest["base_uri"]

    app = create_app({"KG_BUILD_DIR": str(build), "KG_BASE_URI": base, "KG_QUERY_CACHE_MB": 0})
    ours = app.test_client()
    cached_app = create_app({"KG_BUILD_DIR": str(build), "KG_BASE_URI": base})
    cached = cached_app.test_client()
    graph = Graph()
    graph.parse(build / "graph.nt", format="nt")
    theirs = baseline_app(graph).test_client()

    print(f"Build {manifest['build_id']}: {manifest['triples']} triples; {args.requests} sequential requests per case, Flask test client")
    rows, cached_rows = [], []
    for name, body in QUERIES.items():
        query = prefix_block(base) + body.replace("{base}", base)
        params = {"query_string": {"query": query}, "headers": {"Accept": "application/sparql-results+json"}}
        a = checked_get(ours, "/sparql", **params)
        b = checked_get(theirs, "/sparql", **params)
        a_rows = len(json.loads(a().data)["results"]["bindings"])
        b_rows = len(json.loads(b().data)["results"]["bindings"])
        assert a_rows == b_rows, f"{name}: {a_rows} rows from /sparql, {b_rows} from rdflib"
        baseline = measure(b, args.requests)
        rows.append((f"{name} ({a_rows})", measure(a, args.requests), baseline))
        cached_rows.append((f"{name} ({a_rows})", measure(checked_get(cached, "/sparql", **params), args.requests), baseline))
    table("(a) SPARQL, answer cache off: /sparql (Oxigraph in worker processes) vs rdflib Graph.query in a minimal "
          "Flask view", rows, "ours", "rdflib")
    ratios = [ours_stats["rps"] / base_stats["rps"] for _, ours_stats, base_stats in rows]
    print(f"geometric mean of the req/s ratios over the {len(rows)} queries: {statistics.geometric_mean(ratios):.1f}×")
    table("(a, cache hits) the same with the answer cache on: every request after the first is a cache hit",
          cached_rows, "cached", "rdflib")
    ratios = [ours_stats["rps"] / base_stats["rps"] for _, ours_stats, base_stats in cached_rows]
    print(f"geometric mean of the req/s ratios (cache hits vs rdflib): {statistics.geometric_mean(ratios):.1f}×")

    probe = ours.get("/doc/massnahme/1?format=ttl")
    if probe.status_code == 200:
        static = checked_get(ours, "/static/site.css")
        page = checked_get(ours, "/doc/massnahme/1?format=ttl")
        table("(b) dereferencing vs static file (same app)",
              [("/doc/massnahme/1 ttl", measure(page, args.requests), measure(static, args.requests))], "doc", "static")
        # A resource page's HTML is kept per build, language and day (server.caches.rendered_page): the first row is
        # what a reader meets once the page was shown; the second forces a fresh render (an unknown parameter
        # bypasses the kept page), as for the first reader.
        html_cases = [("/doc/massnahme/22 html", "/doc/massnahme/22"), ("  … rendered afresh", "/doc/massnahme/22?render=1"),
                      ("/suche?q=Maßnahme 22", "/suche?q=Ma%C3%9Fnahme%2022")]
        table("(c) pages for people vs static file (same app)",
              [(name, measure(checked_get(ours, url, headers={"Accept": "text/html"}), args.requests), measure(static, args.requests))
               for name, url in html_cases], "page", "static")
    else:
        print(f"\n(b) skipped: /doc/massnahme/1?format=ttl answered {probe.status_code}")
    app.extensions["sparql_pool"].close()
    cached_app.extensions["sparql_pool"].close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
