"""SPARQL 1.1 Protocol at /sparql over HTTP (Flask test client): requests, result formats, negotiation, CORS."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from kg.namespaces import DEFAULT_BASE

IK = DEFAULT_BASE + "def/ik#"
MEASURES_PER_FIELD = f"""PREFIX ik: <{IK}>
SELECT ?feld (COUNT(?m) AS ?n) WHERE {{ ?m a ik:Massnahme ; ik:handlungsfeld ?feld }} GROUP BY ?feld ORDER BY ?feld"""
MEASURE_22 = f"CONSTRUCT WHERE {{ <{DEFAULT_BASE}id/massnahme/22> ?p ?o }}"
SRX = "{http://www.w3.org/2005/sparql-results#}"


def bindings(response) -> list[dict]:
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/sparql-results+json"
    return json.loads(response.data)["results"]["bindings"]


def per_field(rows: list[dict]) -> dict[str, int]:
    return {row["feld"]["value"].rsplit("/", 1)[1]: int(row["n"]["value"]) for row in rows}


def test_get_post_form_and_post_body_give_the_same_answer(client):
    via_get = bindings(client.get("/sparql", query_string={"query": MEASURES_PER_FIELD}))
    via_form = bindings(client.post("/sparql", data={"query": MEASURES_PER_FIELD}))
    via_body = bindings(client.post("/sparql", data=MEASURES_PER_FIELD.encode(), content_type="application/sparql-query"))
    assert via_get == via_form == via_body
    counts = per_field(via_get)
    assert len(counts) == 8 and sum(counts.values()) == 129


def test_select_in_every_result_format(client):
    expected = per_field(bindings(client.get("/sparql", query_string={"query": MEASURES_PER_FIELD})))

    xml = client.get("/sparql", query_string={"query": MEASURES_PER_FIELD, "format": "xml"})
    assert xml.mimetype == "application/sparql-results+xml"
    results = ET.fromstring(xml.data).find(f"{SRX}results")
    parsed = {}
    for result in results:
        values = {b.get("name"): "".join(b.itertext()).strip() for b in result}
        parsed[values["feld"].rsplit("/", 1)[1]] = int(values["n"])
    assert parsed == expected

    as_csv = client.get("/sparql", query_string={"query": MEASURES_PER_FIELD, "format": "csv"})
    assert as_csv.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(as_csv.data.decode())))
    assert {r["feld"].rsplit("/", 1)[1]: int(r["n"]) for r in rows} == expected

    tsv = client.get("/sparql", query_string={"query": MEASURES_PER_FIELD, "format": "tsv"})
    assert tsv.mimetype == "text/tab-separated-values"
    solutions = ox.parse_query_results(tsv.data, ox.QueryResultsFormat.TSV)
    assert {s["feld"].value.rsplit("/", 1)[1]: int(s["n"].value) for s in solutions} == expected


@pytest.mark.parametrize(("accept", "mimetype"), [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv;q=0.5, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
])
def test_accept_header_with_quality_values_picks_the_format(client, accept, mimetype):
    response = client.get("/sparql", query_string={"query": MEASURES_PER_FIELD}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype


def test_construct_in_every_rdf_format_gives_the_same_graph(client):
    graphs = {}
    for key, rdflib_format, mimetype in (("ttl", "turtle", "text/turtle"), ("nt", "nt", "application/n-triples"),
                                          ("jsonld", "json-ld", "application/ld+json"), ("rdf", "xml", "application/rdf+xml")):
        response = client.get("/sparql", query_string={"query": MEASURE_22, "format": key})
        assert response.status_code == 200 and response.mimetype == mimetype
        graphs[key] = Graph().parse(data=response.data, format=rdflib_format)
    assert str(graphs["ttl"].value(URIRef(DEFAULT_BASE + "id/massnahme/22"), DCTERMS.identifier)) == "22"
    assert all(isomorphic(graphs["ttl"], g) for g in graphs.values())
    by_accept = client.get("/sparql", query_string={"query": MEASURE_22}, headers={"Accept": "application/n-triples"})
    assert isomorphic(Graph().parse(data=by_accept.data, format="nt"), graphs["ttl"])


def test_json_and_xml_follow_the_kind_of_query(client):
    """Clients such as SPARQLWrapper send format=json / format=xml for CONSTRUCT too."""
    as_json = client.get("/sparql", query_string={"query": MEASURE_22, "format": "json"})
    assert as_json.mimetype == "application/ld+json"
    assert len(Graph().parse(data=as_json.data, format="json-ld")) > 5
    as_xml = client.get("/sparql", query_string={"query": MEASURE_22, "format": "xml"})
    assert as_xml.mimetype == "application/rdf+xml"


def test_repeated_format_values_use_the_first_known_one(client):
    query = [("query", MEASURES_PER_FIELD), ("format", "n3-unknown"), ("format", "tsv"), ("format", "text/tab-separated-values")]
    response = client.get("/sparql", query_string=query)
    assert response.mimetype == "text/tab-separated-values"


def test_ask_answers_true_and_false(client):
    yes = client.get("/sparql", query_string={"query": f"ASK {{ <{DEFAULT_BASE}id/massnahme/1> ?p ?o }}"})
    no = client.get("/sparql", query_string={"query": f"ASK {{ <{DEFAULT_BASE}id/massnahme/999> ?p ?o }}", "format": "xml"})
    assert json.loads(yes.data) == {"head": {}, "boolean": True}
    assert ET.fromstring(no.data).find(f"{SRX}boolean").text == "false"


def test_unknown_format_is_400_and_unacceptable_accept_is_406_both_listing_the_offer(client):
    unknown = client.get("/sparql", query_string={"query": MEASURES_PER_FIELD, "format": "yaml"})
    assert unknown.status_code == 400
    assert "application/sparql-results+json" in unknown.data.decode()
    refused = client.get("/sparql", query_string={"query": MEASURES_PER_FIELD}, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "text/csv" in refused.data.decode()
    wrong_family = client.get("/sparql", query_string={"query": MEASURE_22, "format": "csv"})
    assert wrong_family.status_code == 400
    assert "text/turtle" in wrong_family.data.decode()


def test_malformed_query_is_400_saying_where_and_what_in_both_languages(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    german, english = response.data.decode().splitlines()
    assert german.startswith("Fehlerhafte Abfrage – Zeile 1, Spalte 24:") and "fehlt das Objekt" in german
    assert english.startswith("Malformed query – Line 1, column 24:") and "lacks the object" in english


def test_unsupported_request_content_type_is_415(client):
    response = client.post("/sparql", data="{}", content_type="application/json")
    assert response.status_code == 415


def test_query_parameter_twice_is_400(client):
    assert client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D").status_code == 400


def test_results_allow_any_origin_and_preflight_works(client):
    response = client.get("/sparql", query_string={"query": MEASURES_PER_FIELD})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-SPARQL-Truncated" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_complete_results_say_so(client):
    response = client.get("/sparql", query_string={"query": MEASURES_PER_FIELD})
    assert response.headers["X-SPARQL-Truncated"] == "false"


def test_repeated_query_is_answered_from_the_per_build_cache_with_an_etag(app, client):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # cache test"
    first = client.get("/sparql", query_string={"query": query})
    cache = app.extensions["sparql_results"]
    hits = cache.hits
    second = client.get("/sparql", query_string={"query": query})
    assert second.data == first.data and cache.hits == hits + 1
    assert first.headers["ETag"] == second.headers["ETag"]
    again = client.get("/sparql", query_string={"query": query}, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    other = client.get("/sparql", query_string={"query": query, "format": "csv"})
    assert other.headers["ETag"] != first.headers["ETag"], "the key includes the result format"
