"""KG_SPARQL_ENDPOINT: the same pages and answers from a real external engine (Oxigraph server from PyPI)."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from kg.namespaces import DEFAULT_BASE
from kg.store import RemoteStore, RemoteStoreError, Store
from tests.support.servers import free_port

pytestmark = pytest.mark.live  # real server processes


def test_remote_store_answers_like_the_embedded_one(oxigraph_endpoint, built):
    remote, local = RemoteStore(oxigraph_endpoint), Store.from_ntriples(built / "graph.nt")
    query = (f"PREFIX ik: <{DEFAULT_BASE}def/ik#> SELECT ?f (COUNT(?m) AS ?n) "
             "WHERE { ?m a ik:Massnahme ; ik:handlungsfeld ?f } GROUP BY ?f ORDER BY ?f")
    assert remote.select(query) == local.select(query)
    assert len(remote) == len(local)
    assert bool(remote.query(f"ASK {{ <{DEFAULT_BASE}id/massnahme/1> ?p ?o }}"))
    import pyoxigraph as ox

    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert set(map(str, remote.triples(None, label, None))) == set(map(str, local.triples(None, label, None)))


def test_server_pages_come_from_the_external_engine(oxigraph_endpoint, built, make_app):
    client = make_app(KG_SPARQL_ENDPOINT=oxigraph_endpoint).test_client()
    assert client.get("/id/massnahme/22", headers={"Accept": "text/turtle"}).status_code == 303
    g = Graph().parse(data=client.get("/doc/massnahme/22.ttl").data, format="turtle")
    assert str(g.value(URIRef(DEFAULT_BASE + "id/massnahme/22"), DCTERMS.identifier)) == "22"
    for path in ("/", "/massnahmen", "/suche?q=Sprache", "/id/drucksache/", "/doc/handlungsfeld/vernetzung",
                 "/doc/oe/51", "/catalog.ttl", "/.well-known/void", "/dumps/", "/def/ik"):
        assert client.get(path).status_code == 200, path
    assert client.get("/id/massnahme/999").status_code == 404


def test_unreachable_engine_is_a_clear_error():
    with pytest.raises(RemoteStoreError, match="unreachable"):
        RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout=2).select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
