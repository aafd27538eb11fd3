"""kg release: a named, dated, versioned release under releases/, served from build/, with its change list."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns

from kg import diff, releases
from kg.errors import BuildError
from tests.releases.conftest import BASE, EDITION, ENDED, NEW, NEW_TITLE_5, RETIRED, copy_project, next_edition
from tests.support.servers import gunicorn

DATASET = URIRef(BASE + "catalog/dataset/wissensgraph")


def _graph(release) -> Graph:
    return Graph().parse(release.path / "graph.nt", format="nt")


def test_two_releases_are_listed_oldest_first_and_build_serves_the_newest(two_releases):
    listed = releases.listed(two_releases["directory"])
    assert [r.name for r in listed] == ["2020", "2021"]
    assert [r.previous for r in listed] == [None, "2020"]
    assert releases.served(two_releases["out"], two_releases["directory"]).name == "2021"
    manifest = json.loads((two_releases["out"] / "manifest.json").read_text())
    assert manifest["release"]["name"] == "2021" and manifest["files"]["changes.json"]["bytes"] > 0


def test_the_graph_of_a_release_says_its_version_date_and_predecessor(two_releases):
    g = _graph(two_releases["second"])
    assert set(g.objects(DATASET, ns.OWL.versionInfo)) == {Literal("2021")}
    assert set(g.objects(DATASET, ns.DCTERMS.issued)) == {Literal("2025-07-01", datatype=ns.XSD.date)}
    new, old = URIRef(BASE + "release/2021"), URIRef(BASE + "release/2020")
    assert set(g.objects(DATASET, ns.DCTERMS.hasVersion)) == {new, old}
    assert set(g.objects(new, ns.PROV.wasRevisionOf)) == {old}
    assert set(g.objects(new, URIRef(str(ns.DCAT) + "previousVersion"))) == {old}
    assert (old, ns.PROV.wasRevisionOf, None) not in g
    assert set(g.objects(old, ns.DCTERMS.issued)) == {Literal("2021-01-15", datatype=ns.XSD.date)}
    # The older release's own graph is unchanged: it knows nothing of its successor.
    first = _graph(two_releases["first"])
    assert set(first.objects(DATASET, ns.OWL.versionInfo)) == {Literal("2020")}
    assert (new, None, None) not in first


def test_the_change_list_of_the_second_release_is_exactly_the_synthetic_edit(two_releases):
    changes = diff.read(two_releases["second"].path / diff.CHANGES)
    assert not changes.initial
    summary = {(m.kind, m.nr) for m in changes.measures}
    assert summary == {("neu", NEW[0]), ("neu", NEW[1]), ("geändert", 5), ("geändert", 7), ("geändert", ENDED),
                       ("zurückgezogen", RETIRED)}
    by_nr = {m.nr: m for m in changes.measures}
    assert [(f.label, f.old, f.new) for f in by_nr[5].fields] == [("Titel", ["Entdeckertag 2019"], [NEW_TITLE_5])]
    units = by_nr[7].fields
    assert [f.label for f in units] == ["zuständige OE"]
    assert set(units[0].new) - set(units[0].old) == {"Fachbereich Soziales"}
    assert by_nr[RETIRED].reason == "Im Folgebericht nicht mehr enthalten (Test)"
    status = {f.label: (f.old, f.new) for f in by_nr[ENDED].fields}
    assert status["Stand"] == (["laufend"], ["beendet"])
    # The appendix entries and status statements belong to their measures; the new edition shows once.
    assert [(o.kind, o.uri) for o in changes.others] == [
        ("geändert", BASE + "id/bericht/2020"),  # dct:isReplacedBy the new edition
        ("neu", BASE + f"id/bericht/{EDITION}"), ("neu", BASE + f"id/kapitel/{EDITION}-6-1")]
    first = diff.read(two_releases["first"].path / diff.CHANGES)
    assert first.initial and len(first.measures) == 129 and {m.kind for m in first.measures} == {"neu"}


def test_a_taken_name_or_bad_data_makes_no_release_and_keeps_build(two_releases, tmp_path):
    d = two_releases
    before = os.readlink(d["out"])
    with pytest.raises(releases.ReleaseError, match="gibt es schon"):
        releases.make("2021", out=d["out"], project=d["project"], directory=d["directory"])
    with pytest.raises(releases.ReleaseError, match="taugt nicht"):
        releases.make("../x", out=d["out"], project=d["project"], directory=d["directory"])
    broken = copy_project(tmp_path)
    path = broken.data / "massnahmen.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("\n5,partizipation-und-teilhabe,", "\n4,partizipation-und-teilhabe,", 1),
                    encoding="utf-8")
    with pytest.raises(BuildError, match="D05"):
        releases.make("2022", out=d["out"], project=broken, directory=d["directory"], issued=date(2026, 1, 1))
    assert [r.name for r in releases.listed(d["directory"])] == ["2020", "2021"]
    assert os.readlink(d["out"]) == before
    assert not list(d["directory"].glob(".*.partial"))


def test_a_release_refuses_what_only_the_graph_rules_find_as_kg_build_does(two_releases, tmp_path):
    """An end before the start passes SHACL and is found by kg/checks.py (IK-X04): a release must not publish it."""
    d = two_releases
    before = os.readlink(d["out"])
    broken = copy_project(tmp_path)
    for name, old, new in (("massnahmen.csv", "2016-01-01,2018-12-31", "2016-01-01,2015"),
                           ("belege.csv", "\n25,ende,2018-12-31,", "\n25,ende,2015,")):
        path = broken.data / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BuildError, match="IK-X04 Ende vor Beginn"):
        releases.make("2023", out=d["out"], project=broken, directory=d["directory"], issued=date(2026, 2, 1))
    assert [r.name for r in releases.listed(d["directory"])] == ["2020", "2021"]
    assert os.readlink(d["out"]) == before
    assert not list(d["directory"].glob(".*.partial"))


def test_a_broken_uri_registry_makes_no_release_and_the_message_names_its_line(two_releases, tmp_path):
    """The registry is frozen into the release and read for its change list: before, a row with a bad status was
    read as 'entfernt' and released as it was."""
    d = two_releases
    before = os.readlink(d["out"])
    broken = copy_project(tmp_path)
    path = broken.data / "uri-registry.csv"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n/id/massnahme/999,verschwunden,,2026-01-01,Test\n",
                    encoding="utf-8")
    lines = path.read_text(encoding="utf-8").count("\n")
    with pytest.raises(releases.ReleaseError, match=rf"uri-registry.csv, Zeile/line {lines}: status „verschwunden“"):
        releases.make("2024", out=d["out"], project=broken, directory=d["directory"], issued=date(2026, 3, 1))
    assert [r.name for r in releases.listed(d["directory"])] == ["2020", "2021"]
    assert os.readlink(d["out"]) == before
    assert not (d["directory"] / "2024").exists()


def test_renamed_and_reordered_columns_change_nothing(tmp_path):
    """The diff reads graphs: a column order or quoting that differs gives the same triples, so no change."""
    project = copy_project(tmp_path)
    first, result = releases.make("a", out=tmp_path / "build", project=project, directory=tmp_path / "rel", issued=date(2024, 1, 1))
    path = project.data / "massnahmen.csv"
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames), list(reader)
    with open(path, "w", encoding="utf-8", newline="") as fh:  # columns reversed, every cell quoted
        writer = csv.DictWriter(fh, list(reversed(header)), quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    from kg.build import compile_graph

    again = compile_graph(project).graph
    changes = diff.compare(diff.load_graph(first.path / "graph.nt"), again, registry=project.data / "uri-registry.csv")
    assert not changes, diff.text(changes, "a", "now")


def test_retention_keeps_all_by_default_and_the_newest_n_when_asked(tmp_path):
    project = copy_project(tmp_path)
    directory, out = tmp_path / "rel", tmp_path / "build"
    for i, name in enumerate(("r1", "r2", "r3")):
        releases.make(name, out=out, project=project, directory=directory, issued=date(2024, 1, 1 + i), workers=1)
    assert [r.name for r in releases.listed(directory)] == ["r1", "r2", "r3"]
    releases.make("r4", out=out, project=project, directory=directory, issued=date(2024, 1, 9), keep=2, workers=1)
    assert [r.name for r in releases.listed(directory)] == ["r3", "r4"]
    assert sorted(p.name for p in directory.iterdir() if not p.name.startswith(".")) == ["r3", "r4"]


def _served_version(root: str) -> str:
    query = f"SELECT ?v WHERE {{ <{DATASET}> <{ns.OWL.versionInfo}> ?v }}"
    r = requests.get(root + "sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    return r.json()["results"]["bindings"][0]["v"]["value"]


def test_a_release_killed_half_way_leaves_the_previous_release_served_and_lists_nothing_half(tmp_path):
    project = copy_project(tmp_path)
    directory, out = tmp_path / "rel", tmp_path / "build"
    releases.make("2020", out=out, project=project, directory=directory, issued=date(2021, 1, 15))
    next_edition(project.data)
    env = {**os.environ, "KG_RELOAD_CHECK_SECONDS": "0.2"}
    with gunicorn(out, env) as root:
        assert _served_version(root) == "2020"
        cmd = [sys.executable, "-m", "kg.cli", "release", "2021", "--date", "2025-07-01", "--releases", str(directory),
               "--out", str(out), "--data", str(project.data), "--jobs", "1"]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        partial = directory / ".2021.partial"
        deadline = time.monotonic() + 120
        while not (partial / "graph.nt").exists():  # files are being written: half a release
            assert proc.poll() is None, f"release ended before it could be stopped: {proc.stderr.read().decode()[-500:]}"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert partial.exists()  # the remains are there ...
        assert [r.name for r in releases.listed(directory)] == ["2020"]  # ... but not listed
        assert releases.served(out, directory).name == "2020"
        time.sleep(0.5)
        assert _served_version(root) == "2020"
        # The next run removes the remains and publishes; the running server switches to it.
        made, _ = releases.make("2021", out=out, project=project, directory=directory, issued=date(2025, 7, 1))
        assert not partial.exists() and [r.name for r in releases.listed(directory)] == ["2020", "2021"]
        deadline = time.monotonic() + 20
        while _served_version(root) != "2021":
            assert time.monotonic() < deadline, "the server did not switch to the new release"
            time.sleep(0.2)
