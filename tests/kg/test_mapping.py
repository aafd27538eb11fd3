"""How the spreadsheets become the graph, checked against the data files themselves (read here with csv and yaml,
not through kg.sources): slugs, the Region, the units' place in the hierarchy, chapters, unit kinds.

Each test names a rule of kg/mapping.py that a mutation run found unguarded (tests/mutation/baseline.toml).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDFS, SKOS

from kg.mapping import GEOCODING, slugify
from kg.namespaces import IK, SCHEMA, chapter_uri, uri

DATA = Path(__file__).resolve().parents[2] / "data"


def rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("text,slug", [("Geflüchtete Frauen", "gefluechtete-frauen"), ("Äpfel, Öl & Übersetzung", "aepfel-oel-uebersetzung"),
                                       ("Straße der Größe", "strasse-der-groesse"), ("Schüler*innen 8–13", "schueler-innen-8-13")])
def test_slugs_spell_umlauts_and_sharp_s_out(text, slug):
    assert slugify(text) == slug


def test_the_region_has_its_name_as_label_and_its_regional_key(graph):
    region = yaml.safe_load((DATA / "bericht.yaml").read_text(encoding="utf-8"))["region"]
    r = uri("organisation", region["key"])
    name = Literal(region["name"], lang="de")
    assert (r, SKOS.prefLabel, name) in graph and (r, RDFS.label, name) in graph
    assert (r, IK.regionalschluessel, Literal(region["regionalschluessel"])) in graph
    assert (r, DCTERMS.spatial, URIRef(GEOCODING + region["regionalschluessel"])) in graph


def test_a_unit_the_report_places_nowhere_says_so_and_the_others_have_their_place(graph):
    placed, unplaced = [], []
    for e in rows("oe.csv"):
        (placed if e["teil_von"] or e["dezernat"] else unplaced).append(uri("oe", e["key"]))
    assert placed and unplaced
    for u in unplaced:
        assert (u, IK.nichtAngegeben, ORG.subOrganizationOf) in graph, u
        assert (u, ORG.subOrganizationOf, None) not in graph, u
    for u in placed:
        assert (u, IK.nichtAngegeben, ORG.subOrganizationOf) not in graph, u
        assert (u, ORG.subOrganizationOf, None) in graph, u


def test_every_unit_but_the_jobcenter_is_a_unit_of_the_region(graph):
    """The report does not state the Jobcenter's legal form: no org:unitOf for it (a joint institution)."""
    region = uri("organisation", yaml.safe_load((DATA / "bericht.yaml").read_text(encoding="utf-8"))["region"]["key"])
    units = {uri("oe", e["key"]) for e in rows("oe.csv")}
    of_region = {u for u in units if (u, ORG.unitOf, region) in graph}
    assert units - of_region == {uri("oe", "jobcenter-region-hannover")}
    assert (uri("oe", "jobcenter-region-hannover"), ORG.unitOf, None) not in graph


def test_a_numbered_sub_chapter_is_part_of_its_chapter_and_a_chapter_of_none(graph):
    report = yaml.safe_load((DATA / "bericht.yaml").read_text(encoding="utf-8"))["bericht"]["key"]
    assert (chapter_uri(report, "6.1"), SCHEMA.isPartOf, chapter_uri(report, "6")) in graph
    assert (chapter_uri(report, "6.2"), SCHEMA.isPartOf, chapter_uri(report, "6")) in graph
    assert (chapter_uri(report, "6"), SCHEMA.isPartOf, None) not in graph
    assert (chapter_uri(report, "6"), DCTERMS.isPartOf, None) in graph  # part of the report itself


def test_every_unit_kind_carries_the_definition_its_row_gives(graph):
    kinds = rows("oe-arten.csv")
    assert any(a["definition"] for a in kinds)
    for a in kinds:
        found = set(graph.objects(uri("oe-art", a["slug"]), SKOS.definition))
        assert found == ({Literal(a["definition"], lang="de")} if a["definition"] else set()), a["slug"]
