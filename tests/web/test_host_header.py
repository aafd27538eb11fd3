"""No trust in the Host header (real gunicorn): absolute URLs come from configuration, redirects are relative.

Before: ``//dumps/graph.nt`` answered 308 with ``Location: http://evil.example/dumps/graph.nt`` (and a cache would
keep it), and the Service Description and the query page named the endpoint after the Host header.
"""

from __future__ import annotations

import socket
import urllib.parse

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.namespaces import SD
from tests.support.processes import gunicorn_server

pytestmark = pytest.mark.live
EVIL = "evil.example"
PUBLIC = "https://daten.region-hannover.example/"


def raw(root: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """One request exactly as written (no client normalises the path or the Host)."""
    host, port = urllib.parse.urlsplit(root).netloc.split(":")
    lines = [f"GET {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()), "Connection: close", "", ""]
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall("\r\n".join(lines).encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    fields = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), fields, body


HOSTILE = {"Host": EVIL, "X-Forwarded-Host": "forwarded." + EVIL, "X-Forwarded-Proto": "https", "Forwarded": f"host={EVIL}"}


@pytest.fixture(scope="module")
def server(built):
    with gunicorn_server(built, {"KG_PUBLIC_URL": PUBLIC}) as running:
        yield running


@pytest.mark.parametrize("path,status,location", [
    ("/dumps", 308, "/dumps/"), ("///dumps//index.json", 308, "/dumps/index.json"),  # routing's own redirects
    ("//dumps/graph.nt", 200, None), ("//catalog", 200, None), ("/sparql/", 200, None),  # served where they are
])
def test_redirects_are_relative_whatever_the_host_says(server, path, status, location):
    got, headers, _ = raw(server.url, path, {**HOSTILE, "Accept": "text/html"})
    assert (got, headers.get("location")) == (status, location)


@pytest.mark.parametrize("path,accept", [
    ("/sparql", "text/turtle"), ("/sparql", "text/html"), ("/sparql?query=ASK%7B%7D&format=html", "text/html"),
    ("/", "text/html"), ("/barrierefreiheit", "text/html"), ("/impressum", "text/html"), ("/catalog", "text/turtle"),
    ("/.well-known/void", "text/turtle"), ("/dumps/index.json", "application/json"), ("/doc/massnahme/1", "text/html"),
    ("/id/massnahme/1", "text/turtle"), ("/massnahmen", "text/html"), ("/dumps/", "text/html"),
    ("/aenderungen", "text/html"), ("/aenderungen.atom", "application/atom+xml"),
])
def test_no_answer_repeats_the_host_it_was_sent(server, path, accept):
    status, headers, body = raw(server.url, path, {**HOSTILE, "Accept": accept})
    assert status == (303 if path.startswith("/id/") else 200), path
    assert EVIL not in body.decode("utf-8", "replace"), path
    assert not any(EVIL in value for value in headers.values()), headers


def test_the_service_description_names_the_configured_endpoint(server):
    _, _, body = raw(server.url, "/sparql", {**HOSTILE, "Accept": "text/turtle"})
    graph = Graph().parse(data=body.decode(), format="turtle")
    assert set(graph.subjects(RDF.type, SD.Service)) == {URIRef(PUBLIC + "sparql")}


def test_the_server_under_test_is_the_production_one(server):
    """The tests' gunicorn runs `kg serve`'s settings: waitress workers, which send no Server header (gunicorn's
    own threaded worker says „gunicorn“)."""
    _, headers, _ = raw(server.url, "/dumps/index.json", {"Host": "localhost", "Accept": "application/json"})
    assert "server" not in headers, headers.get("server")
