"""Bad input to /sparql, each case with its defined answer: never a 500, never a stack trace, never echoed markup."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SELECT = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
SCRIPT = "<script>alert(1)</script>"


@dataclass(frozen=True)
class Case:
    name: str
    status: int
    query: dict | str = field(default_factory=dict)  # a str is sent as the raw, already encoded query string
    method: str = "GET"
    headers: dict = field(default_factory=dict)
    data: bytes | dict | None = None
    content_type: str | None = None


CASES = [
    Case("accept-garbage", 406, {"query": SELECT}, headers={"Accept": "garbage/%%%; q=x"}),
    Case("accept-q-zero-everything", 406, {"query": SELECT}, headers={"Accept": "*/*;q=0"}),
    Case("accept-script-injection", 406, {"query": SELECT}, headers={"Accept": SCRIPT}),
    Case("accept-huge", 406, {"query": SELECT}, headers={"Accept": "text/x-" + "a" * 8000}),
    Case("format-injection", 400, {"query": SELECT, "format": SCRIPT}),
    Case("graph-uri-injection", 400, {"query": SELECT, "default-graph-uri": SCRIPT}),
    Case("named-graph-uri-injection", 400, {"query": SELECT, "named-graph-uri": SCRIPT}),
    Case("query-is-markup", 400, {"query": SCRIPT}),
    Case("non-utf8-query-string", 400, "query=SELECT%20%ff%fe"),
    Case("non-utf8-body", 400, method="POST", data=b"SELECT * WHERE { ?s ?p \xff }", content_type="application/sparql-query"),
    Case("empty-body", 400, method="POST", data=b"", content_type="application/sparql-query"),
    Case("nested-too-deep", 400, {"query": "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"}),
    Case("braces-too-deep", 400, {"query": "SELECT * WHERE { " + "{ " * 5000 + "}" * 5000 + " }"}),
    Case("unbalanced", 400, {"query": "SELECT * WHERE { ((((( }"}),
    Case("multipart-post", 415, method="POST", data=b"--x\r\n\r\n--x--", content_type="multipart/form-data; boundary=x"),
    Case("put", 405, method="PUT", data=b"x"),
    Case("delete", 405, method="DELETE"),
    Case("head-with-query", 200, {"query": SELECT}, method="HEAD"),
    Case("update-parameter", 400, {"update": "CLEAR ALL"}),
    Case("null-byte", 200, {"query": 'SELECT * WHERE { ?s ?p "\x00" }'}),  # a valid literal that matches nothing
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_gets_its_defined_answer(app, case):
    response = app.test_client().open("/sparql", method=case.method, query_string=case.query, headers=case.headers,
                                      data=case.data, content_type=case.content_type)
    body = response.get_data(as_text=True)
    assert response.status_code == case.status, (case.name, response.status_code, body[:300])
    if case.status == 406:
        assert body.startswith("Kein angebotenes Format passt zu Accept") and "json (application/sparql-results+json)" in body
    if case.name == "null-byte":
        assert response.get_json()["results"]["bindings"] == []
    assert "Traceback" not in body and SCRIPT not in body
    if response.status_code != 405:  # 405 is the router's answer, before any SPARQL code
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_worker_killed_while_idle_is_replaced_without_the_client_noticing(app):
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": SELECT}).status_code == 200
    pids = app.extensions["sparql_pool"].worker_pids()
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while not all(map(gone, pids)):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    response = client.get("/sparql", query_string={"query": SELECT + "\n# a new query text: answered by a worker, not the cache"})
    assert response.status_code == 200
    assert not set(app.extensions["sparql_pool"].worker_pids()) & set(pids)


def gone(pid: int) -> bool:
    try:
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()  # a zombie has exited
    except (FileNotFoundError, ProcessLookupError):  # vanished between the checks
        return True
