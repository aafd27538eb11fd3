"""Real server processes for tests: gunicorn serving a build, and an Oxigraph server as external engine."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OXIGRAPH = shutil.which("oxigraph") or str(BIN / "oxigraph")


def routed(app, path: str) -> bool:
    """Whether a path matches any route of the app (regardless of what the view then answers)."""
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    try:
        app.url_map.bind("localhost").match(path)
    except (NotFound, MethodNotAllowed):
        return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                err = proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
                pytest.fail(f"{what} did not start: {err}")
            time.sleep(0.1)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def gunicorn(build: Path, env: dict[str, str] | None = None, *args: str, base_uri: str | None = None,
             ready_path: str = "dumps/index.json") -> Iterator[str]:
    """``gunicorn "server.app:create_app()"`` on a free port serving ``build``; yields its root URL.

    With ``base_uri="self"`` the data URIs are the server's own address (KG_BASE_URI = root URL).
    """
    port = free_port()
    root = f"http://127.0.0.1:{port}/"
    full_env = {**os.environ, "KG_BUILD_DIR": str(build), **(env or {})}
    if base_uri:
        full_env["KG_BASE_URI"] = root if base_uri == "self" else base_uri
    proc = subprocess.Popen([str(BIN / "gunicorn"), "server.app:create_app()", "-b", f"127.0.0.1:{port}",
                             "--timeout", "60", *args], cwd=ROOT, env=full_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _wait(root + ready_path, proc, 60, "gunicorn")
    try:
        yield root
    finally:
        _stop(proc)


@contextmanager
def oxigraph(graph_nt: Path, location: Path) -> Iterator[str]:
    """An Oxigraph server (PyPI package ``oxigraph``) holding ``graph_nt``; yields its query URL."""
    if not Path(OXIGRAPH).exists():
        pytest.fail("the `oxigraph` server binary (PyPI package `oxigraph`, a test extra) is not installed: "
                    "run `.venv/bin/pip install -e '.[test]'` (make test does)", pytrace=False)
    subprocess.run([OXIGRAPH, "load", "--location", str(location), "--file", str(graph_nt)], check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    _wait(f"{url}?query=ASK%7B%7D", proc, 20, "oxigraph server")
    try:
        yield url
    finally:
        _stop(proc)


def section_html(app, kind: str, uri: str) -> str:
    """The sections a resource page of ``kind`` shows for ``uri``, rendered as the page renders them."""
    from flask import render_template

    from server.linkeddata.renderers import SECTIONS

    with app.test_request_context("/"):
        return "".join(render_template(s.template, section=data) for s in app.extensions[SECTIONS]
                       if kind in s.kinds for data in (s.compute(uri),) if data)
