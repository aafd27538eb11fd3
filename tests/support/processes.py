"""Real server processes for the reliability tests, and what /proc says about them (Linux)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# `kg serve`'s settings (waitress workers, limits); the tests' own --workers/--threads come after and win.
PRODUCTION = ("--config", "python:server.serving.gunicorn_config")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
QUERY_PROCESS = "kg-query"  # the name the SPARQL worker processes give themselves (server/sparql/worker.py)

def children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, ValueError):
        pass
    return found


def descendants(pid: int) -> list[int]:
    found, stack = [], children(pid)
    while stack:
        child = stack.pop()
        found.append(child)
        stack += children(child)
    return found


def name(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def alive(pid: int) -> bool:
    """Running (a zombie has ended already and only waits to be reaped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def wait_for(condition, seconds: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_file: object = None

    def log(self) -> str:
        """What the server wrote to stderr so far."""
        self.log_file.seek(0)
        return self.log_file.read().decode(errors="replace")

    @property
    def pid(self) -> int:
        return self.process.pid

    def web_workers(self) -> list[int]:
        return [pid for pid in children(self.pid) if alive(pid)]

    def query_processes(self) -> list[int]:
        return [pid for pid in descendants(self.pid) if name(pid) == QUERY_PROCESS and alive(pid)]

    def tree_rss_kib(self) -> int:
        return sum(rss_kib(pid) for pid in [self.pid, *descendants(self.pid)])


@contextmanager
def gunicorn_server(build: Path, env: dict[str, str] | None = None, workers: int = 1, threads: int = 4,
                    extra: tuple[str, ...] = (), port: int | None = None,
                    ready_path: str = "dumps/index.json") -> Iterator[Server]:
    """The production server (gunicorn with `kg serve`'s settings) serving ``build`` on a free loopback port
    (or ``port``); yields the root URL and the master process."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/"
    full_env = {**os.environ, "KG_BUILD_DIR": str(build), **(env or {})}
    log = tempfile.TemporaryFile()  # a file, not a pipe: a chatty server must never block on a full pipe
    proc = subprocess.Popen([str(BIN / "gunicorn"), "server.app:create_app()", *PRODUCTION, "-b", f"127.0.0.1:{port}",
                             "--workers", str(workers), "--threads", str(threads), "--timeout", "120", *extra],
                            cwd=ROOT, env=full_env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    try:
        if not wait_for(lambda: _answers(url + ready_path) or proc.poll() is not None, 60, 0.1) or proc.poll() is not None:
            log.seek(0)
            pytest.fail("gunicorn did not start: " + log.read().decode(errors="replace")[-2000:])
        yield Server(url, proc, log)
    finally:
        _stop_tree(proc)
        log.close()


@contextmanager
def kg_serve(build: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """``kg serve`` as the README starts it (the production server unless ``--dev``) serving ``build`` on a free
    loopback port; yields the root URL and the process (kg, which becomes the gunicorn master)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([str(BIN / "kg"), "serve", "--host", "127.0.0.1", "--port", str(port), *args], cwd=ROOT,
                            env={**os.environ, "KG_BUILD_DIR": str(build)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert wait_for(lambda: _answers(url + "dumps/index.json") or proc.poll() is not None, 60, 0.2)
        assert proc.poll() is None, f"kg serve ended with {proc.returncode}"
        yield url, proc
    finally:
        stop_group(proc)


def fetch(url: str, accept: str | None = None, data: bytes | None = None, content_type: str | None = None,
          timeout: float = 60) -> tuple[int, Message, bytes]:
    """Status, headers and body of a real HTTP request, error statuses included. The headers are looked up without
    regard to case, as HTTP says (waitress sends „Etag“, werkzeug „ETag“)."""
    headers = {k: v for k, v in (("Accept", accept), ("Content-Type", content_type)) if v}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).read()
        return True
    except OSError:
        return False


def _stop_tree(proc: subprocess.Popen) -> None:
    """Stop the server and everything it started (its session), even processes it failed to stop itself."""
    leftovers = descendants(proc.pid)
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    for pid in leftovers:
        if alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def serving_process(server: Server, conn: http.client.HTTPConnection) -> int | None:
    """The web process that holds the server's end of ``conn`` (an open connection that has been answered once):
    which of several gunicorn workers serves it, from the socket's inode in /proc/net/tcp and the workers' open files."""
    client_port, server_port = conn.sock.getsockname()[1], conn.sock.getpeername()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            inode = fields[9]
    if inode is None:
        return None
    for pid in server.web_workers():
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
        except OSError:
            continue
    return None


def stop_group(proc: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 20) -> None:
    """Stop a server started with ``start_new_session=True`` and everything it forked: ``sig`` first, SIGKILL after
    ``grace`` seconds."""
    os.killpg(proc.pid, sig)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
