"""Query processes are supervised: they die with the web worker that started them and never outlive their time
limit, and nothing an untrusted query asks for is computed in the web process (real gunicorn)."""

from __future__ import annotations

import os
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.support.processes import alive, fetch, gunicorn_server, wait_for

pytestmark = pytest.mark.live  # real gunicorn processes

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
OWN_GRAPH = "https://integration.region-hannover.example/catalog/dataset/wissensgraph"


def get(url: str, timeout: float = 60) -> tuple[int, bytes]:
    status, _, body = fetch(url, timeout=timeout)
    return status, body


def query_url(server, query: str) -> str:
    return server.url + "sparql?" + urllib.parse.urlencode({"query": query})


def in_background(target, *args) -> threading.Thread:
    def swallow():
        try:
            target(*args)
        except OSError:
            pass  # the worker serving it was killed on purpose
    thread = threading.Thread(target=swallow, daemon=True)
    thread.start()
    return thread


def busy_query_process(server) -> int:
    """The query process running the runaway query (the one that burns CPU)."""
    assert wait_for(lambda: server.query_processes(), 20), "no query process started"
    time.sleep(0.5)
    return max(server.query_processes(), key=_cpu_ticks)


def _cpu_ticks(pid: int) -> int:
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError):
        return 0


def test_query_process_dies_with_its_web_worker(built):
    with gunicorn_server(built, {"KG_QUERY_TIMEOUT": "60", "KG_QUERY_WORKERS": "1"}) as server:
        in_background(get, query_url(server, RUNAWAY))
        query = busy_query_process(server)
        [worker] = server.web_workers()
        os.kill(worker, signal.SIGKILL)
        assert wait_for(lambda: not alive(query), 5), "the runaway query kept running after its web worker was killed"
        # gunicorn starts a new web worker, which answers queries with a new query process
        assert wait_for(lambda: server.web_workers() and server.web_workers() != [worker], 30)
        status, _ = get(query_url(server, "ASK { ?s ?p ?o }"))
        assert status == 200


def test_query_process_ends_itself_at_its_time_limit_when_its_web_worker_cannot(built):
    """A stopped (SIGSTOP) web worker cannot kill its runaway query; the query process's own alarm does."""
    timeout = 2.0
    with gunicorn_server(built, {"KG_QUERY_TIMEOUT": str(timeout), "KG_QUERY_WORKERS": "1"}) as server:
        started = time.monotonic()
        in_background(get, query_url(server, RUNAWAY))
        query = busy_query_process(server)
        [worker] = server.web_workers()
        os.kill(worker, signal.SIGSTOP)
        try:
            assert wait_for(lambda: not alive(query), timeout + 6), "the query outlived its time limit"
            assert time.monotonic() - started < timeout + 8
        finally:
            os.kill(worker, signal.SIGCONT)


def test_untrusted_query_text_is_not_parsed_in_the_web_process(built):
    """A FROM query was parsed by rdflib in the web process: 20 KB took 15 s of its GIL, four at once 46 s each.

    Now the guard and the engine read every query in the bounded query process: four such queries at once are
    answered within their time limit, and pages of the same web worker stay fast meanwhile.
    """
    timeout = 3.0
    slow_for_rdflib = f"SELECT * FROM <{OWN_GRAPH}> WHERE {{ FILTER(" + "+".join(["1"] * 9000) + ") }}"
    slow_for_engine = f"SELECT * FROM <{OWN_GRAPH}> WHERE {{ " + " ".join(f"?s{i} ?p ?o{i} ." for i in range(700)) + " }"
    assert len(slow_for_rdflib) < 20000 and len(slow_for_engine) < 20000
    env = {"KG_QUERY_TIMEOUT": str(timeout), "KG_QUERY_WORKERS": "4", "KG_QUERY_QUEUE_WAIT": "10", "KG_CLIENT_QUERIES": "4"}
    with gunicorn_server(built, env, threads=8) as server:
        answers: list[tuple[int, float]] = []

        def ask(query: str) -> None:
            begun = time.monotonic()
            request = urllib.request.Request(server.url + "sparql", data=query.encode(),
                                             headers={"Content-Type": "application/sparql-query"})
            try:
                status = urllib.request.urlopen(request, timeout=60).status
            except urllib.error.HTTPError as exc:
                status = exc.code
            answers.append((status, time.monotonic() - begun))

        threads = [threading.Thread(target=ask, args=(q,)) for q in (slow_for_rdflib, slow_for_engine) * 2]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        pages = []
        for _ in range(5):
            begun = time.monotonic()
            status, _ = get(server.url + "doc/massnahme/1")
            pages.append((status, time.monotonic() - begun))
        for thread in threads:
            thread.join()
    assert all(status == 200 for status, _ in pages)
    assert max(seconds for _, seconds in pages) < 5, pages  # were blocked for 15-46 s
    assert sorted(status for status, _ in answers) == [400, 400, 503, 503], answers  # too deep; over the time limit
    assert max(seconds for _, seconds in answers) < timeout + 6, answers
