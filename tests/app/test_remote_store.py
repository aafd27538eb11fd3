"""KG_SPARQL_ENDPOINT: the same pages and answers from a real external engine – Oxigraph's server (PyPI) and
Virtuoso 7 (Debian) – as from the embedded store."""

from __future__ import annotations

import socket
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS

from kg.namespaces import DEFAULT_BASE
from kg.store import RemoteStore, RemoteStoreError, Store, form_encoded, query_form
from tests.support.servers import free_port

pytestmark = pytest.mark.live  # real server processes

IK = f"PREFIX ik: <{DEFAULT_BASE}def/ik#>\n"
# Every kind of page, each built from other queries (SELECT, ASK, CONSTRUCT, subqueries, paths, aggregates).
PAGES = ("/", "/massnahmen", "/massnahmen.csv", "/massnahmen?oe=51&zielgruppe=gefluechtete", "/suche?q=Sprache",
         "/id/drucksache/", "/id/massnahme/", "/doc/handlungsfeld/vernetzung", "/doc/oe/51", "/doc/massnahme/22",
         "/doc/drucksache/IV-0349", "/doc/zielgruppe/gefluechtete", "/doc/bericht/2020", "/def/ik", "/def/zielgruppen",
         "/doc/massnahme/22.bib")
DOCUMENTS = ("/doc/massnahme/22.ttl", "/doc/bericht/2020.ttl", "/doc/oe/51.ttl", "/def/ik.ttl", "/catalog.ttl",
             "/.well-known/void")


def test_remote_store_answers_like_the_embedded_one(external_endpoint, built):
    remote, local = RemoteStore(external_endpoint), Store.from_ntriples(built / "graph.nt")
    query = IK + "SELECT ?f (COUNT(?m) AS ?n) WHERE { ?m a ik:Massnahme ; ik:handlungsfeld ?f } GROUP BY ?f ORDER BY ?f"
    assert remote.select(query) == local.select(query)
    assert len(remote) == len(local)
    assert bool(remote.query(f"ASK {{ <{DEFAULT_BASE}id/massnahme/1> ?p ?o }}")) is True
    assert bool(remote.query(f"ASK {{ <{DEFAULT_BASE}id/massnahme/999> ?p ?o }}")) is False
    import pyoxigraph as ox

    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert set(map(str, remote.triples(None, label, None))) == set(map(str, local.triples(None, label, None)))


def test_server_pages_come_from_the_external_engine(external_endpoint, built, make_app):
    """Byte for byte the pages of the embedded store, and the same graphs in the RDF documents."""
    local, remote = make_app().test_client(), make_app(KG_SPARQL_ENDPOINT=external_endpoint).test_client()
    assert remote.get("/id/massnahme/22", headers={"Accept": "text/turtle"}).status_code == 303
    g = Graph().parse(data=remote.get("/doc/massnahme/22.ttl").data, format="turtle")
    assert str(g.value(URIRef(DEFAULT_BASE + "id/massnahme/22"), DCTERMS.identifier)) == "22"
    for path in PAGES:
        ours, theirs = local.get(path), remote.get(path)
        assert theirs.status_code == ours.status_code == 200, path
        assert theirs.data == ours.data, path
    for path in DOCUMENTS:
        ours, theirs = local.get(path), remote.get(path)
        assert theirs.status_code == ours.status_code == 200, path
        assert isomorphic(Graph().parse(data=theirs.data, format="turtle"), Graph().parse(data=ours.data, format="turtle")), path
    assert remote.get("/id/massnahme/999").status_code == 404


def test_the_endpoint_answers_every_query_form_through_the_external_engine(external_endpoint, make_app):
    local, remote = make_app().test_client(), make_app(KG_SPARQL_ENDPOINT=external_endpoint).test_client()
    queries = {
        "SELECT": (IK + "SELECT ?nr WHERE { ?m a ik:Massnahme ; ik:mindestalter ?a ; <http://purl.org/dc/terms/identifier> ?nr } "
                   "ORDER BY ?nr", "json"),
        "ASK true": (f"ASK {{ <{DEFAULT_BASE}id/massnahme/1> ?p ?o }}", "json"),
        "ASK false": (f"ASK {{ <{DEFAULT_BASE}id/massnahme/999> ?p ?o }}", "json"),
        "CONSTRUCT": (f"CONSTRUCT WHERE {{ <{DEFAULT_BASE}id/massnahme/1> ?p ?o }}", "nt"),
        "DESCRIBE": (f"DESCRIBE <{DEFAULT_BASE}id/ziel/beratungsangebote-verbessern>", "nt"),
    }
    for name, (query, fmt) in queries.items():
        ours = local.get("/sparql", query_string={"query": query, "format": fmt})
        theirs = remote.get("/sparql", query_string={"query": query, "format": fmt})
        assert theirs.status_code == ours.status_code == 200, name
        if name == "DESCRIBE":  # what DESCRIBE adds beyond the resource's own triples is up to the engine
            subject = URIRef(query.split("<")[1].rstrip("> "))
            own = set(Graph().parse(data=ours.data, format="nt").triples((subject, None, None)))
            assert own and own <= set(Graph().parse(data=theirs.data, format="nt")), name
        elif fmt == "nt":
            assert isomorphic(Graph().parse(data=theirs.data, format="nt"), Graph().parse(data=ours.data, format="nt")), name
        else:
            assert theirs.json == ours.json, name


def test_each_query_asks_for_the_format_its_form_answers_in():
    assert query_form("PREFIX ik: <http://x/def/ik#>\n# ASK me\nBASE <http://x/>\n  construct { ?s ?p ?o } WHERE {}") == "CONSTRUCT"
    assert query_form("select * {}") == query_form("PREFIX a:<b#>SELECT * {}") == "SELECT"
    assert query_form("# DESCRIBE\nASK {}") == "ASK"
    assert query_form("INSERT DATA {}") is None
    assert RemoteStore.ACCEPT_BY_FORM["CONSTRUCT"] == "application/n-triples"


def test_unreachable_engine_is_a_clear_error():
    with pytest.raises(RemoteStoreError, match="unreachable"):
        RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout=2).select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")


@given(st.text())
def test_a_query_is_form_encoded_as_urllib_would(text):
    assert form_encoded(text) == urllib.parse.quote_plus(text).encode("ascii")


def test_a_kept_connection_the_engine_closed_is_replaced_and_answers_stay_right(external_endpoint):
    remote = RemoteStore(external_endpoint, timeout=30)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    first = remote.select(query)
    remote._local.connection.sock.shutdown(socket.SHUT_RDWR)  # as if the engine had dropped the idle connection
    assert remote.select(query) == first
