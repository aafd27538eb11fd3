"""Limits of the SPARQL endpoint: a hard timeout that really stops the query, a concurrency cap, row cap, query length."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

from rdflib import Graph

from tests.support.builds import reseal
from tests.support.timing import TIMEOUT_SLACK

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~4000³ combinations
EVERYTHING = "SELECT * WHERE { ?s ?p ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"



def count(response) -> int:
    assert response.status_code == 200, response.data
    return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])


def alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    if status.exists():  # a zombie has exited already
        return "\nState:\tZ" not in status.read_text()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_runaway_query_is_stopped_at_its_time_limit_for_real_and_the_next_query_works(make_app):
    app = make_app(KG_QUERY_TIMEOUT=2, KG_QUERY_WORKERS=1)
    client = app.test_client()
    triples = count(client.get("/sparql", query_string={"query": COUNT}))  # starts the worker (and a spare)
    idle = app.extensions["sparql_pool"].worker_pids()

    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": RUNAWAY})
    took = time.monotonic() - started
    assert response.status_code == 503
    assert 2 <= took < 2 + TIMEOUT_SLACK, f"stopped after {took:.2f} s, the limit is 2 s (+{TIMEOUT_SLACK} s slack)"
    german, english = response.data.decode().splitlines()
    assert "Zeitlimit" in german and "time limit of 2 s" in english
    assert response.headers["Retry-After"]

    deadline = time.monotonic() + 5
    while all(map(alive, idle)) and time.monotonic() < deadline:
        time.sleep(0.05)
    [worker] = [pid for pid in idle if not alive(pid)]  # the worker running the runaway query was killed, not abandoned
    assert worker not in app.extensions["sparql_pool"].worker_pids()

    assert count(client.get("/sparql", query_string={"query": COUNT})) == triples


def test_memory_hungry_query_is_stopped_at_the_memory_cap_long_before_the_timeout(make_app):
    app = make_app(KG_QUERY_TIMEOUT=60, KG_QUERY_MEMORY_MB=100)
    client = app.test_client()
    triples = count(client.get("/sparql", query_string={"query": COUNT}))
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a LIMIT 1"})
    assert response.status_code == 503
    assert time.monotonic() - started < 30
    assert "memory" in response.data.decode().splitlines()[1]
    assert count(client.get("/sparql", query_string={"query": COUNT})) == triples


def test_more_concurrent_queries_than_workers_wait_briefly_then_get_503(make_app):
    app = make_app(KG_QUERY_TIMEOUT=3, KG_QUERY_WORKERS=1, KG_QUERY_QUEUE_WAIT=0.2)
    client = app.test_client()
    count(client.get("/sparql", query_string={"query": COUNT}))
    slow: dict = {}
    runner = threading.Thread(target=lambda: slow.setdefault("response", app.test_client().get("/sparql", query_string={"query": RUNAWAY})))
    runner.start()
    time.sleep(0.5)  # the runaway query now holds the only slot

    started = time.monotonic()
    busy = client.get("/sparql", query_string={"query": COUNT + "\n# not answered before, so not in the result cache"})
    assert busy.status_code == 503
    assert time.monotonic() - started < 2
    assert "busy" in busy.data.decode().splitlines()[1]

    runner.join()
    assert slow["response"].status_code == 503
    assert count(client.get("/sparql", query_string={"query": COUNT})) > 0


def test_row_cap_truncates_visibly_in_every_format(make_app):
    app = make_app(KG_MAX_ROWS=5)
    client = app.test_client()

    as_json = client.get("/sparql", query_string={"query": EVERYTHING})
    assert len(json.loads(as_json.data)["results"]["bindings"]) == 5
    assert as_json.headers["X-SPARQL-Truncated"] == "true"
    assert as_json.headers["X-SPARQL-Max-Rows"] == "5"

    as_csv = client.get("/sparql", query_string={"query": EVERYTHING, "format": "csv"})
    assert len(list(csv.DictReader(io.StringIO(as_csv.data.decode())))) == 5
    assert as_csv.headers["X-SPARQL-Truncated"] == "true"

    graph = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert len(Graph().parse(data=graph.data, format="nt")) == 5
    assert graph.headers["X-SPARQL-Truncated"] == "true"

    small = client.get("/sparql", query_string={"query": EVERYTHING + " LIMIT 5"})
    assert small.headers["X-SPARQL-Truncated"] == "false"

    page = PageParser.parse(client.get("/sparql", query_string={"query": EVERYTHING, "format": "html"}))
    assert page.body_rows == 5
    assert any("gekürzt" in text for text in page.status_texts)


def test_too_long_query_is_413(make_app):
    app = make_app(KG_MAX_QUERY_LENGTH=100)
    client = app.test_client()
    long_query = "SELECT * WHERE { ?s ?p ?o }" + " " * 100
    assert client.get("/sparql", query_string={"query": long_query}).status_code == 413
    assert client.post("/sparql", data=long_query.encode(), content_type="application/sparql-query").status_code == 413
    assert client.post("/sparql", data={"query": long_query}).status_code == 413
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).status_code == 200


class PageParser(HTMLParser):
    """Counts result-table body rows and collects the text of role=status notices."""

    def __init__(self) -> None:
        super().__init__()
        self.body_rows = 0
        self.status_texts: list[str] = []
        self._in_tbody = False
        self._status_depth = 0

    @classmethod
    def parse(cls, response) -> PageParser:
        assert response.status_code == 200 and response.mimetype == "text/html"
        parser = cls()
        parser.feed(response.data.decode())
        return parser

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self.body_rows += 1
        if attrs.get("role") == "status":
            self._status_depth = 1
            self.status_texts.append("")
        elif self._status_depth:
            self._status_depth += 1

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_tbody = False
        if self._status_depth:
            self._status_depth -= 1

    def handle_data(self, data):
        if self._status_depth:
            self.status_texts[-1] += data


def test_workers_switch_to_a_new_build(built, tmp_path, make_app):
    """`kg build` replaces the build symlink; the next query runs on the new graph, in the same worker pool."""
    second = tmp_path / "second"
    shutil.copytree(built, second)
    with open(second / "graph.nt", "a") as nt:
        nt.write("<https://example.org/extra> <https://example.org/p> \"neu\" .\n")
    reseal(second, json.loads((built / "manifest.json").read_text())["build_id"] + "-second")
    link = tmp_path / "build"
    link.symlink_to(built, target_is_directory=True)

    app = make_app(KG_BUILD_DIR=str(link), KG_RELOAD_CHECK_SECONDS=0)
    client = app.test_client()
    before = count(client.get("/sparql", query_string={"query": COUNT}))
    link.unlink()
    link.symlink_to(second, target_is_directory=True)
    time.sleep(0.01)
    assert count(client.get("/sparql", query_string={"query": COUNT})) == before + 1
