"""Real clients against a real server: SPARQLWrapper and rdflib's SPARQLStore talking to gunicorn on 127.0.0.1."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from kg.namespaces import DEFAULT_BASE, SD
from tests.support.servers import gunicorn

pytestmark = pytest.mark.live  # real server processes

IK = DEFAULT_BASE + "def/ik#"
MEASURE_1 = URIRef(DEFAULT_BASE + "id/massnahme/1")
PER_FIELD = f"""PREFIX ik: <{IK}>
SELECT ?feld (COUNT(?m) AS ?n) WHERE {{ ?m a ik:Massnahme ; ik:handlungsfeld ?feld }} GROUP BY ?feld"""


@pytest.fixture(scope="module")
def endpoint(built):
    """gunicorn serving the test build, with a short query timeout; killed at the end."""
    env = {"KG_QUERY_TIMEOUT": "2", "KG_BASE_URI": DEFAULT_BASE}
    with gunicorn(built, env, "--workers", "1", ready_path="sparql?format=ttl") as root:
        yield root + "sparql"


def wrapper(url: str, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


def test_sparqlwrapper_select_in_json_xml_and_csv(endpoint):
    rows = wrapper(endpoint, PER_FIELD, JSON).queryAndConvert()["results"]["bindings"]
    assert len(rows) == 8 and sum(int(r["n"]["value"]) for r in rows) == 129
    xml = wrapper(endpoint, PER_FIELD, XML).queryAndConvert()  # a DOM document
    assert len(xml.getElementsByTagName("result")) == 8
    csv_text = wrapper(endpoint, PER_FIELD, CSV).queryAndConvert().decode()
    assert csv_text.splitlines()[0] == "feld,n" and len(csv_text.splitlines()) == 9


def test_sparqlwrapper_post_ask_and_construct(endpoint):
    ask = wrapper(endpoint, f"ASK {{ <{MEASURE_1}> ?p ?o }}", JSON)
    ask.setMethod("POST")
    assert ask.queryAndConvert()["boolean"] is True
    construct = wrapper(endpoint, f"CONSTRUCT WHERE {{ <{MEASURE_1}> ?p ?o }}", XML).queryAndConvert()  # RDF/XML → rdflib Graph
    assert isinstance(construct, Graph) and str(construct.value(MEASURE_1, DCTERMS.identifier)) == "1"
    turtle = wrapper(endpoint, f"DESCRIBE <{MEASURE_1}>", TURTLE).queryAndConvert()
    assert len(Graph().parse(data=turtle, format="turtle")) > 5


def test_rdflib_sparqlstore_reads_the_graph(endpoint):
    dataset = Dataset(store=SPARQLStore(endpoint, returnFormat="json"))
    rows = list(dataset.query(PER_FIELD))
    assert len(rows) == 8 and sum(int(row.n) for row in rows) == 129
    graph = Graph(store=SPARQLStore(endpoint), identifier=URIRef(DEFAULT_BASE + "catalog/dataset/wissensgraph"))
    assert (MEASURE_1, RDF.type, URIRef(IK + "Massnahme")) in graph
    assert graph.value(MEASURE_1, DCTERMS.identifier) == Literal("1")
    assert bool(graph.query(f"ASK {{ <{MEASURE_1}> ?p ?o }}").askAnswer)


def test_service_description_over_http(endpoint):
    request = urllib.request.Request(endpoint, headers={"Accept": "text/turtle"})
    g = Graph().parse(data=urllib.request.urlopen(request, timeout=5).read(), format="turtle")
    assert (URIRef(endpoint), SD.supportedLanguage, SD.SPARQL11Query) in g


def test_runaway_query_under_gunicorn_is_503_and_the_server_keeps_answering(endpoint):
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    url = endpoint + "?" + urllib.parse.urlencode({"query": runaway})
    started = time.monotonic()
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=30)
    assert caught.value.code == 503
    assert time.monotonic() - started < 15
    rows = wrapper(endpoint, PER_FIELD, JSON).queryAndConvert()["results"]["bindings"]
    assert len(rows) == 8


def test_refusals_reach_real_clients_as_400(endpoint):
    url = endpoint + "?" + urllib.parse.urlencode({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=10)
    assert caught.value.code == 400
    assert caught.value.headers["Access-Control-Allow-Origin"] == "*"
