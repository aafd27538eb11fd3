"""server.state.BuildState when builds are damaged: a served build that shrinks, nothing intact left (served on,
logged once per state), a linked build of unknown age, and the last guard – an error no check inside caught (a build
pruned while it is being loaded, a manifest naming a file no path can have) keeps the served build served instead of
reaching the request that happened to trigger the check."""

from __future__ import annotations

import hashlib
import json
import shutil

from kg.build import switch
from server import state
from server.state import BuildState
from tests.support.builds import TRIPLE, seal, small_build


def test_a_build_removed_while_it_is_being_loaded_keeps_the_previous_one_served(damaged_b_linked, clock, monkeypatch):
    linked = damaged_b_linked(lambda b: None)  # damaged only while it is being loaded
    served, pruned = linked.served, linked.b
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


def test_a_manifest_naming_a_file_with_a_nul_byte_keeps_the_previous_build_served(damaged_b_linked, tmp_path, clock):
    def nul_byte(damaged):
        manifest = json.loads((damaged / "manifest.json").read_text())
        manifest["files"]["graph\u0000.nt"] = {"bytes": 1, "sha256": hashlib.sha256(b".").hexdigest()}
        (damaged / "manifest.json").write_text(json.dumps(manifest))  # JSON allows \u0000; no file name does

    served = damaged_b_linked(nul_byte).served
    clock.now += 1
    assert served.current.etag == "a"
    assert served.current.path == (tmp_path / ".builds" / "a").resolve()


def test_a_served_build_that_shrinks_is_damaged_and_the_older_intact_one_is_served(tmp_path, clock):
    out = tmp_path / "build"
    small_build(tmp_path, "a")
    b = small_build(tmp_path, "b")
    (b / "graph.nt").write_text(TRIPLE.format("b") + TRIPLE.format("b2"))
    seal(b, triples=2)
    switch(out, b)
    served = BuildState(str(out), check_seconds=0)
    assert served.current.etag == "b"
    (b / "graph.nt").write_text(TRIPLE.format("b"))  # a line lost: smaller, and a later time stamp
    clock.now += 1
    assert served.current.etag == "a"


def test_with_no_intact_build_left_the_damaged_one_is_served_on_and_logged_once_per_change(tmp_path, clock, caplog):
    out = tmp_path / "build"
    a = small_build(tmp_path, "a")
    switch(out, a)
    served = BuildState(str(out), check_seconds=0)
    with caplog.at_level("WARNING", logger="server.state"):
        with open(a / "graph.nt", "a") as fh:
            fh.write(TRIPLE.format("angehängt"))
        for _ in range(3):
            clock.now += 1
            assert served.current.etag == "a"
        with open(a / "graph.nt", "a") as fh:  # damaged once more: a new state, said once more
            fh.write(TRIPLE.format("noch einmal"))
        for _ in range(2):
            clock.now += 1
            assert served.current.etag == "a"
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == ["Kein intakter Build mehr, auch a nicht; er wird weiter bedient, bis ein intakter kommt / "
                      "no intact build left, not even a; still serving it until an intact one comes"] * 2
    rejected = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert [m.split(":")[0] for m in rejected] == ["Build a abgelehnt / rejected"] * 2, \
        "checked again (its files hashed again) only after they changed"


def test_a_linked_build_whose_manifest_cannot_be_read_falls_back_to_any_intact_one_newer_or_not(tmp_path, clock,
                                                                                                   caplog):
    """Its id (and so its age) is unknown: the newest intact build is served, even one newer than it."""
    out = tmp_path / "build"
    switch(out, small_build(tmp_path, "20260101T000000Z"))
    served = BuildState(str(out), check_seconds=0)
    small_build(tmp_path, "20260301T000000Z")
    rolled_back = small_build(tmp_path, "20260201T000000Z")
    (rolled_back / "manifest.json").write_text("{")
    switch(out, rolled_back)
    clock.now += 1
    with caplog.at_level("WARNING", logger="server.state"):
        assert served.current.etag == "20260301T000000Z"
    assert "build 20260201T000000Z unusable; serving the newest intact build 20260301T000000Z" in caplog.text


def test_a_sealed_build_whose_graph_is_no_n_triples_is_rejected_naming_the_file(damaged_b_linked, clock, caplog):
    """Its manifest vouches for the bytes (size, SHA-256, one statement per line), but the store cannot parse them."""
    def no_n_triples(bad):
        (bad / "graph.nt").write_text("<https://example.org/s> kein Tripel .\n")
        seal(bad, triples=1)

    served = damaged_b_linked(no_n_triples, name="bad").served
    clock.now += 1
    with caplog.at_level("WARNING", logger="server.state"):
        assert served.current.etag == "a"
    assert [r.getMessage().split(": ", 1)[1].split(" lässt")[0] for r in caplog.records] == ["graph.nt"]


def test_a_server_starting_while_its_builds_graph_vanishes_serves_the_newest_older_intact_build(tmp_path, monkeypatch):
    """graph.nt removed between the check of the build and its load (a prune or a hand at work): the load's OSError
    rejects that build like any other damage, and the next one is tried."""
    out = tmp_path / "build"
    small_build(tmp_path, "a")
    vanishing = small_build(tmp_path, "b")
    switch(out, vanishing)
    check = state.verify

    def check_then_vanish(path):
        verdict = check(path)
        if path == vanishing.resolve():
            (path / "graph.nt").unlink()
        return verdict

    monkeypatch.setattr(state, "verify", check_then_vanish)
    assert BuildState(str(out), check_seconds=0).current.etag == "a"


def test_the_database_of_a_served_build_is_its_store_directory_or_none_without_one(built, tmp_path):
    manifest = json.loads((built / "manifest.json").read_text())
    served = BuildState(str(built), check_seconds=60).current
    assert served.database == built.resolve() / manifest["store"]["dir"] and served.database.is_dir()
    out = tmp_path / "build"
    switch(out, small_build(tmp_path, "a"))
    assert BuildState(str(out), check_seconds=60).current.database is None


def test_a_rejected_build_repaired_with_a_shorter_manifest_is_served(damaged_b_linked, clock):
    def wrong_digest(b):
        wrong = json.loads((b / "manifest.json").read_text())
        wrong["files"]["graph.nt"]["sha256"] = "0" * 64
        (b / "manifest.json").write_text(json.dumps({**wrong, "note": "von Hand geändert, bitte prüfen"}))

    linked = damaged_b_linked(wrong_digest)
    served, b = linked.served, linked.b
    clock.now += 1
    assert served.current.etag == "a"
    seal(b, triples=1)  # the manifest small_build wrote, smaller than the wrong one: a change all the same
    clock.now += 1
    assert served.current.etag == "b"


def test_the_served_build_is_not_loaded_again_while_the_link_names_a_broken_one(damaged_b_linked, clock):
    linked = damaged_b_linked(lambda broken: (broken / "graph.nt").write_text(TRIPLE.format("x")))
    served, before = linked.served, linked.before
    for _ in range(2):
        clock.now += 1
        assert served.current is before and served.current.store is before.store


def test_a_build_of_many_triples_without_a_database_is_served(tmp_path, clock):
    out = tmp_path / "build"
    many = small_build(tmp_path, "many")
    (many / "graph.nt").write_text("".join(TRIPLE.format(i) for i in range(300)))
    seal(many, triples=300)
    switch(out, many)
    served = BuildState(str(out), check_seconds=0).current
    assert served.etag == "many" and len(served.store) == 300


def test_a_database_damaged_before_it_was_sealed_is_rejected_and_the_previous_build_served(built, tmp_path, clock,
                                                                                           caplog):
    """Its files match the manifest, but RocksDB cannot open it (RuntimeError „Corruption: …“)."""
    out = tmp_path / "build"
    switch(out, small_build(tmp_path, "a"))
    served = BuildState(str(out), check_seconds=0)
    damaged = tmp_path / ".builds" / "damaged"
    shutil.copytree(built.resolve(), damaged)
    manifest = json.loads((damaged / "manifest.json").read_text())
    (damaged / manifest["store"]["dir"] / "CURRENT").write_bytes(b"kaputt\n")
    manifest["store"]["files"]["CURRENT"] = {"bytes": 7, "sha256": hashlib.sha256(b"kaputt\n").hexdigest()}
    (damaged / "manifest.json").write_text(json.dumps(manifest))
    switch(out, damaged)
    clock.now += 1
    with caplog.at_level("WARNING", logger="server.state"):
        assert served.current.etag == "a"
    assert "Corruption" in caplog.text and "lässt sich nicht laden / cannot be loaded" in caplog.text
