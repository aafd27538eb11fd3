"""Harvesting as a portal does it, against a real server process: read the catalog over HTTP, fetch every
download and check it against the size and SHA-256 the catalog states, then ask the SPARQL endpoint it names."""

from __future__ import annotations

import hashlib

import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from kg.namespaces import SD, SPDX, VOID
from tests.support.servers import gunicorn

pytestmark = pytest.mark.live  # real server processes

DCAT = Namespace("http://www.w3.org/ns/dcat#")  # plain Namespace: the DefinedNamespace warns under pytest collection


@pytest.fixture(scope="module")
def server(built):
    """gunicorn serving the test build under its own address (KG_BASE_URI = the server's root URL)."""
    with gunicorn(built, base_uri="self") as root:
        yield root


@pytest.fixture(scope="module")
def harvested(server) -> Graph:
    """All catalog pages, read with rdflib's own HTTP client and content negotiation, following hydra:next."""
    graph, url = Graph(), server + "catalog"
    while url:
        page = Graph().parse(url)
        graph += page
        url = next((str(o) for s in page.subjects(RDF.type, URIRef("http://www.w3.org/ns/hydra/core#PagedCollection"))
                    for o in page.objects(s, URIRef("http://www.w3.org/ns/hydra/core#next"))), None)
    return graph


def test_catalog_is_harvestable_over_http(server, harvested):
    assert (URIRef(server + "catalog"), RDF.type, DCAT.Catalog) in harvested
    head = requests.head(server + "catalog.ttl", timeout=10)  # ckanext-dcat sends HEAD first, without Accept
    assert head.status_code == 200 and head.headers["Content-Type"].startswith("text/turtle")


def test_every_download_matches_its_size_and_checksum(harvested, server):
    urls = list(harvested.subject_objects(DCAT.downloadURL))
    assert len(urls) >= 12
    for distribution, url in urls:
        assert str(url).startswith(server + "dumps/")
        response = requests.get(str(url), timeout=30)
        assert response.status_code == 200, url
        assert "Content-Encoding" not in response.headers  # requests would unpack it, the checksum is of the file
        checksum = harvested.value(distribution, SPDX.checksum)
        assert len(response.content) == harvested.value(distribution, DCAT.byteSize).toPython(), url
        assert hashlib.sha256(response.content).hexdigest() == str(harvested.value(checksum, SPDX.checksumValue)).lower(), url


def test_data_service_endpoint_answers_ask_and_describes_itself(harvested, server):
    endpoint = harvested.value(harvested.value(None, RDF.type, DCAT.DataService), DCAT.endpointURL)
    assert endpoint == URIRef(server + "sparql")
    answer = requests.get(str(endpoint), params={"query": "ASK { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["boolean"] is True
    # The service description (GET /sparql with an RDF Accept) and VoID agree on the endpoint and the triple count.
    description = Graph().parse(data=requests.get(str(endpoint), headers={"Accept": "text/turtle"}, timeout=30).text,
                                format="turtle")
    assert (endpoint, SD.endpoint, endpoint) in description
    void = Graph().parse(data=requests.get(server + ".well-known/void", timeout=30).text, format="turtle")
    assert set(void.objects(None, VOID.sparqlEndpoint)) == {endpoint}
    triples = {o.toPython() for o in description.objects(None, VOID.triples)}
    assert triples == {o.toPython() for o in void.objects(URIRef(server + "catalog/dataset/wissensgraph"), VOID.triples)}
