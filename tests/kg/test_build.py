"""The build: SHACL conformance, outputs, and a broken row that fails precisely and leaves the old build."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

import pytest
from rdflib import Graph

from kg.build import build, compile_graph, switch
from kg.errors import BuildError


def test_real_data_conforms_with_expected_warnings(built):
    quality = json.loads((built / "quality.json").read_text())
    assert quality["conforms"] is True
    rules = {(f["severity"], f["rule"], f["focus"].rsplit("/", 1)[-1]) for f in quality["findings"]}
    assert ("Warning", "IK-W01 OE fehlt", "33") in rules
    assert ("Warning", "IK-W01 OE fehlt", "71") in rules
    assert all(f["source"] for f in quality["findings"])


def test_build_writes_every_format_and_the_manifest_checksums(built):
    manifest = json.loads((built / "manifest.json").read_text())
    for name in ("graph.ttl", "graph.nt", "graph.nt.gz", "graph.jsonld", "graph.rdf", "csv/massnahmen.csv"):
        assert manifest["files"][name]["bytes"] == (built / name).stat().st_size
    counts = {fmt: len(Graph().parse(built / name, format=fmt)) for name, fmt in
              (("graph.ttl", "turtle"), ("graph.jsonld", "json-ld"), ("graph.rdf", "xml"), ("graph.nt", "nt"))}
    assert len(set(counts.values())) == 1 and manifest["triples"] == counts["nt"]


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD_ROWS = [
    ("massnahmen.csv", "\n5,partizipation-und-teilhabe,", "\n4,partizipation-und-teilhabe,", "D05", "Maßnahme 4 (Tabellenzeile 6, Spalte „nr“)"),
    ("massnahmen.csv", "\n5,partizipation-und-teilhabe,", "\n,partizipation-und-teilhabe,", "D03", "Tabellenzeile 6, Spalte „nr“"),
    ("massnahmen.csv", "\n5,partizipation-und-teilhabe,", "\n5,sport-und-spiel,", "D06", "Maßnahme 5 (Tabellenzeile 6, Spalte „handlungsfeld“)"),
    ("massnahmen.csv", "0349 (IV) BDs|2718 (IV) BDs", "0349 (IV) BDs|27x18 BDs", "D07", "Maßnahme 2 (Tabellenzeile 3, Spalte „drucksachen“)"),
    ("massnahmen.csv", "Entdeckertag 2019,", "Entdeckertag plan- nen,", "D04", "Maßnahme 5 (Tabellenzeile 6, Spalte „titel“)"),
    ("ziele.csv", "beratungsangebote-verbessern,partizipation-und-teilhabe",
     "beratungsangebote-verbessern,nirgendwo", "D06", "data/ziele.csv"),
]


@pytest.mark.parametrize("file,old,new,rule,where", BAD_ROWS)
def test_bad_row_fails_naming_file_row_and_rule(project_copy, file, old, new, rule, where):
    _edit(project_copy.data / file, old, new)
    with pytest.raises(BuildError) as exc:
        compile_graph(project_copy)
    message = str(exc.value)
    assert f"data/{file}" in message and where in message and f"[{rule} " in message


def test_broken_encoding_names_the_line(project_copy):
    path = project_copy.data / "massnahmen.csv"
    raw = path.read_bytes().replace(b"Entdeckertag", "Entdeckert\xe4g".encode("latin-1"), 1)
    path.write_bytes(raw)
    with pytest.raises(BuildError, match=r"data/massnahmen.csv, Maßnahme 5 \(Tabellenzeile 6, Spalte „titel“\): \[D01"):
        compile_graph(project_copy)


def test_shacl_violation_names_source_row(project_copy):
    # A rule only SHACL knows (the loader checks what it can itself): added to the copy's shapes.
    with open(project_copy.shapes / "ik-shapes.ttl", "a", encoding="utf-8") as fh:
        fh.write("\n[] a sh:NodeShape ; sh:targetNode <https://integration.region-hannover.example/id/massnahme/5> ;\n"
                 '    sh:property [ sh:name "IK-T01 Testregel" ; sh:path dcterms:title ; sh:maxLength 3 ] .\n')
    with pytest.raises(BuildError) as exc:
        compile_graph(project_copy)
    assert "data/massnahmen.csv, Maßnahme 5 (Tabellenzeile 6)" in str(exc.value)
    assert "IK-T01" in str(exc.value)


def test_failed_build_leaves_previous_build_in_place(project_copy, tmp_path):
    out = tmp_path / "out" / "build"
    build(out=out, project=project_copy)
    before = (out / "manifest.json").read_text()
    target = out.resolve()
    _edit(project_copy.data / "massnahmen.csv", "\n5,partizipation-und-teilhabe,", "\n4,partizipation-und-teilhabe,")
    with pytest.raises(BuildError):
        build(out=out, project=project_copy)
    assert out.resolve() == target
    assert (out / "manifest.json").read_text() == before
    assert not list((out.parent / ".builds").glob("*.partial"))


def test_rebuild_switches_atomically_to_a_new_directory(project_copy, tmp_path):
    out = tmp_path / "out" / "build"
    first = build(out=out, project=project_copy).path
    second = build(out=out, project=project_copy).path
    assert out.is_symlink() and out.resolve() == second.resolve() and first != second


def test_ntriples_dump_is_canonical_sorted_and_the_same_on_every_build(project_copy, tmp_path):
    out = tmp_path / "out" / "build"
    first = (build(out=out, project=project_copy).path / "graph.nt").read_bytes()
    second = (build(out=out, project=project_copy).path / "graph.nt").read_bytes()
    assert first == second
    lines = first.splitlines()
    assert lines == sorted(set(lines)) and len(lines) == len(Graph().parse(data=first, format="nt"))


# ------------------------------------------------------------------ the atomic switch, as a mechanism


def _complete(out) -> bool:
    try:
        return bool(json.loads((out / "manifest.json").read_text())["build_id"])
    except (OSError, ValueError):
        return False


def test_every_filesystem_step_of_a_rebuild_leaves_a_complete_build_in_place(project_copy, tmp_path, monkeypatch):
    """An unlink-then-rename switch, or pruning the served build, would leave build/ missing for a moment: each
    rename, replace, unlink and symlink of a rebuild is checked before and after it runs."""
    out = tmp_path / "out" / "build"
    first = build(out=out, project=project_copy).path
    steps = []

    def watched(name, call):
        def step(*args, **kwargs):
            before = _complete(out)
            result = call(*args, **kwargs)
            steps.append((name, before, _complete(out)))
            return result
        return step

    for name in ("replace", "rename", "unlink", "remove", "rmdir", "symlink"):
        monkeypatch.setattr(os, name, watched(name, getattr(os, name)))
    second = build(out=out, project=project_copy).path
    monkeypatch.undo()
    assert [s for s in steps if not (s[1] and s[2])] == [], "build/ was incomplete or missing after one of these steps"
    replaced = [s for s in steps if s[0] == "replace"]
    assert len(replaced) == 1, "the link is switched by one os.replace"
    assert out.is_symlink() and out.resolve() == second.resolve() != first.resolve()
    assert not list(out.parent.glob(".build.tmp-*")), "no temporary link left behind"


def _read_while_switched(out: Path, seen: dict, missing, done) -> None:
    """A reader in its own process (running beside the switching, not taking turns with it under the GIL)."""
    manifest, reads = out / "manifest.json", 0
    while not done.is_set():
        reads += 1
        try:
            if reads % 50:
                os.stat(manifest)  # cheap, so that the reader looks often
            else:
                seen[json.loads(manifest.read_text())["build_id"]].value += 1
        except (OSError, ValueError):
            missing.value += 1


def test_a_concurrent_reader_never_finds_build_missing_while_it_is_switched(tmp_path):
    out = tmp_path / "build"
    targets = []
    for name in ("a", "b"):
        target = tmp_path / ".builds" / name
        target.mkdir(parents=True)
        (target / "manifest.json").write_text(json.dumps({"build_id": name}))
        targets.append(target)
    switch(out, targets[0])
    context = multiprocessing.get_context("fork")
    seen, missing, done = {"a": context.Value("l", 0), "b": context.Value("l", 0)}, context.Value("l", 0), context.Event()
    reader = context.Process(target=_read_while_switched, args=(out, seen, missing, done))
    reader.start()
    switches, deadline = 0, time.monotonic() + 60
    try:
        # At least 5000 switches, and on until the reader has read both builds several times: a reader that never
        # ran beside the switching would prove nothing (on a loaded machine it may get no turn for a while).
        while (switches < 5000 or min(v.value for v in seen.values()) < 20) and time.monotonic() < deadline:
            switch(out, targets[switches % 2])
            switches += 1
    finally:
        done.set()
        reader.join(10)
    assert missing.value == 0, f"build/ was missing or incomplete {missing.value} times during {switches} switches"
    assert min(v.value for v in seen.values()) >= 20, f"the reader read only {dict((k, v.value) for k, v in seen.items())}"
