"""Bounds everywhere: request bodies are refused while they are read (chunked too), answers are capped in bytes in
every format with the cut flagged, and the answer cache holds what it is sized for (real gunicorn)."""

from __future__ import annotations

import csv
import io
import json
import select
import socket
import threading
import tracemalloc
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph

from tests.support.processes import fetch, gunicorn_server, rss_kib

pytestmark = pytest.mark.live  # real gunicorn processes

EVERYTHING = "SELECT * WHERE { ?s ?p ?o }"
# 1.3 KB that made a 165 MB page: every measure's description, many times over, in every row.
HUGE_ROWS = ("PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?m ?text WHERE { ?m dcterms:description ?d . ?x ?y ?z . "
             "BIND(CONCAT(" + ", ".join(["?d"] * 40) + ") AS ?text) } LIMIT 10000")


def query_url(root: str, query: str, fmt: str) -> str:
    return root + "sparql?" + urllib.parse.urlencode({"query": query, "format": fmt})


def send_chunked(root: str, limit: int) -> tuple[int | None, int]:
    """POST a chunked query body of up to ``limit`` bytes; stop when the server answers. (status, bytes sent)."""
    host, port = urllib.parse.urlsplit(root).netloc.split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"# " + b"x" * (64 * 1024 - 3) + b"\n"
    sent = 0
    try:
        while sent < limit and not select.select([sock], [], [], 0)[0]:  # readable: answered (or closed) early
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
    except OSError:
        pass  # the server stopped reading: its answer is waiting
    try:
        sock.settimeout(30)
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]
        return (int(status_line.split()[1]) if status_line else None), sent
    except OSError:
        return None, sent
    finally:
        sock.close()


def test_a_chunked_body_is_refused_while_it_is_read(built):
    """600 MB of chunked body used to grow the web worker by 1 GB before the 413."""
    with gunicorn_server(built) as server:
        [worker] = server.web_workers()
        before = server.tree_rss_kib()
        status, sent = send_chunked(server.url, 300 * 1024 * 1024)
        grown_mib = (server.tree_rss_kib() - before) / 1024
        assert fetch(server.url + "sparql?query=ASK%7B%7D")[0] == 200, "the server still answers"
        assert server.web_workers() == [worker]
    assert status == 413, status
    assert sent < 32 * 1024 * 1024, f"the server read {sent} bytes before refusing"
    assert grown_mib < 50, grown_mib


def test_answers_are_capped_in_bytes_in_every_format_and_the_cut_is_flagged(built):
    cap = 64 * 1024
    with gunicorn_server(built, {"KG_MAX_RESULT_MB": str(cap / 1024 / 1024)}) as server:
        for fmt, parse in (("json", lambda b: len(json.loads(b)["results"]["bindings"])),
                           ("xml", lambda b: b.count(b"<result>")),
                           ("csv", lambda b: len(list(csv.reader(io.StringIO(b.decode())))) - 1),
                           ("tsv", lambda b: len(b.decode().strip().split("\n")) - 1)):
            status, headers, body = fetch(query_url(server.url, EVERYTHING, fmt))
            assert status == 200 and len(body) <= cap, (fmt, len(body))
            assert headers["X-SPARQL-Truncated"] == "true" and headers["X-SPARQL-Max-Bytes"] == str(cap), fmt
            assert 10 < parse(body), fmt  # whole rows, still a valid document
        for fmt, rdflib_format in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")):
            status, headers, body = fetch(query_url(server.url, "CONSTRUCT WHERE { ?s ?p ?o }", fmt))
            assert status == 200 and len(body) <= cap, (fmt, len(body))
            assert headers["X-SPARQL-Truncated"] == "true", fmt
            assert len(Graph().parse(data=body, format=rdflib_format)) > 10, fmt
        status, headers, page = fetch(query_url(server.url, EVERYTHING, "html"))
        assert status == 200 and headers["X-SPARQL-Truncated"] == "true"
        assert b"Gr\xc3\xb6\xc3\x9fengrenze" in page  # the notice: rows cut at the page's size limit
        assert len(page) <= cap + 64 * 1024  # the table within the cap; the page around it (form, examples) is fixed
        small = fetch(query_url(server.url, EVERYTHING + " LIMIT 3", "json"))[1]
        assert small["X-SPARQL-Truncated"] == "false" and "X-SPARQL-Max-Bytes" not in small


def test_a_huge_html_result_stays_within_the_cap_and_the_web_worker_stays_small(built):
    """The HTML page was not capped at all: 1.3 KB of query made a 165 MB page and the web worker grew by 775 MB."""
    cap_mb = 4
    with gunicorn_server(built, {"KG_MAX_RESULT_MB": str(cap_mb), "KG_QUERY_TIMEOUT": "60"}) as server:
        fetch(server.url + "sparql?query=ASK%7B%7D&format=html")  # page machinery warmed up
        [worker] = server.web_workers()
        before = rss_kib(worker)
        with PeakRss(worker) as peak:
            status, headers, page = fetch(query_url(server.url, HUGE_ROWS, "html"))
    assert status == 200, page[:300]
    assert headers["X-SPARQL-Truncated"] == "true" and headers["X-SPARQL-Max-Bytes"]
    assert len(page) <= cap_mb * 1024 * 1024
    assert (peak.kib - before) / 1024 < 100, f"the web worker grew by {(peak.kib - before) / 1024:.0f} MiB"


class PeakRss:
    """The largest resident size a process reaches while the block runs (sampled every 20 ms)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.kib, self._stop = pid, rss_kib(pid), threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.02):
            self.kib = max(self.kib, rss_kib(self.pid))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()


def test_the_answer_cache_counts_what_it_really_holds():
    """It counted ``len(repr(table))``: 64 MB on paper held about 270 MB. Now its entries are bytes, counted as such."""
    from server.caches import AnswerCache
    from server.sparql.views import _answer_size
    from server.sparql.worker import Outcome

    cells = [[{"type": "literal", "value": f"Maßnahme {i} " * 8, "lang": "de"}, {"type": "uri", "value": f"https://e.org/{i}"}]
             for i in range(400)]
    cache: AnswerCache[Outcome] = AnswerCache(8 * 1024 * 1024, _answer_size)
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    for n in range(200):
        table = json.dumps({"vars": ["a", "b"], "rows": cells, "n": n}, ensure_ascii=False, separators=(",", ":")).encode()
        cache.put(f"key{n}", Outcome("solutions", "html", table=table, rows=len(cells)))
    held = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    assert cache._bytes <= cache.max_bytes
    assert held <= 1.2 * cache._bytes + 256 * 1024, (held, cache._bytes)


@pytest.mark.parametrize("content_length", [10 * 1024 * 1024, 2**40])
def test_a_declared_large_body_is_refused_before_it_is_read(built, content_length):
    with gunicorn_server(built) as server:
        host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                         b"Content-Length: %d\r\n\r\nASK {}" % content_length)
            assert sock.recv(4096).split(b"\r\n", 1)[0].split()[1] == b"413"
