"""A 10-second version of bench/load.py on the production server: 16 normal clients, 20 runaway-query clients and 40
slow connections, each from its own address."""

from __future__ import annotations

import importlib.util

import pytest

from kg.build import ROOT

pytestmark = pytest.mark.load

spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load)


def test_sixteen_clients_keep_their_share_while_twenty_send_runaway_queries_and_forty_are_slow(built):
    report = load.run(built, seconds=10, clients=16, runaway=20, slow=40, query_timeout=2.0)
    kinds = report["kinds"]
    assert report["normal_errors"] == 0, {k: (v["first_errors"], v["statuses"]) for k, v in kinds.items()}
    assert kinds["runaway"]["requests"] >= 20 and kinds["runaway"]["errors"] == 0, "every runaway query is stopped (429/503)"
    assert report["slow_opened"] == 40
    # Every kind was asked for and answered (the 16 clients' first requests alone cover all kinds, whatever the speed
    # of the machine; how many follow is the machine's business, not this test's).
    assert all(kinds.get(k, {}).get("requests", 0) >= 1 for k in ("page", "rdf", "sparql-repeated", "sparql-fresh")), kinds
    assert report["peak_rss_mib"] < 3072, "memory stays bounded while runaway queries are killed"
