"""/sparql with KG_SPARQL_ENDPOINT: same answers from a real external Oxigraph server, same guard, same limits."""

from __future__ import annotations

import json

import pytest
import requests
from rdflib import Graph

from kg.namespaces import DEFAULT_BASE
from tests.support.guard_cases import AS_WRITTEN, BOTH_READINGS, ESCAPED, SERVICE_REFUSED, listening

pytestmark = pytest.mark.live  # real server processes

PER_FIELD = f"""PREFIX ik: <{DEFAULT_BASE}def/ik#>
SELECT ?feld (COUNT(?m) AS ?n) WHERE {{ ?m a ik:Massnahme ; ik:handlungsfeld ?feld }} GROUP BY ?feld ORDER BY ?feld"""


@pytest.fixture(scope="module")
def apps(built, oxigraph_endpoint, make_app):
    local = make_app()
    remote = make_app(KG_SPARQL_ENDPOINT=oxigraph_endpoint, KG_QUERY_TIMEOUT=1)
    yield local.test_client(), remote.test_client()
    for app in (local, remote):
        app.extensions["sparql_pool"].close()


def test_external_engine_gives_the_same_answers(apps):
    local, remote = apps
    for fmt in ("json", "csv"):
        a = local.get("/sparql", query_string={"query": PER_FIELD, "format": fmt})
        b = remote.get("/sparql", query_string={"query": PER_FIELD, "format": fmt})
        assert a.status_code == b.status_code == 200
        assert a.data == b.data
    construct = remote.get("/sparql", query_string={"query": f"CONSTRUCT WHERE {{ <{DEFAULT_BASE}id/massnahme/1> ?p ?o }}", "format": "nt"})
    assert construct.status_code == 200 and construct.data.count(b"\n") > 5


def test_guard_and_timeout_hold_for_the_external_engine(apps):
    _, remote = apps
    refused = remote.get("/sparql", query_string={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert refused.status_code == 400
    runaway = remote.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
    assert runaway.status_code == 503
    after = remote.get("/sparql", query_string={"query": PER_FIELD})
    assert len(json.loads(after.data)["results"]["bindings"]) == 8


# Why the guard reads a query both ways: each reading is what some real engine executes.
def test_oxigraph_server_runs_the_as_written_service_call_itself(oxigraph_endpoint):
    with listening(seconds=10) as (url, connected):
        requests.get(oxigraph_endpoint, params={"query": AS_WRITTEN.format(url=url)}, timeout=30,
                     headers={"Accept": "application/sparql-results+json"})
    assert connected and connected[0].startswith(b"POST /sparql"), "the engine calls the service named in the query"


def test_rdflibs_engine_runs_the_escaped_service_call_itself():
    with listening(seconds=10) as (url, connected):
        with pytest.raises(OSError):  # the stand-in closes without an answer; that the call was made is the point
            list(Graph().query(ESCAPED["u-escape"].format(url=url)))
    assert connected and connected[0].startswith(b"POST /sparql")


@pytest.mark.parametrize("reading", BOTH_READINGS)
def test_guard_refuses_both_readings_before_the_external_engine_sees_them(apps, reading):
    _, remote = apps
    with listening(seconds=3) as (url, connected):
        refused = remote.get("/sparql", query_string={"query": BOTH_READINGS[reading].format(url=url)})
        assert refused.status_code == 400
        assert refused.data.decode().splitlines()[0] == SERVICE_REFUSED, "our guard's answer, not the engine's"
    assert connected == []
