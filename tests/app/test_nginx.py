"""The recommended deployment: Debian's nginx with deploy/nginx.conf in front of `kg serve`, both started here on
loopback. Checks each setting the file promises: slow clients, body limits, compression, the client's address for
fair shares, timeouts that leave the answer to the app, no Host trust."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.builds import reseal
from tests.support.processes import ROOT, gunicorn_server, kg_serve, stop_group, wait_for
from tests.support.servers import free_port

pytestmark = pytest.mark.live
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@contextmanager
def nginx(upstream: str, workdir: Path):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: tests/install.sh installs Debian's nginx (apt-get install nginx)")
    port = free_port()
    site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    site = site.replace("server 127.0.0.1:8080;", f"server {urllib.parse.urlsplit(upstream).netloc};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("/var/cache/nginx/kg", str(workdir / "cache"))
    (workdir / "kg.conf").write_text(site, encoding="utf-8")
    temp = " ".join(f"{kind}_temp_path {workdir / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (workdir / "nginx.conf").write_text(f"""
{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
pid {workdir / 'nginx.pid'};
error_log {workdir / 'error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    {temp}
    include {workdir / 'kg.conf'};
}}
""", encoding="utf-8")
    check = subprocess.run([NGINX, "-t", "-c", str(workdir / "nginx.conf"), "-p", str(workdir)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([NGINX, "-c", str(workdir / "nginx.conf"), "-p", str(workdir), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        assert wait_for(lambda: _up(port), 20), (workdir / "error.log").read_text()
        yield url
    finally:
        stop_group(proc, signal.SIGQUIT, 10)


def _up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def proxied(built, tmp_path_factory):
    env = {"KG_TRUSTED_PROXIES": "127.0.0.1", "KG_QUERY_TIMEOUT": "3", "KG_CLIENT_QUERIES": "1", "KG_QUERY_RESERVED": "0"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        # kg serve's two web processes: a client's shares are counted across them (server/serving/client_table.py).
        with kg_serve(built) as (app_url, _), nginx(app_url, tmp_path_factory.mktemp("nginx")) as url:
            yield url
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)


def request(url: str, path: str, source: str = "127.0.0.1", headers: dict | None = None, timeout: float = 30):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_slow_clients_are_nginx_s_problem_and_are_cut_off(proxied):
    port = urllib.parse.urlsplit(proxied).port
    paths = ("/", "/doc/massnahme/1", "/sparql?query=ASK%7B%7D")
    for path in paths:  # warm (query processes started, pages kept): what is timed below is being let through
        request(proxied, path)
    socks = []
    for i in range(40):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(f"127.0.4.{i + 1}", 0))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        socks.append(sock)
    try:
        began = time.monotonic()
        for path in paths:
            assert request(proxied, path)[0] == 200
        assert time.monotonic() - began < 5
        ready, _, _ = select.select(socks[:1], [], [], 20)  # client_header_timeout: nginx answers 408 / closes
        assert ready, "a request head unfinished after 10 s is cut off"
    finally:
        for sock in socks:
            sock.close()


def test_an_oversized_chunked_body_is_refused_by_nginx_while_it_is_read(proxied):
    port = urllib.parse.urlsplit(proxied).port
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk, sent = b"#" * 65535 + b"\n", 0
    try:
        while sent < 300 * 1024 * 1024 and not select.select([sock], [], [], 0)[0]:
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
    except OSError:
        pass
    status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    sock.close()
    assert status_line.split()[1] == b"413" and sent < 32 * 1024 * 1024, (status_line, sent)


@pytest.mark.parametrize("path,accept", [
    ("/", "text/html"), ("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D", "application/sparql-results+json"),
    ("/dumps/graph.nt", "application/n-triples"), ("/doc/massnahme/1.ttl", "text/turtle")])
def test_text_formats_are_compressed(proxied, path, accept):
    status, headers, body = request(proxied, path, headers={"Accept": accept, "Accept-Encoding": "gzip"})
    assert status == 200 and headers.get("content-encoding") == "gzip", headers
    assert len(gzip.decompress(body)) > len(body)


def test_fair_shares_see_the_client_behind_nginx_and_not_what_it_claims(proxied):
    def normal() -> str:  # a new query each time: not from the answer cache
        return "/sparql?" + urllib.parse.urlencode({"query": f"ASK {{ ?s ?p ?o }} # {time.monotonic()}"})

    assert request(proxied, normal(), "127.0.2.5")[0] == 200  # the query processes have loaded the graph
    query = "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY})
    held = threading.Thread(target=request, args=(proxied, query, "127.0.2.1"))
    held.start()  # client 127.0.2.1 has its one query running (3 s)
    time.sleep(1.0)  # admitted by then (a query sent before it would be admitted first, and wait for it)
    assert request(proxied, normal(), "127.0.2.1")[0] == 429
    assert request(proxied, normal(), "127.0.2.1", {"X-Forwarded-For": "127.0.2.9"})[0] == 429  # its claim is replaced
    assert request(proxied, normal(), "127.0.2.2")[0] == 200  # another client is not held up
    held.join()


def test_a_runaway_query_is_answered_by_the_app_not_cut_by_the_proxy(proxied):
    began = time.monotonic()
    status, headers, body = request(proxied, "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY + " # nginx"}), "127.0.2.3",
                                    {"Accept": "text/plain"})
    assert status == 503 and "time limit" in body.decode(), body[:200]
    assert time.monotonic() - began < 3 + 5


def test_no_host_trust_through_the_proxy(proxied):
    hostile = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    status, headers, _ = request(proxied, "//dumps/graph.nt", headers=hostile)
    assert status == 200 and "location" not in headers  # nginx merges the slashes itself
    status, headers, _ = request(proxied, "/dumps", headers=hostile)
    assert status == 308 and headers["location"] == "/dumps/", headers
    assert headers["server"] == "nginx"  # no version
    _, _, description = request(proxied, "/sparql", headers={"Host": "evil.example", "Accept": "application/ld+json"})
    assert b"evil.example" not in description and json.loads(description)


@pytest.fixture()
def switchable(built, tmp_path) -> tuple[Path, Path]:
    """``srv/build`` -> build A (the real build); build B, with one more statement about measure 1, ready beside it."""
    builds = tmp_path / "srv" / ".builds"
    builds.mkdir(parents=True)
    a, b = builds / "20000101T000000000000Z", builds / "20000102T000000000000Z"
    shutil.copytree(built, a)
    reseal(a, a.name)
    shutil.copytree(built, b)
    with open(b / "graph.nt", "a", encoding="utf-8") as nt:
        nt.write(f'<{MEASURE_1}> <http://www.w3.org/2000/01/rdf-schema#comment> "{ONLY_IN_B}" .\n')
    reseal(b, b.name)
    link = tmp_path / "srv" / "build"
    link.symlink_to(".builds/" + a.name)
    return link, b


MEASURE_1 = "https://integration.region-hannover.example/id/massnahme/1"
ONLY_IN_B = "nur im neuen Build"
MAX_AGE = 3


def switch(link: Path, target: Path) -> None:
    temporary = link.with_name(".build.tmp")
    temporary.symlink_to(".builds/" + target.name)
    os.replace(temporary, link)


def test_repeated_documents_come_from_the_cache_and_a_new_build_is_not_served_stale_beyond_its_max_age(switchable, tmp_path):
    link, b = switchable
    env = {"KG_MAX_AGE": str(MAX_AGE), "KG_RELOAD_CHECK_SECONDS": "0.2", "KG_TRUSTED_PROXIES": "127.0.0.1"}
    (tmp_path / "nginx").mkdir()
    with gunicorn_server(link, env) as app, nginx(app.url, tmp_path / "nginx") as url:

        def get(path: str, accept: str, **headers: str):
            status, got, body = request(url, path, headers={"Accept": accept, **headers})
            return status, got.get("x-cache-status"), got, body

        turtle = "/doc/massnahme/1.ttl"
        status, cache, first, body = get(turtle, "text/turtle")
        kept_at = time.monotonic()
        assert (status, cache) == (200, "MISS") and first["cache-control"] == f"public, max-age={MAX_AGE}"
        status, cache, again, body_again = get(turtle, "text/turtle")
        assert (status, cache, body_again, again["etag"]) == (200, "HIT", body, first["etag"])

        # Keyed on what the app varies on: the negotiated format and the interface language
        page = "/doc/massnahme/1"
        assert get(page, "text/html")[1] == "MISS" and get(page, "text/html")[1] == "HIT"
        status, cache, negotiated, rdf = get(page, "text/turtle")
        assert (status, cache) == (200, "MISS") and negotiated["content-type"].startswith("text/turtle") and b"@prefix" in rdf
        german = get(page, "text/html")[3]
        status, cache, _, english = get(page, "text/html", Cookie="lang=en")
        assert (status, cache) == (200, "MISS") and b'lang="en"' in english and b'lang="en"' not in german[:300]
        assert get(page, "text/html", Cookie="lang=en")[1] == "HIT"
        # Never kept: error answers, answers that set a cookie (private), SPARQL
        assert [get("/doc/massnahme/999999", "text/html")[:2] for _ in range(2)] == [(404, "MISS")] * 2
        assert [get(page + "?lang=en", "text/html")[1] for _ in range(2)] == ["MISS"] * 2
        sparql = "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        assert get(sparql, "application/sparql-results+json")[1] is None

        switch(link, b)
        time.sleep(max(0.0, kept_at + MAX_AGE + 1.0 - time.monotonic()))  # its max-age is over; the app has switched
        status, cache, fresh, body_b = get(turtle, "text/turtle")
        assert status == 200 and cache in ("EXPIRED", "MISS") and fresh["etag"] != first["etag"], (cache, fresh)
        assert ONLY_IN_B.encode() in body_b and ONLY_IN_B.encode() not in body
        assert get(turtle, "text/turtle")[1] == "HIT"
