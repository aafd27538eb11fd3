"""A 10-second version of bench/load.py on the production server: 16 normal clients, 20 runaway-query clients and 40
slow connections, each from its own address.

The server's wall-clock deadlines (a query's time limit, how long it may wait for a slot) are set in units of what
the same 16 clients took alone on this machine a moment before (bench/load.py's ``deadlines``): on a machine busy
with other work every deadline stretches with it, so the verdict is about the order in which the server serves
clients, not about the machine's speed (before: at load 12–18 three or four normal queries got 503 because they had
waited the fixed 5 s, or found the queue full of other normal clients' queries). It still tells starvation apart: a
normal query made to wait behind runaway queries waits for several of them to reach their time limit, far beyond
what it may wait for a slot."""

from __future__ import annotations

import importlib.util

import pytest

from kg.build import ROOT

pytestmark = pytest.mark.load

spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load)

OUT_OF_REACH = {"KG_QUERY_TIMEOUT": 120, "KG_QUERY_QUEUE_WAIT": 120}  # the baseline measures, it never refuses


def test_sixteen_clients_keep_their_share_while_twenty_send_runaway_queries_and_forty_are_slow(built):
    alone = load.run(built, seconds=5, clients=16, runaway=0, slow=0, head_start=0, settings=OUT_OF_REACH)
    assert alone["normal_errors"] == 0, {k: v["first_errors"] for k, v in alone["kinds"].items()}
    # Every normal client may wait in one web process at once (KG_QUERY_QUEUE 16, default 12): a normal query is never
    # turned away because the other normal clients, slow on a busy machine, fill the queue – only runaways can be.
    settings = {**load.deadlines(alone), "KG_QUERY_QUEUE": 16}
    report = load.run(built, seconds=10, clients=16, runaway=20, slow=40, head_start=120, settings=settings)
    kinds = report["kinds"]
    assert report["attackers_known"] == 20, "the normal clients came when every runaway client had had a query stopped"
    assert report["normal_errors"] == 0, (settings, {k: (v["why"], v["statuses"]) for k, v in kinds.items()})
    assert kinds["runaway"]["requests"] >= 20 and kinds["runaway"]["errors"] == 0, "every runaway query is stopped (429/503)"
    assert report["slow_opened"] == 40
    # Every kind was asked for and answered (the 16 clients' first requests alone cover all kinds, whatever the speed
    # of the machine; how many follow is the machine's business, not this test's).
    assert all(kinds.get(k, {}).get("requests", 0) >= 1 for k in ("page", "rdf", "sparql-repeated", "sparql-fresh")), kinds
    assert report["peak_rss_mib"] < 3072, "memory stays bounded while runaway queries are killed"
