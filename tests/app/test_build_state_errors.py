"""server.state.BuildState's last guard: an error while it looks at a new build that no check inside caught (a
build pruned while it is being loaded, a manifest naming a file no path can have) keeps the served build served
instead of reaching the request that happened to trigger the check."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from kg.build import switch
from server import state
from server.state import BuildState
from tests.app.test_build_state import Clock, _build


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(state.time, "monotonic", clock)
    return clock


def test_a_build_removed_while_it_is_being_loaded_keeps_the_previous_one_served(tmp_path, clock, monkeypatch):
    out = tmp_path / "build"
    switch(out, _build(tmp_path, "a"))
    served = BuildState(str(out), check_seconds=0)
    pruned = _build(tmp_path, "b")
    switch(out, pruned)
    load = state.Store.from_ntriples

    def load_then_prune(path):  # `kg build --keep` removes the build between its check and the server's stat
        store = load(path)
        if path.parent == pruned.resolve():
            shutil.rmtree(pruned)
        return store

    monkeypatch.setattr(state.Store, "from_ntriples", load_then_prune)
    clock.now += 1
    assert served.current.etag == "a"
    [row] = list(served.current.store.query("SELECT ?o { ?s ?p ?o }"))
    assert row["o"].value == "a"


def test_a_manifest_naming_a_file_with_a_nul_byte_keeps_the_previous_build_served(tmp_path, clock):
    out = tmp_path / "build"
    switch(out, _build(tmp_path, "a"))
    served = BuildState(str(out), check_seconds=0)
    damaged = _build(tmp_path, "b")
    manifest = json.loads((damaged / "manifest.json").read_text())
    manifest["files"]["graph\u0000.nt"] = {"bytes": 1, "sha256": hashlib.sha256(b".").hexdigest()}
    (damaged / "manifest.json").write_text(json.dumps(manifest))  # JSON allows \u0000; no file name does
    switch(out, damaged)
    clock.now += 1
    assert served.current.etag == "a"
    assert served.current.path == (tmp_path / ".builds" / "a").resolve()
