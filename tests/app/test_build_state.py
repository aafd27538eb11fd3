"""server.state.BuildState on small builds of its own, with the clock in the test's hand: when a switched build/
is picked up, and that a missing or half-written one never replaces the build being served."""

from __future__ import annotations

import json
import os

import pytest
from flask import Flask

from kg.build import switch
from server import state
from server.state import BuildState
from tests.support.builds import TRIPLE, seal, small_build


def test_a_switched_build_is_picked_up_once_the_check_interval_has_passed(tmp_path, clock):
    out = tmp_path / "build"
    switch(out, small_build(tmp_path, "a"))
    served = BuildState(str(out), check_seconds=60)
    assert served.current.etag == "a"  # the first request checks
    switch(out, small_build(tmp_path, "b"))
    clock.now += 30
    assert served.current.etag == "a", "not before the interval"
    clock.now += 30
    assert served.current.etag == "a", "nor at exactly the interval"
    clock.now += 0.5
    assert served.current.etag == "b"
    assert served.current.path == (tmp_path / ".builds" / "b").resolve()
    [row] = list(served.current.store.query("SELECT ?o { ?s ?p ?o }"))
    assert row["o"].value == "b", "the store is the new build's graph"


@pytest.mark.parametrize("broken", ["", "{\"build_id\": ", "[1, 2"])
def test_a_half_written_manifest_keeps_the_previous_build_served(damaged_b_linked, clock, broken):
    served = damaged_b_linked(lambda b: (b / "manifest.json").write_text(broken), name="half").served
    clock.now += 1
    assert served.current.etag == "a"


@pytest.mark.parametrize("missing", ["manifest.json", "graph.nt"])
def test_a_build_missing_its_manifest_or_graph_keeps_the_previous_one(damaged_b_linked, clock, missing):
    served = damaged_b_linked(lambda b: os.remove(b / missing)).served
    clock.now += 1
    assert served.current.etag == "a"


def test_no_intact_build_at_all_is_an_error_naming_kg_build(tmp_path, clock):
    """Else the server falls back to an intact build in .builds/; with none there is nothing to serve."""
    os.remove(small_build(tmp_path, "c") / "manifest.json")
    switch(tmp_path / "build", tmp_path / ".builds" / "c")
    with pytest.raises(state.BuildUnavailable, match="zuerst `kg build` ausführen"):
        BuildState(str(tmp_path / "build"))


def test_an_unchanged_build_is_not_loaded_again_at_each_check(tmp_path, clock):
    """Loading is the expensive part (the whole graph into a store): a check that finds the same build keeps it."""
    out = tmp_path / "build"
    switch(out, small_build(tmp_path, "a"))
    served = BuildState(str(out), check_seconds=0)
    before = served.current
    clock.now += 1
    assert served.current is before and served.current.store is before.store


@pytest.mark.parametrize("manifest, expected", [
    ({"build_id": "a", "base_uri": "https://daten.example/"}, "https://daten.example/"),
    ({"build_id": "a"}, "https://server.example/"),
])
def test_the_data_base_is_the_build_s_own_and_the_server_s_only_without_one(tmp_path, clock, manifest, expected):
    out = tmp_path / "build"
    switch(out, small_build(tmp_path, "a", manifest=json.dumps(manifest)))
    app = Flask(__name__)
    app.config["KG_BASE_URI"] = "https://server.example/"
    app.extensions["kg"] = BuildState(str(out))
    with app.app_context():
        assert state.data_base() == expected and state.base() == "https://server.example/"


def test_switching_back_to_an_earlier_build_is_picked_up_too(tmp_path, clock):
    """A rollback points build/ at an older build again (its name sorts first): it is served like any other."""
    out = tmp_path / "build"
    first, second = small_build(tmp_path, "a"), small_build(tmp_path, "b")
    switch(out, second)
    served = BuildState(str(out), check_seconds=0)
    switch(out, first)
    clock.now += 1
    assert served.current.etag == "a"


def test_a_served_build_that_grows_is_damaged_too_and_the_older_intact_one_is_served(tmp_path, clock):
    out = tmp_path / "build"
    small_build(tmp_path, "a")
    switch(out, small_build(tmp_path, "b"))
    served = BuildState(str(out), check_seconds=0)
    assert served.current.etag == "b"
    with open(tmp_path / ".builds" / "b" / "graph.nt", "a") as fh:
        fh.write(TRIPLE.format("angehängt"))
    clock.now += 1
    assert served.current.etag == "a"


def test_the_fallback_is_the_newest_older_build_never_a_newer_one_and_the_switch_is_logged(tmp_path, clock, caplog):
    out = tmp_path / "build"
    small_build(tmp_path, "a")
    switch(out, small_build(tmp_path, "b"))
    small_build(tmp_path, "c")  # newer than the build the link names: not what the operator chose
    with caplog.at_level("WARNING", logger="server.state"):
        served = BuildState(str(out), check_seconds=0)
        assert served.current.etag == "b"
        assert not caplog.records, "serving the build the link names is nothing to warn about"
        (tmp_path / ".builds" / "b" / "graph.nt").write_text(TRIPLE.format("x"))  # same size, other bytes
        clock.now += 1
        assert served.current.etag == "a"
    switched = [r.getMessage() for r in caplog.records if "newest intact build" in r.getMessage()]
    assert switched == ["Build b nicht verwendbar; es gilt der letzte intakte Build a / "
                        "build b unusable; serving the newest intact build a"]


def test_a_graph_that_loads_fewer_triples_than_its_manifest_promises_is_not_served(damaged_b_linked, clock, caplog):
    """A duplicated line passes the file checks (size, SHA-256, one triple per line) but the store holds one triple
    less than the manifest promises: the loaded count is checked too."""
    def duplicated(dup):
        (dup / "graph.nt").write_text(TRIPLE.format("d") * 2)
        seal(dup, triples=2)

    served = damaged_b_linked(duplicated, name="dup").served
    clock.now += 1
    with caplog.at_level("WARNING", logger="server.state"):
        assert served.current.etag == "a"
    assert any("graph.nt: 1 Tripel geladen statt / loaded instead of 2" in r.getMessage() for r in caplog.records)


def test_a_rejected_build_is_served_once_it_is_repaired(damaged_b_linked, clock):
    good = TRIPLE.format("b").encode()  # b's graph.nt as small_build writes it
    linked = damaged_b_linked(lambda b: (b / "graph.nt").write_bytes(good.replace(b"b", b"x")))
    served, b = linked.served, linked.b
    clock.now += 1
    assert served.current.etag == "a"
    clock.now += 1
    assert served.current.etag == "a", "unchanged since it was rejected"
    (b / "graph.nt").write_bytes(good)
    clock.now += 1
    assert served.current.etag == "b"
