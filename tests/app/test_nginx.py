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

from tests.app.test_production_server import kg_serve
from tests.support.processes import ROOT, wait_for
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
        os.killpg(proc.pid, signal.SIGQUIT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


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
