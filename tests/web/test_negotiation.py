"""Content negotiation (RFC 9110 §12.5.1) on every negotiated route, table-driven: the chosen format, Vary, 406.

Each row is one Accept header as clients send it (browsers, rdflib's and SPARQLWrapper's defaults, parameters,
q-values, wildcards, unknown types) with the format every family of routes must answer in (None: 406).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from server.formats import GRAPH_FORMATS, HTML, SOLUTION_FORMATS

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")
EXPANDED = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"'
COMPACTED = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"'

# accept -> (document: /id/ /doc/ /def/ /catalog, SELECT results, CONSTRUCT results and the SD, VoID, pages for people)
ROWS = [
    (None, "html", "json", "ttl", "ttl", "html"),
    ("*/*", "html", "json", "ttl", "ttl", "html"),
    ("text/html", "html", "html", "html", None, "html"),
    ("text/html; level=1", "html", "html", "html", None, "html"),
    (BROWSER, "html", "html", "html", "rdf", "html"),
    (CHROME, "html", "html", "html", "rdf", "html"),
    ("text/turtle", "ttl", None, "ttl", "ttl", "html"),
    ("text/turtle; charset=utf-8", "ttl", None, "ttl", "ttl", "html"),
    ("TEXT/Turtle", "ttl", None, "ttl", "ttl", "html"),
    ("application/ld+json", "jsonld", None, "jsonld", "jsonld", "html"),
    (EXPANDED, "jsonld", None, "jsonld", "jsonld", "html"),
    (COMPACTED, "jsonld", None, "jsonld", "jsonld", "html"),
    ("application/n-triples", "nt", None, "nt", "nt", "html"),
    ("application/rdf+xml", "rdf", None, "rdf", "rdf", "html"),
    ("text/plain", "nt", None, "nt", "nt", "html"),
    ("text/n3", "ttl", None, "ttl", "ttl", "html"),
    ("application/trig", "trig", None, "trig", "trig", "html"),
    ("application/n-quads", "nq", None, "nq", "nq", "html"),
    ("application/json", "jsonld", "json", "jsonld", "jsonld", "json"),
    ("application/sparql-results+json", None, "json", None, None, "html"),
    ("application/sparql-results+xml", None, "xml", None, None, "html"),
    ("text/csv", None, "csv", None, None, "html"),
    ("text/tab-separated-values", None, "tsv", None, None, "html"),
    ("image/png", None, None, None, None, "html"),
    ("*/*;q=0", None, None, None, None, "html"),
    ("garbage", None, None, None, None, "html"),
    ("text/*", "html", "csv", "ttl", "ttl", "html"),
    ("application/*", "jsonld", "json", "jsonld", "jsonld", "json"),
    ("text/html;q=0.5, text/turtle", "ttl", "html", "ttl", "ttl", "html"),
    ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "rdf", None, "rdf", "rdf", "html"),
    ("text/turtle;q=0, */*", "html", "json", "jsonld", "jsonld", "html"),
    ("application/json;q=0.5, text/html", "html", "html", "html", "jsonld", "html"),
    # rdflib's Graph().parse(uri, format=...)
    ("text/plain, */*;q=0.1", "nt", "json", "nt", "nt", "html"),
    ("text/n3, */*;q=0.1", "ttl", "json", "ttl", "ttl", "html"),
    ("text/turtle, application/x-turtle, */*;q=0.1", "ttl", "json", "ttl", "ttl", "html"),
    ("application/trig, */*;q=0.1", "trig", "json", "trig", "trig", "html"),
    ("application/ld+json, application/json;q=0.9, */*;q=0.1", "jsonld", "json", "jsonld", "jsonld", "json"),
    ("application/rdf+xml, */*;q=0.1", "rdf", "json", "rdf", "rdf", "html"),
    # SPARQLWrapper's setReturnFormat(JSON / TURTLE / N3 / JSONLD)
    ("application/sparql-results+json,application/json,text/javascript,application/javascript", "jsonld", "json", "jsonld",
     "jsonld", "json"),
    ("application/turtle,text/turtle", "ttl", None, "ttl", "ttl", "html"),
    ("text/rdf+n3,application/n-triples,application/turtle,application/n3,text/n3,text/turtle", "ttl", None, "ttl", "ttl", "html"),
    ("application/ld+json,application/x-json+ld", "jsonld", None, "jsonld", "jsonld", "html"),
]
assert len(ROWS) >= 30

SELECT = "SELECT ?s WHERE { ?s a <https://integration.region-hannover.example/def/ik#Handlungsfeld> } LIMIT 2"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"
BY_TYPE = {f.mimetype: f.key for f in (HTML, *GRAPH_FORMATS.values(), *SOLUTION_FORMATS.values())} | {
    "application/json": "json"}


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    family: int          # column of ROWS
    redirects: bool = False


ROUTES = [
    Route("/id/", "/id/massnahme/22", 1, redirects=True),
    Route("/doc/", "/doc/massnahme/22", 1),
    Route("/def/", "/def/ik", 1),
    Route("/def/ scheme", "/def/zielgruppen", 1),
    Route("/catalog", "/catalog", 1),
    Route("/catalog/dataset", "/catalog/dataset/wissensgraph", 1),
    Route("/sparql SELECT", "/sparql?" + urlencode({"query": SELECT}), 2),
    Route("/sparql CONSTRUCT", "/sparql?" + urlencode({"query": CONSTRUCT}), 3),
    Route("/sparql description", "/sparql", 3),
    Route("/.well-known/void", "/.well-known/void", 4),
    Route("/id/drucksache/", "/id/drucksache/", 5),
    Route("/massnahmen", "/massnahmen", 5),
    Route("/suche", "/suche?q=Sprache", 5),
]


def chosen(route: Route, response) -> str | None:
    if response.status_code == 406:
        return None
    if route.redirects:
        assert response.status_code == 303, response.status_code
        return response.headers["Location"].rsplit(".", 1)[-1]
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:200])
    return BY_TYPE[response.mimetype]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: str(row[0]))
def test_every_negotiated_route_chooses_by_accept_and_says_vary(client, route, row):
    accept, expected = row[0], row[route.family]
    response = client.get(route.path, headers={"Accept": accept} if accept is not None else {})
    assert chosen(route, response) == expected, (route.path, accept)
    assert "Accept" in response.headers.get("Vary", ""), "every negotiated answer, 406 and 303 included"
    if expected is None:
        body = response.get_data(as_text=True)
        assert response.mimetype == "text/plain"
        assert "offered:" in body and "angeboten:" in body and ("text/turtle" in body or "text/csv" in body)
        assert "<" not in body, "the Accept header is repeated without markup"


def test_the_406_lists_the_whole_offer(client):
    body = client.get("/doc/massnahme/22", headers={"Accept": "image/png"}).get_data(as_text=True)
    for media_type in ("text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml",
                       "application/trig", "application/n-quads"):
        assert media_type in body
    assert "Accept: image/png" in body


@pytest.mark.parametrize("path", ["/id/massnahme/999", "/doc/massnahme/999"])
@pytest.mark.parametrize("accept, mimetype", [("text/turtle", "text/turtle"), ("text/plain", "application/n-triples"),
                                              (BROWSER, "text/html")])
def test_an_unknown_resource_answers_404_in_the_negotiated_format_with_vary(client, path, accept, mimetype):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 404 and response.mimetype == mimetype
    assert "Accept" in response.vary


def test_format_parameter_still_wins_over_accept(client):
    response = client.get("/id/massnahme/22?format=nt", headers={"Accept": "text/html"})
    assert response.headers["Location"].endswith("/doc/massnahme/22.nt")


@pytest.mark.parametrize("accept, form", [
    (None, None), (EXPANDED, "expanded"), (COMPACTED, "compacted"),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#flattened"', "flattened"),
    ('application/ld+json;profile="https://example.org/unknown-profile"', None),
])
def test_a_json_ld_profile_is_honoured_and_named(client, graph, accept, form):
    import json

    from rdflib import Graph, URIRef

    headers = {"Accept": accept} if accept else {}
    response = client.get("/doc/massnahme/22.jsonld", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert "Accept" in response.headers["Vary"], "the profile in Accept chooses the form"
    content_type = response.headers["Content-Type"]
    assert (f"json-ld#{form}" in content_type) if form else "profile" not in content_type
    data = json.loads(response.data)
    if form == "compacted":
        assert isinstance(data, dict) and "@context" in data
    else:  # expanded, which Oxigraph writes flat: one node object per subject, nothing embedded
        assert isinstance(data, list) and all("@id" in node for node in data)
        assert not any(isinstance(v, dict) and set(v) - {"@id", "@value", "@language", "@type"}
                       for node in data for values in node.values() if isinstance(values, list) for v in values)
    parsed = Graph().parse(data=response.data, format="json-ld")
    subject = URIRef("https://integration.region-hannover.example/id/massnahme/22")
    assert set(parsed.predicate_objects(subject)) == set(graph.predicate_objects(subject))


CACHED = ["/doc/massnahme/22", "/doc/massnahme/22.ttl", "/doc/massnahme/22.html", "/doc/massnahme/22.jsonld", "/def/ik",
          "/def/ik.nt", "/catalog", "/catalog.ttl", "/.well-known/void", "/id/drucksache/", "/id/drucksache/?format=json",
          "/doc/drucksache/IV-0349.oparl.json", "/sparql?" + urlencode({"query": SELECT}),
          "/sparql?" + urlencode({"query": SELECT, "format": "html"}), "/dumps/index.json", "/dumps/graph.nt"]


@pytest.mark.parametrize("path", CACHED)
@pytest.mark.parametrize("accept", [None, "text/turtle", BROWSER])
@pytest.mark.parametrize("lang", [None, "en"])
def test_a_304_varies_on_what_its_200_varies_on(client, path, accept, lang):
    client.delete_cookie("lang")
    if lang:
        client.set_cookie("lang", lang)
    headers = {"Accept": accept} if accept else {}
    first = client.get(path, headers=headers)
    if first.status_code == 406:
        return  # e.g. Turtle from the Drucksache index: nothing to revalidate
    assert first.status_code == 200 and first.headers.get("ETag"), path
    again = client.get(path, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304, path
    assert set(again.vary) == set(first.vary), (path, first.headers.get("Vary"), again.headers.get("Vary"))
    client.delete_cookie("lang")
