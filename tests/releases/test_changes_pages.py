"""/aenderungen, its Atom feed and a measure's history, served from two real releases (the second synthetic)."""

from __future__ import annotations

import feedparser
import pytest
from lxml import html as lxml_html

from tests.releases.conftest import BASE, ENDED, NEW, NEW_TITLE_5, RETIRED


@pytest.fixture(scope="module")
def releases_client(two_releases):
    from server.app import create_app

    app = create_app({"KG_BUILD_DIR": str(two_releases["out"]), "KG_RELEASES_DIR": str(two_releases["directory"]),
                      "KG_URI_REGISTRY": str(two_releases["project"].data / "uri-registry.csv"),
                      "KG_PUBLIC_URL": "http://localhost/"})  # the feed's links come from configuration
    yield app.test_client()
    pool = app.extensions.get("sparql_pool")
    if pool is not None:
        pool.close()


def test_the_change_list_json_has_the_newest_release_first_with_exactly_the_edit(releases_client):
    data = releases_client.get("/aenderungen.json").get_json()
    assert [r["name"] for r in data["releases"]] == ["2021", "2020"]
    newest = data["releases"][0]
    assert sorted((m["kind"], m["nr"]) for m in newest["measures"]) == sorted(
        [("neu", NEW[0]), ("neu", NEW[1]), ("geändert", 5), ("geändert", 7), ("geändert", ENDED), ("zurückgezogen", RETIRED)])
    assert data["releases"][1]["initial"] is True and data["releases"][1]["measures"] == []


def test_the_change_list_filters_by_field_of_action_and_unit(releases_client):
    by_unit = releases_client.get("/aenderungen.json?oe=50").get_json()["releases"][0]["measures"]
    assert [m["nr"] for m in by_unit] == [7]
    field = releases_client.get("/aenderungen.json?handlungsfeld=interkulturelle-oeffnung").get_json()["releases"][0]["measures"]
    assert {m["nr"] for m in field} == {RETIRED}


def test_the_page_lists_old_and_new_values(releases_client):
    r = releases_client.get("/aenderungen")
    assert r.status_code == 200
    doc = lxml_html.fromstring(r.data)
    items = [" ".join(li.text_content().split()) for li in doc.xpath("//section[@class='changes'][1]//li")]
    assert any(f"„Entdeckertag 2019“ → „{NEW_TITLE_5}“" in text for text in items)
    # A field that keeps some values says what came and what went: measure 7 got a second unit.
    assert "zuständige OE: hinzu: „Fachbereich Soziales“" in items
    assert f"Statusangabe: hinzu: „Maßnahme {ENDED}: beendet seit 2023-12 (Bericht 2024)“" in items
    feed = doc.xpath("//link[@rel='alternate'][@type='application/atom+xml']/@href")
    assert feed == ["/aenderungen.atom"]


def test_the_atom_feed_parses_and_each_entry_links_to_its_measure(releases_client):
    r = releases_client.get("/aenderungen.atom")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    feed = feedparser.parse(r.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title and feed.feed.id and feed.feed.updated
    entries = feed.entries
    assert len(entries) == 7  # six changed measures in 2021, the first publication of 2020 as one
    assert len({e.id for e in entries}) == 7
    for e in entries[:6]:
        assert e.link.startswith("http://localhost/id/massnahme/"), e.link
        assert e.updated.startswith("2025-07-01")
    assert {int(e.link.rsplit("/", 1)[-1]) for e in entries[:6]} == {5, 7, ENDED, RETIRED, *NEW}
    changed = next(e for e in entries if e.link.endswith("/id/massnahme/5"))
    assert "Entdeckertag 2019" in changed.summary and NEW_TITLE_5 in changed.summary
    unit = next(e for e in entries if e.link.endswith("/id/massnahme/7"))
    assert unit.summary == "Release 2021: zuständige OE: hinzu: Fachbereich Soziales"
    assert entries[-1].link == "http://localhost/massnahmen"


def test_a_measure_page_shows_its_history(releases_client):
    r = releases_client.get("/doc/massnahme/5.html")
    doc = lxml_html.fromstring(r.data)
    section = doc.xpath("//section[h2[@id='history-h']]")
    assert section, "no history section"
    text = " ".join(section[0].text_content().split())
    assert "Release 2020 vom 15. Januar 2021: erstmals veröffentlicht" in text
    assert f"Release 2021 vom 1. Juli 2025: geändert Titel: „Entdeckertag 2019“ → „{NEW_TITLE_5}“" in text


def test_catalog_and_void_describe_the_served_release_and_the_ones_before(releases_client):
    from rdflib import Graph, Literal, URIRef
    from rdflib import namespace as ns

    dataset = URIRef(BASE + "catalog/dataset/wissensgraph")
    catalog = Graph().parse(data=releases_client.get("/catalog.ttl").get_data(as_text=True), format="turtle")
    assert {str(d) for d in catalog.objects(dataset, ns.DCTERMS.issued)} == {"2025-07-01"}  # the release date, fixed
    dcat3 = str(ns.DCAT)
    assert not set(catalog.objects(dataset, ns.OWL.versionInfo))  # deprecated in DCAT-AP.de: dcat:version
    assert set(catalog.objects(dataset, URIRef(dcat3 + "version"))) == {Literal("2021")}
    in_catalog = {URIRef(BASE + "release/2020"), URIRef(BASE + "release/2021")}
    assert set(catalog.objects(dataset, URIRef(dcat3 + "hasVersion"))) == in_catalog
    newest = URIRef(BASE + "release/2021")
    assert set(catalog.objects(newest, URIRef(dcat3 + "previousVersion"))) == {URIRef(BASE + "release/2020")}
    assert set(catalog.objects(newest, ns.DCTERMS.issued)) == {Literal("2025-07-01", datatype=ns.XSD.date)}
    assert set(catalog.objects(newest, ns.DCAT.landingPage)) == {URIRef(BASE + "release/2021/")}
    # Counts in the descriptions come from the data: the synthetic release has 130 measures.
    text = str(catalog.value(dataset, ns.DCTERMS.description))
    assert "130 Maßnahmen, 8 Handlungsfelder, 36 Ziele" in text and "129" not in text
    table = str(catalog.value(URIRef(BASE + "catalog/dataset/massnahmen"), ns.DCTERMS.description))
    assert table.startswith("Die 130 Maßnahmen und Projekte")
    # A harvester takes every dcat:Dataset of the graph for a dataset: the releases are versions, not more datasets.
    catalog_node = URIRef(BASE + "catalog")
    assert set(catalog.subjects(ns.RDF.type, ns.DCAT.Dataset)) == set(catalog.objects(catalog_node, ns.DCAT.dataset))
    void = Graph().parse(data=releases_client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data(as_text=True),
                         format="turtle")
    assert set(void.objects(dataset, ns.OWL.versionInfo)) == {Literal("2021")}
    versions = set(void.objects(dataset, ns.DCTERMS.hasVersion))
    assert versions == {URIRef(BASE + "release/2020"), URIRef(BASE + "release/2021")}
    old = URIRef(BASE + "release/2020")
    assert (old, URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), URIRef(BASE + "release/2020/sparql")) in void
    assert (URIRef(BASE + "release/2021"), ns.PROV.wasRevisionOf, old) in void


def test_a_release_added_or_pruned_while_serving_shows_on_the_next_request(two_releases, tmp_path):
    """The list is kept until the releases directory changes: a release renamed into place (as kg release does) or
    removed (pruned) shows at once, without a restart."""
    import shutil

    from server.app import create_app

    directory = tmp_path / "releases"
    directory.mkdir()
    shutil.copytree(two_releases["first"].path, directory / "2020")
    app = create_app({"KG_BUILD_DIR": str(two_releases["out"]), "KG_RELEASES_DIR": str(directory)})
    client = app.test_client()
    names = lambda: [r["name"] for r in client.get("/aenderungen.json").get_json()["releases"]]  # noqa: E731
    assert names() == ["2020"]
    assert names() == ["2020"]  # kept
    shutil.copytree(two_releases["second"].path, directory / ".2021.partial")
    assert names() == ["2020"], "a half-written release is not listed"
    (directory / ".2021.partial").rename(directory / "2021")
    assert names() == ["2021", "2020"]
    shutil.rmtree(directory / "2020")
    assert names() == ["2021"]
