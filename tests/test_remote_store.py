"""KG_SPARQL_ENDPOINT: the same pages and answers from a real external engine (Oxigraph server from PyPI)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from kg.namespaces import DEFAULT_BASE
from kg.store import RemoteStore, RemoteStoreError, Store
from server.app import create_app

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def engine(built, tmp_path_factory):
    if not Path(OXIGRAPH).exists():
        pytest.skip("LOUD SKIP: the `oxigraph` server binary (PyPI package `oxigraph`) is not installed; "
                    "install the test extras (`pip install -e .[test]`) to test KG_SPARQL_ENDPOINT against a real engine")
    location = tmp_path_factory.mktemp("oxigraph-db")
    subprocess.run([OXIGRAPH, "load", "--location", str(location), "--file", str(built / "graph.nt")], check=True,
                   capture_output=True)
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("oxigraph server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_remote_store_answers_like_the_embedded_one(engine, built):
    remote, local = RemoteStore(engine), Store.from_ntriples(built / "graph.nt")
    query = (f"PREFIX ik: <{DEFAULT_BASE}def/ik#> SELECT ?f (COUNT(?m) AS ?n) "
             "WHERE { ?m a ik:Massnahme ; ik:handlungsfeld ?f } GROUP BY ?f ORDER BY ?f")
    assert remote.select(query) == local.select(query)
    assert len(remote) == len(local)
    assert bool(remote.query(f"ASK {{ <{DEFAULT_BASE}id/massnahme/1> ?p ?o }}"))


def test_server_pages_come_from_the_external_engine(engine, built):
    client = create_app({"KG_BUILD_DIR": str(built), "KG_SPARQL_ENDPOINT": engine}).test_client()
    assert client.get("/id/massnahme/22", headers={"Accept": "text/turtle"}).status_code == 303
    g = Graph().parse(data=client.get("/doc/massnahme/22.ttl").data, format="turtle")
    assert str(g.value(URIRef(DEFAULT_BASE + "id/massnahme/22"), DCTERMS.identifier)) == "22"
    assert client.get("/").status_code == 200
    assert client.get("/id/massnahme/999").status_code == 404


def test_unreachable_engine_is_a_clear_error():
    with pytest.raises(RemoteStoreError, match="unreachable"):
        RemoteStore(f"http://127.0.0.1:{free_port()}/query", timeout=2).select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
