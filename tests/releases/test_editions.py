"""Editions of the report: a synthetic second edition (tests only) is new data, not new code – same ontology, same
shapes, same build; measures belong to the editions that list them and are cited from the latest."""

from __future__ import annotations

import csv

import pytest
from lxml import html as lxml_html
from rdflib import Graph, URIRef
from rdflib import namespace as ns

from kg.build import ROOT, compile_graph
from kg.errors import BuildError
from kg.namespaces import IK
from tests.releases.conftest import BASE, EDITION, ENDED, ENDED_QUOTE, NEW, copy_project, next_edition


def _u(path: str) -> URIRef:
    return URIRef(BASE + path)


@pytest.fixture(scope="module")
def second(two_releases) -> Graph:
    return Graph().parse(two_releases["second"].path / "graph.nt", format="nt")


def test_the_second_edition_uses_the_same_ontology_and_shapes(two_releases):
    for part in ("ontology", "shapes"):
        copied = sorted(p.name for p in (two_releases["root"] / part).iterdir())
        assert copied == sorted(p.name for p in (ROOT / part).iterdir())
        for name in copied:
            assert (two_releases["root"] / part / name).read_bytes() == (ROOT / part / name).read_bytes()


def test_measures_belong_to_the_editions_that_list_them(second):
    old, new = _u("id/bericht/2020"), _u(f"id/bericht/{EDITION}")
    assert set(second.objects(_u("id/massnahme/25"), IK.gelistetIn)) == {old, new}
    assert second.value(_u("id/massnahme/25"), IK.erstmalsIn) == old
    assert second.value(_u("id/massnahme/25"), IK.zuletztIn) == new
    for nr in NEW:
        m = _u(f"id/massnahme/{nr}")
        assert set(second.objects(m, IK.gelistetIn)) == {new} == {second.value(m, IK.erstmalsIn)}
        assert set(second.objects(m, ns.DCTERMS.source)) == {new}
        assert set(second.objects(_u(f"id/eintrag/{nr}"), ns.PROV.wasDerivedFrom)) == {_u(f"id/kapitel/{EDITION}-6-1")}
    assert (new, ns.PROV.wasRevisionOf, old) in second and (old, ns.DCTERMS.isReplacedBy, new) in second


def test_the_ended_measure_is_ended_by_the_words_of_the_second_edition(second):
    m = _u(f"id/massnahme/{ENDED}")
    assert second.value(m, IK.status) == _u("id/status/beendet")
    latest = [s for s in second.objects(m, IK.statusangabe) if second.value(s, IK.status) == _u("id/status/beendet")]
    assert len(latest) == 1 and str(second.value(latest[0], IK.wortlaut)) == ENDED_QUOTE
    assert second.value(latest[0], ns.DCTERMS.source) == _u(f"id/bericht/{EDITION}")


def test_the_real_data_has_one_edition_and_says_so_without_extra_links(graph):
    assert set(graph.subjects(ns.RDF.type, IK.Bericht)) == {_u("id/bericht/2020")}
    assert not set(graph.triples((None, IK.gelistetIn, None)))
    assert len(set(graph.subjects(ns.DCTERMS.source, _u("id/bericht/2020"))) & set(graph.subjects(ns.RDF.type, IK.Massnahme))) == 129


@pytest.fixture(scope="module")
def second_client(two_releases):
    from server.app import create_app

    app = create_app({"KG_BUILD_DIR": str(two_releases["out"]), "KG_RELEASES_DIR": str(two_releases["directory"])})
    yield app.test_client()
    pool = app.extensions.get("sparql_pool")
    if pool is not None:
        pool.close()


def _citation(client, nr: int) -> str:
    doc = lxml_html.fromstring(client.get(f"/doc/massnahme/{nr}.html").data)
    return " ".join(doc.xpath("//*[@id='zitat-kopieren']")[0].text_content().split())  # the suggested citation


def test_a_citation_names_the_latest_edition_and_the_first_where_earlier(second_client):
    assert _citation(second_client, 25).startswith(
        "Region Hannover (2024): Vielfalt und Zusammenhalt – Zweiter Bericht zum Integrationskonzept (synthetische Testausgabe), "
        "Maßnahme Nr. 25 (erstmals 2020): ")
    assert "Maßnahme Nr. 130: " in _citation(second_client, NEW[0]) and "erstmals" not in _citation(second_client, NEW[0])
    bib = second_client.get("/doc/massnahme/25.bib").get_data(as_text=True)
    assert "year         = {2024}" in bib and "erstmals im Bericht 2020" in bib


def test_the_home_page_says_which_edition_it_counts(second_client):
    doc = lxml_html.fromstring(second_client.get("/").data)
    intro = " ".join(doc.xpath("//main//p")[0].text_content().split())
    assert "mit seinen 130 Maßnahmen" in intro
    assert "Gezählt ist die Ausgabe 2024 des Berichts: 130 Maßnahmen." in intro
    assert "Alle Ausgaben zusammen (2020, 2024): 130 Maßnahmen." in intro


def test_the_real_home_page_names_its_edition(client):
    doc = lxml_html.fromstring(client.get("/").data)
    assert "Gezählt ist die Ausgabe 2020 des Berichts: 129 Maßnahmen." in " ".join(doc.xpath("//main//p")[0].text_content().split())


def test_a_measure_no_row_lists_belongs_to_the_newest_edition(tmp_path):
    project = copy_project(tmp_path)
    next_edition(project.data)
    path = project.data / "ausgaben.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    path.write_text(path.read_text(encoding="utf-8").replace(rows[1]["massnahmen"], "1-128|130"), encoding="utf-8")
    g = compile_graph(project).graph
    assert set(g.objects(_u("id/massnahme/131"), IK.gelistetIn)) == {_u(f"id/bericht/{EDITION}")}


def test_an_edition_listing_an_unknown_measure_fails_the_build(tmp_path):
    project = copy_project(tmp_path)
    path = project.data / "ausgaben.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",1-129,", ",1-135,"), encoding="utf-8")
    expected = r"ausgaben.csv, Ausgabe 2020 .*Spalte „massnahmen“.*Maßnahme 130 steht nicht in data/massnahmen.csv \(und 5 weitere\)"
    with pytest.raises(BuildError, match=expected):
        compile_graph(project)
