"""Real server processes for tests: gunicorn serving a build, and an Oxigraph server and Virtuoso as external engines."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.processes import free_port, gunicorn_server

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
    """The production server (gunicorn with `kg serve`'s settings, one web process) on a free port serving
    ``build``; yields its root URL.

    With ``base_uri="self"`` the data URIs are the server's own address (KG_BASE_URI = root URL). The server's
    public address (KG_PUBLIC_URL, never taken from Host) is its root URL unless ``env`` says otherwise.
    """
    port = free_port()
    root = f"http://127.0.0.1:{port}/"
    full_env = {"KG_PUBLIC_URL": root, **(env or {})}
    if base_uri:
        full_env["KG_BASE_URI"] = root if base_uri == "self" else base_uri
    with gunicorn_server(build, full_env, extra=args, port=port, ready_path=ready_path) as server:
        yield server.url


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


VIRTUOSO, VIRTUOSO_ISQL = Path("/usr/bin/virtuoso-t"), Path("/usr/bin/isql-vt")
VIRTUOSO_GRAPH = "urn:x-kg:test"
VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 4
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {data}

[HTTPServer]
ServerPort = 127.0.0.1:{port}
ServerThreads = 4

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 10
"""


@contextmanager
def virtuoso(graph_nt: Path, workdir: Path) -> Iterator[str]:
    """Virtuoso open source 7 (Debian ``virtuoso-opensource-7-bin``, installed by tests/install.sh) on loopback,
    ``graph_nt`` bulk-loaded into one named graph; yields the query URL with that graph as the default graph
    (Virtuoso's own default graph is the union of all graphs, its system graphs included)."""
    if not VIRTUOSO.exists() or not VIRTUOSO_ISQL.exists():
        pytest.fail("Virtuoso is not installed: run `bash tests/install.sh` (make test does; "
                    "apt-get install virtuoso-opensource-7-bin)", pytrace=False)
    port, sql_port = free_port(), free_port()
    data = graph_nt.resolve().parent
    (workdir / "virtuoso.ini").write_text(VIRTUOSO_INI.format(dir=workdir, sql_port=sql_port, port=port, data=data))
    log = (workdir / "stderr.log").open("wb")
    proc = subprocess.Popen([str(VIRTUOSO), "-f", "-c", str(workdir / "virtuoso.ini")], cwd=workdir,
                            stdout=log, stderr=subprocess.STDOUT)

    def isql(statements: str) -> str:
        done = subprocess.run([str(VIRTUOSO_ISQL), f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statements}"],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"virtuoso: {statements[:60]} failed: {(done.stdout + done.stderr)[-1000:]}")
        return done.stdout

    try:
        url = f"http://127.0.0.1:{port}/sparql?default-graph-uri={urllib.parse.quote(VIRTUOSO_GRAPH, safe='')}"
        _wait(f"{url}&query=ASK%7B%7D", proc, 60, "virtuoso")
        isql(f"ld_dir('{data}', '{graph_nt.name}', '{VIRTUOSO_GRAPH}'); rdf_loader_run(); checkpoint;")
        errors = isql("SELECT ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
        if "0 Rows" not in errors:
            raise RuntimeError(f"virtuoso could not load {graph_nt}: {errors[-1000:]}")
        yield url
    finally:
        if proc.poll() is None:
            try:
                isql("shutdown;")
                proc.wait(timeout=30)
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
        _stop(proc)
        log.close()


def section_html(app, kind: str, uri: str) -> str:
    """The sections a resource page of ``kind`` shows for ``uri``, rendered as the page renders them."""
    from flask import render_template

    from server.linkeddata.renderers import SECTIONS

    with app.test_request_context("/"):
        return "".join(render_template(s.template, section=data) for s in app.extensions[SECTIONS]
                       if kind in s.kinds for data in (s.compute(uri),) if data)
