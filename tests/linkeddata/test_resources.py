"""Dereferencing over HTTP: 303, content negotiation, formats, caching headers, pages for every type."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS

from kg.build import build
from kg.namespaces import DEFAULT_BASE, IK
from tests.support.htmltree import parse_html

BASE = DEFAULT_BASE
RDF_TYPES = {"ttl": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld"),
             "nt": ("application/n-triples", "nt"), "rdf": ("application/rdf+xml", "xml")}


def parse(response, fmt) -> Graph:
    return Graph().parse(data=response.data, format=RDF_TYPES[fmt][1], publicID=BASE)


@pytest.mark.parametrize("accept,ext", [
    ("text/html", "html"), ("text/turtle", "ttl"), ("application/ld+json", "jsonld"),
    ("application/n-triples", "nt"), ("application/rdf+xml", "rdf"), ("*/*", "html"),
    ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "rdf"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
])
def test_id_answers_303_to_the_negotiated_document(client, accept, ext):
    r = client.get("/id/massnahme/22", headers={"Accept": accept})
    assert r.status_code == 303
    assert r.headers["Location"].endswith(f"/doc/massnahme/22.{ext}")
    assert "Accept" in r.headers["Vary"]


def test_format_parameter_overrides_accept(client):
    r = client.get("/id/massnahme/22?format=ttl", headers={"Accept": "text/html"})
    assert r.headers["Location"].endswith("/doc/massnahme/22.ttl")


def test_unknown_format_parameter_is_400_and_unacceptable_accept_is_406(client):
    assert client.get("/id/massnahme/22?format=docx").status_code == 400
    r = client.get("/id/massnahme/22", headers={"Accept": "application/msword"})
    assert r.status_code == 406
    assert "text/turtle" in r.get_data(as_text=True)


@pytest.mark.parametrize("fmt", RDF_TYPES)
def test_every_rdf_format_parses_and_describes_the_resource(client, fmt):
    r = client.get(f"/doc/massnahme/22.{fmt}")
    assert r.status_code == 200 and r.mimetype == RDF_TYPES[fmt][0]
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    g = parse(r, fmt)
    m = URIRef(BASE + "id/massnahme/22")
    assert str(g.value(m, DCTERMS.identifier)) == "22"
    # labels of what it points to travel with it
    assert g.value(URIRef(BASE + "id/oe/50"), RDFS.label) is not None
    assert g.value(URIRef(BASE + "id/drucksache/IV-0625"), RDFS.label) is not None


def test_description_includes_incoming_links(client):
    g = parse(client.get("/doc/drucksache/IV-2145.ttl"), "ttl")
    citing = set(g.subjects(DCTERMS.references, URIRef(BASE + "id/drucksache/IV-2145")))
    assert citing == {URIRef(BASE + "id/massnahme/32"), URIRef(BASE + "id/massnahme/73")}
    assert all(g.value(m, RDFS.label) for m in citing)


def test_rdf_documents_label_their_predicates_and_the_types_of_what_links_to_them(client, graph):
    """Labels of terms come from a table kept per build, not from the document's query: each one still travels."""
    m = URIRef(BASE + "id/massnahme/22")
    g = parse(client.get("/doc/massnahme/22.ttl"), "ttl")
    own = {(p, RDFS.label, label) for p in set(graph.predicates(m, None)) for label in graph.objects(p, RDFS.label)}
    assert len({p for p, _, _ in own}) >= 5 and own <= set(g)
    d = URIRef(BASE + "id/drucksache/IV-2145")
    g = parse(client.get("/doc/drucksache/IV-2145.ttl"), "ttl")
    linking = {(term, RDFS.label, label) for i, p in graph.subject_predicates(d) for term in (p, *graph.objects(i, RDF.type))
               for label in graph.objects(term, RDFS.label)}
    assert (IK.Massnahme, RDFS.label, None) in graph and linking and linking <= set(g)


def test_unknown_resource_is_404_in_the_requested_format(client):
    r = client.get("/id/massnahme/999", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and r.mimetype == "text/turtle"
    assert len(Graph().parse(data=r.data, format="turtle")) == 0
    r = client.get("/doc/massnahme/999.jsonld")
    assert r.status_code == 404 and r.mimetype == "application/ld+json"
    assert json.loads(r.data)["@graph"] == []
    assert client.get("/id/nichtda/1").status_code == 404


def test_doc_headers_alternates_etag_and_conditional_get(client):
    r = client.get("/doc/massnahme/5", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "Accept" in r.headers["Vary"]
    alternates = dict(re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', r.headers["Link"]))
    assert set(alternates.values()) == {"text/html", "application/ld+json", "application/n-triples", "application/rdf+xml"}
    assert "max-age" in r.headers["Cache-Control"] and r.headers["Last-Modified"]
    etag = r.headers["ETag"]
    again = client.get("/doc/massnahme/5", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304
    since = client.get("/doc/massnahme/5.ttl", headers={"If-Modified-Since": r.headers["Last-Modified"]})
    assert since.status_code == 304


@pytest.mark.parametrize("path,accept", [("/doc/massnahme/5.ttl", "*/*"), ("/doc/drucksache/IV-2145", "text/turtle"),
                                         ("/doc/massnahme/5.jsonld", 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"'),
                                         ("/def/ik.nt", "*/*")])
def test_an_rdf_document_the_client_holds_is_answered_304_before_any_lookup(client, monkeypatch, path, accept):
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200 and first.data

    def no_lookup(*args, **kwargs):
        raise AssertionError("the document was looked up for a client that holds it")

    monkeypatch.setattr("server.linkeddata.describe.document", no_lookup)
    monkeypatch.setattr("server.linkeddata.renderers.per_build", no_lookup)
    again = client.get(path, headers={"Accept": accept, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    for header in ("ETag", "Cache-Control", "Access-Control-Allow-Origin", "Vary", "Content-Location"):  # RFC 9110 §15.4.5
        assert again.headers.get(header) == first.headers.get(header), header
    monkeypatch.undo()
    other = client.get(path, headers={"Accept": accept, "If-None-Match": '"another-build"'})
    assert other.status_code == 200 and other.data == first.data


def test_a_document_asked_with_if_none_match_star_is_looked_up(client):
    """``*`` asks whether the document exists at all: 304 for one that does, 404 for one that does not."""
    assert client.get("/doc/massnahme/5.ttl", headers={"If-None-Match": "*"}).status_code == 304
    assert client.get("/doc/massnahme/99999.ttl", headers={"If-None-Match": "*"}).status_code == 404


def test_jsonld_forms_at_one_url_have_tags_of_their_own(client):
    compacted = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"'
    expanded = client.get("/doc/massnahme/5.jsonld")
    short = client.get("/doc/massnahme/5.jsonld", headers={"Accept": compacted})
    assert short.data != expanded.data and short.headers["ETag"] != expanded.headers["ETag"]
    # a client holding the expanded form and now asking for the compacted one gets the compacted one
    asked = client.get("/doc/massnahme/5.jsonld", headers={"Accept": compacted, "If-None-Match": expanded.headers["ETag"]})
    assert asked.status_code == 200 and asked.data == short.data


def test_a_page_s_tag_changes_with_its_language_and_its_day(client, monkeypatch):
    """The same URL in the language a cookie chose, or on another day (the citation names the access date), is
    another page: a client holding the German page of yesterday must not be told it is current."""
    import datetime

    german = client.get("/doc/massnahme/5", headers={"Accept": "text/html"})
    client.set_cookie("lang", "en")
    english = client.get("/doc/massnahme/5", headers={"Accept": "text/html", "If-None-Match": german.headers["ETag"]})
    assert english.status_code == 200 and english.headers["ETag"] != german.headers["ETag"]
    assert parse_html(english.data).find("html").get("lang") == "en"
    client.delete_cookie("lang")
    assert client.get("/doc/massnahme/5", headers={"If-None-Match": german.headers["ETag"]}).status_code == 304
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr("server.linkeddata.renderers.today", lambda: tomorrow)
    next_day = client.get("/doc/massnahme/5", headers={"Accept": "text/html", "If-None-Match": german.headers["ETag"]})
    assert next_day.status_code == 200 and next_day.headers["ETag"] != german.headers["ETag"]


@pytest.mark.parametrize("path", ["/doc/massnahme/5", "/def/handlungsfelder", "/def/ik"])
def test_every_alternate_and_content_location_answers_in_its_format(client, path):
    r = client.get(path, headers={"Accept": "text/html"})
    alternates = dict(re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', r.headers["Link"]))
    assert len(alternates) == 4
    for url, mimetype in alternates.items():
        got = client.get(url)
        assert got.status_code == 200 and got.mimetype == mimetype, (url, got.status_code)
    negotiated = client.get(path, headers={"Accept": "text/turtle"})
    assert client.get(negotiated.headers["Content-Location"]).data == negotiated.data


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang, self.jsonld, self._in_ld, self.links, self.text = None, [], False, [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
        if tag == "a":
            self.links.append(a.get("href"))

    def handle_endtag(self, tag):
        self._in_ld = False if tag == "script" else self._in_ld

    def handle_data(self, data):
        (self.jsonld if self._in_ld else self.text).append(data)


def page(client, path) -> _Page:
    r = client.get(path)
    assert r.status_code == 200, path
    p = _Page()
    p.feed(r.get_data(as_text=True))
    return p


@pytest.mark.parametrize("path,schema_type", [
    ("/doc/massnahme/1", "Project"), ("/doc/handlungsfeld/vernetzung", "DefinedTerm"),
    ("/doc/ziel/sprachkurse-anbieten", "DefinedTerm"), ("/doc/oe/51", "GovernmentOrganization"),
    ("/doc/oe/dezernat-ii", "GovernmentOrganization"), ("/doc/drucksache/2009-372", "DigitalDocument"),
    ("/doc/zielgruppe/gefluechtete", "DefinedTerm"), ("/doc/bericht/2020", "Report"),
    ("/doc/schwerpunkt/uebergang-schule-beruf", "CreativeWork"), ("/doc/kapitel/2020-3-1", "Chapter"),
    ("/doc/schritt/uebergang-schule-beruf-1", "CreativeWork"), ("/doc/organisation/region-hannover", "GovernmentOrganization"),
    ("/doc/person/hauke-jagau", "Person"),
])
def test_html_page_for_every_type(client, path, schema_type):
    p = page(client, path)
    assert p.lang == "de"
    ld = json.loads("".join(p.jsonld))
    assert ld["@type"] == schema_type and ld["@id"].startswith(BASE)
    assert any(link and link.endswith(".ttl") for link in p.links)


def test_html_links_point_to_local_paths_and_show_labels(client):
    p = page(client, "/doc/massnahme/22")
    assert "/id/oe/50" in p.links and "/id/handlungsfeld/gefluechtete" in p.links
    assert "Fachbereich Soziales (50)" in "".join(p.text)


def test_ontology_dereferences_as_html_and_turtle(client):
    p = page(client, "/def/ik")
    assert "#Massnahme" in p.links and "#verfolgtZiel" in p.links
    g = Graph().parse(data=client.get("/def/ik", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert (URIRef(BASE + "def/ik#Massnahme"), RDFS.label, None) in g
    assert not list(g.subjects(DCTERMS.identifier, None)), "only the vocabulary, not the data"


def test_concept_scheme_dereferences(client):
    g = Graph().parse(data=client.get("/def/zielgruppen.ttl").data, format="turtle")
    assert len(list(g.objects(URIRef(BASE + "def/zielgruppen"), URIRef("http://www.w3.org/2004/02/skos/core#hasTopConcept")))) > 10


def test_long_incoming_lists_are_paged(client):
    p = page(client, "/doc/bericht/2020")
    assert len([link for link in p.links if link and link.startswith("/id/massnahme/")]) == 50
    p2 = page(client, "/doc/bericht/2020?seite=3")
    assert len([link for link in p2.links if link and link.startswith("/id/massnahme/")]) == 29


def test_home_page_counts_and_charts(client):
    r = client.get("/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    rows = re.findall(r'<th scope="row"><a href="/id/handlungsfeld/[^"]+">[^<]+</a></th><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td>', html)
    assert sum(int(n) for n, _ in rows) == 129 and sum(int(z) for _, z in rows) == 36
    assert html.count('<svg role="group"') == 3  # the bars are links


def test_local_host_is_mapped_onto_the_base(tmp_path, project_copy, make_app):
    out = tmp_path / "b" / "build"
    build(out=out, project=project_copy, base="http://127.0.0.1:8080/")
    client = make_app(KG_BUILD_DIR=str(out), KG_BASE_URI="http://127.0.0.1:8080/").test_client()
    g = Graph().parse(data=client.get("/doc/massnahme/3.ttl").data, format="turtle")
    m = URIRef("http://127.0.0.1:8080/id/massnahme/3")
    assert (m, None, None) in g and g.value(m, URIRef("http://127.0.0.1:8080/def/ik#handlungsfeld")) is not None
    assert not [t for triple in g for t in triple if str(t).startswith(DEFAULT_BASE)], "no IRI of the default base is left"


def test_literal_with_markup_is_escaped(tmp_path, project_copy, make_app):
    path = project_copy.data / "massnahmen.csv"
    original = path.read_text(encoding="utf-8")
    text = original.replace("Entdeckertag 2019\nUnter", "Entdeckertag 2019 <script>alert(1)</script>\nUnter", 1)
    assert text != original
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "x" / "build"
    build(out=out, project=project_copy)
    html = make_app(KG_BUILD_DIR=str(out)).test_client().get("/doc/massnahme/5").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    page = parse_html(html)
    for script in page.find_all("script"):  # the data's text reaches scripts only as JSON-LD, markup escaped
        assert script.get("type") == "application/ld+json" or "alert(1)" not in script.text()
        assert "<script" not in script.text()
    assert "Entdeckertag 2019 <script>alert(1)</script> Unter" in page.find("main").text(), "shown as text, escaped"


def test_home_charts_show_the_largest_units_and_count_the_rest(client, graph, monkeypatch):
    from collections import OrderedDict

    from server import caches
    from server.pages import home

    monkeypatch.setattr(home, "CHART_ROWS", 3)
    monkeypatch.setattr(caches, "_per_build", OrderedDict())  # the home page's data is kept per build
    counts = sorted((int(graph.value(u, IK.anzahlMassnahmen)) for u in graph.subjects(RDF.type, ORG.OrganizationalUnit)
                     if int(graph.value(u, IK.anzahlMassnahmen)) > 0), reverse=True)
    figure = parse_html(client.get("/").data).find("figure", aria_labelledby="chart-oe-cap")
    shown = [int(tr.find("td").text()) for tr in figure.find("table").find("tbody").find_all("tr")]
    assert shown == counts[:3]
    assert f" {len(counts) - 3} " in figure.find("p", cls="muted").text()
