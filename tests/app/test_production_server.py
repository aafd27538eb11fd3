"""`kg serve` is a production server (gunicorn supervising waitress processes) that holds slow clients; `kg serve
--dev` is Flask's development server; `kg serve --host H --port P` keeps its defaults 127.0.0.1:8080."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from kg.cli import make_parser
from tests.support.processes import ROOT, children, free_port, kg_serve, name, wait_for

pytestmark = pytest.mark.live
KG = Path(sys.executable).parent / "kg"


def test_defaults_are_loopback_8080():
    args = make_parser().parse_args(["serve"])
    assert (args.host, args.port, args.dev) == ("127.0.0.1", 8080, False)


def test_kg_serve_runs_gunicorn_with_waitress_workers_that_other_clients_get_through_slowloris(built):
    """Before: 40 slowloris connections locked every other client out of gunicorn --workers 2 --threads 8."""
    with kg_serve(built) as (url, proc):
        assert name(proc.pid) == "gunicorn"  # kg became the gunicorn master
        assert wait_for(lambda: len(children(proc.pid)) >= 2, 30)
        port = int(url.rsplit(":", 1)[1].strip("/"))
        stop, opened = threading.Event(), []

        def slowloris() -> None:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                opened.append(sock)
                while not stop.wait(2):
                    sock.sendall(b"X-Slow: 1\r\n")

        threads = [threading.Thread(target=slowloris, daemon=True) for _ in range(40)]
        for thread in threads:
            thread.start()
        try:
            assert wait_for(lambda: len(opened) == 40, 10)
            time.sleep(3)
            answered = []
            for path in ("", "doc/massnahme/1", "sparql?query=ASK%7B%7D", "massnahmen", "dumps/index.json", "") * 2:
                began = time.monotonic()
                with urllib.request.urlopen(url + path, timeout=10) as response:
                    response.read()
                    answered.append((response.status, time.monotonic() - began))
        finally:
            stop.set()
    assert [status for status, _ in answered] == [200] * 12
    assert max(seconds for _, seconds in answered) < 5, answered


def test_kg_serve_dev_is_the_development_server(built):
    with kg_serve(built, "--dev") as (url, _):
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.headers["Server"].startswith("Werkzeug")


def test_kg_serve_without_an_intact_build_says_so_in_one_line(tmp_path):
    run = subprocess.run([str(KG), "serve", "--port", str(free_port())], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "KG_BUILD_DIR": str(tmp_path / "build")}, timeout=60)
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0 and "Kein intakter Build" in run.stderr and "Traceback" not in run.stderr
