"""A started server is warm (real gunicorn): each web process starts its SPARQL query processes before it takes
requests, and they open the build's on-disk database read-only – shared by every process – instead of each parsing
graph.nt (issue 18: at 100× the first answers after a start waited tens of seconds for that)."""

from __future__ import annotations

import json
import os
import urllib.parse
from pathlib import Path

import pytest

from tests.support.processes import descendants, fetch, gunicorn_server, wait_for

pytestmark = pytest.mark.live

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def open_files(pid: int) -> set[Path]:
    """The files a process has open (Linux /proc)."""
    found = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                found.add(Path(os.readlink(f"/proc/{pid}/fd/{fd}")))
            except OSError:
                continue
    except OSError:
        pass
    return found


def test_query_processes_are_ready_before_the_first_query_and_share_the_builds_database(built):
    slots = 2
    store = (built.resolve() / "store").resolve()
    tables = {store / name for name in json.loads((built / "manifest.json").read_text())["store"]["files"]
              if name.endswith(".sst")}
    with gunicorn_server(built, {"KG_QUERY_WORKERS": str(slots)}, workers=2) as server:
        per_web_process = slots + 1  # the slots and one spare
        assert wait_for(lambda: len(server.query_processes()) == 2 * per_web_process, 30), server.query_processes()
        for web in server.web_workers():  # started by each web process itself, before any query came
            assert len([p for p in descendants(web) if p in server.query_processes()]) == per_web_process
        for pid in server.query_processes():  # each has the database's tables open, none parsed graph.nt
            assert wait_for(lambda pid=pid: tables <= open_files(pid), 10), (pid, open_files(pid))
            assert built.resolve() / "graph.nt" not in open_files(pid)
        before = set(server.query_processes())
        status, _, body = fetch(server.url + "sparql?" + urllib.parse.urlencode({"query": COUNT}),
                                "application/sparql-results+json")
        assert status == 200
        triples = json.loads((built / "manifest.json").read_text())["triples"]
        assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == triples
        assert set(server.query_processes()) == before  # answered by a process that was already there
