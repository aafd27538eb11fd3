"""The query page, the example gallery (every example must answer), the HTML result view and the Service Description."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.namespaces import DEFAULT_BASE, SD, VOID
from server.sparql.examples import EXAMPLES
from server.sparql.service_description import service_description

FORMATS = "http://www.w3.org/ns/formats/"
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")


@pytest.fixture(scope="module")
def manifest(built) -> dict:
    return json.loads((built / "manifest.json").read_text())


class Page(HTMLParser):
    """The parts of the page the tests look at: forms, labels, textareas, links, tables, scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.labels: dict[str, str] = {}
        self.textareas: dict[str, str] = {}
        self.links: list[str] = []
        self.scripts: list[str] = []
        self.tables: list[dict] = []  # {"header": [...], "rows": [[...]]} in document order
        self._label_for = self._textarea = None
        self._cell: list[str] | None = None
        self._in_thead = False

    @classmethod
    def of(cls, response) -> Page:
        assert response.mimetype == "text/html"
        page = cls()
        page.feed(response.data.decode())
        return page

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(attrs)
        elif tag == "label":
            self._label_for = attrs.get("for")
            self.labels[self._label_for] = ""
        elif tag == "textarea":
            self._textarea = attrs.get("id")
            self.textareas[self._textarea] = ""
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        elif tag == "script" and attrs.get("src") != "/static/site.js":  # the site-wide menu/copy helper of every page
            self.scripts.append(attrs.get("src") or "(inline)")
        elif tag == "table":
            self.tables.append({"header": [], "rows": []})
        elif tag == "thead":
            self._in_thead = True
        elif tag == "tr" and not self._in_thead:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "thead":
            self._in_thead = False
        elif tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell).strip()
            (self.tables[-1]["header"] if self._in_thead else self.tables[-1]["rows"][-1]).append(text)
            self._cell = None

    def handle_data(self, data):
        if self._label_for:
            self.labels[self._label_for] += data
        if self._textarea:
            self.textareas[self._textarea] += data
        if self._cell is not None:
            self._cell.append(data)

    @property
    def header_cells(self) -> list[str]:
        return self.tables[0]["header"] if self.tables else []

    @property
    def rows(self) -> list[list[str]]:
        """The rows of the first table: the result table where there is one."""
        return self.tables[0]["rows"] if self.tables else []


def test_query_page_is_a_plain_form_with_a_labelled_textarea_and_no_prefix_lines(client):
    page = Page.of(client.get("/sparql", headers={"Accept": "text/html"}))
    assert [form for form in page.forms if form.get("action") == "/sparql" and form.get("method") == "post"]
    assert page.labels["query"].strip()
    query = page.textareas["query"]
    assert "PREFIX" not in query and "ik:Massnahme" in query  # predeclared
    # The form works without JavaScript; the only script is the editor bundle from our own /static, deferred.
    assert all(src.startswith("/sparql/static/") for src in page.scripts), page.scripts
    response = client.post("/sparql", data={"query": query, "format": "html"})
    assert response.status_code == 200 and len(Page.of(response).rows) == 20


def test_gallery_has_at_least_ten_examples_with_working_links(client):
    assert len(EXAMPLES) >= 10
    page = Page.of(client.get("/sparql", headers={"Accept": "text/html"}))
    runs = [link for link in page.links if urlsplit(link).query and "query" in parse_qs(urlsplit(link).query)]
    assert len(runs) >= 3 * len(EXAMPLES)
    for link in runs:
        assert len(link) < 4000, "example links must fit a GET request line"
        response = client.get(link, headers={"Accept": "text/html"})
        assert response.status_code == 200, (link, response.data[:300])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.slug)
def test_every_example_returns_rows(client, example):
    query = example.query(DEFAULT_BASE)
    if example.is_graph:
        response = client.get("/sparql", query_string={"query": query, "format": "ttl"})
        assert response.status_code == 200, response.data
        assert len(Graph().parse(data=response.data, format="turtle")) >= 1
    else:
        response = client.get("/sparql", query_string={"query": query, "format": "json"})
        assert response.status_code == 200, response.data
        assert len(json.loads(response.data)["results"]["bindings"]) >= 1
    assert example.description and example.title


def test_html_results_are_an_escaped_table(client):
    query = 'SELECT ?x ?n WHERE { BIND("<script>alert(1)</script>" AS ?x) BIND(42 AS ?n) }'
    response = client.get("/sparql", query_string={"query": query, "format": "html"})
    assert response.status_code == 200
    assert response.headers["X-SPARQL-Truncated"] == "false"
    page = Page.of(response)
    assert all(src.startswith("/sparql/static/") for src in page.scripts)
    assert page.header_cells == ["x", "n"]
    # Plain values; the datatype is a note the reader switches on (CSS), still in the markup.
    assert ["<script>alert(1)</script>", "42 xsd:integer"] in page.rows


def test_html_results_by_accept_header_match_the_json_rows(client):
    query = EXAMPLES[0].text(DEFAULT_BASE)
    as_json = json.loads(client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"}).data)
    page = Page.of(client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/html"}))
    table_rows = [row for row in page.rows if len(row) == len(page.header_cells)]
    assert len(table_rows) == len(as_json["results"]["bindings"])
    assert page.textareas["query"] == query  # the query stays in the form for editing


def test_errors_for_browsers_are_pages_with_the_query_kept(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"}, headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert Page.of(response).textareas["query"] == "SELECT * WHERE { ?s ?p }"


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
])
def test_service_description_for_rdf_clients(client, manifest, accept, rdflib_format):
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    g = Graph().parse(data=response.data, format=rdflib_format)
    service = URIRef(client.application.config["KG_BASE_URI"] + "sparql")  # from configuration, never from Host
    assert (service, RDF.type, SD.Service) in g
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert set(g.objects(service, SD.resultFormat)) == {URIRef(FORMATS + name) for name in (
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
        "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads")}
    dataset = g.value(service, SD.defaultDataset)
    assert g.value(g.value(dataset, SD.defaultGraph), VOID.triples) == Literal(manifest["triples"], datatype=XSD_INTEGER)
    assert SD.SPARQL11Update not in set(g.objects())
    assert not set(g.objects(service, SD.feature))  # no update (or any other optional) feature


def test_service_description_by_format_parameter_and_for_reuse(client, manifest):
    response = client.get("/sparql?format=ttl")
    assert response.mimetype == "text/turtle"
    reusable = service_description(DEFAULT_BASE, manifest)
    endpoint = URIRef(DEFAULT_BASE + "sparql")
    assert (endpoint, SD.endpoint, endpoint) in reusable
    assert (URIRef(DEFAULT_BASE + "catalog/dataset/wissensgraph"), VOID.sparqlEndpoint, endpoint) in reusable
