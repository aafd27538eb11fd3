"""A 10-second version of bench/load.py: 16 clients, pages + SPARQL + runaway queries, on a real gunicorn."""

from __future__ import annotations

import importlib.util

import pytest

from kg.build import ROOT

pytestmark = pytest.mark.load

spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load)


def test_sixteen_clients_with_runaway_queries_get_no_errors(built):
    report = load.run(built, seconds=10, clients=16, query_timeout=2.0)
    kinds = report["kinds"]
    assert report["normal_errors"] == 0, {k: v["first_errors"] for k, v in kinds.items()}
    assert kinds["runaway"]["requests"] >= 2 and kinds["runaway"]["errors"] == 0, "every runaway query is stopped with 503"
    assert all(kinds[k]["requests"] > 10 for k in ("page", "rdf", "sparql-repeated", "sparql-fresh"))
    assert report["peak_rss_mib"] < 3072, "memory stays bounded while runaway queries are killed"
