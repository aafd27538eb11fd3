"""The servers compared, each started on loopback from a directory of the benchmark's work dir and stopped after.

- ``Ours``: `kg serve`'s production server (gunicorn with server/serving/gunicorn_config.py: 2 web processes with
  waitress, query processes started and the on-disk database opened before requests are taken) serving the `kg build`
  output; the answer cache off (KG_QUERY_CACHE_MB=0) or on (the default 64 MB). ``Ours(old_start=True)``: the same
  server on a copy of the build without the on-disk database and without the warm-up (the path before issue 18's
  warm start: every process parses graph.nt; query processes start with the first query).
- ``OxigraphServer``: `oxigraph serve-read-only` (PyPI `oxigraph`) on a database loaded from graph.nt.
- ``RdflibEndpoint``: `rdflib-endpoint serve graph.nt` (PyPI, the pip extra `bench`; uvicorn, rdflib's engine).
- ``Virtuoso``: Virtuoso open source 7 (Debian `virtuoso-opensource-7-bin`), graph.nt bulk-loaded with
  `ld_dir`/`rdf_loader_run` into one named graph that every query gets as its default graph.
- ``Ours(behind=Virtuoso)``: our server with ``KG_SPARQL_ENDPOINT`` on that Virtuoso ("ours→virtuoso"): guard,
  limits and serialising ours, the query Virtuoso's.
- ``Nginx``: nginx (Debian) serving files fetched once from our server: the same bytes as static files.

An engine that cannot run here raises ``Skipped`` with the reason; peers.py prints it as "skipped: …".
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
VIRTUOSO_GRAPH = "urn:x-kg:bench"
HZ = os.sysconf("SC_CLK_TCK")


class Skipped(Exception):
    """This engine cannot run on this machine; the message says why and what would fix it."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_cpu(pid: int) -> dict[int, tuple[float, str]]:
    """CPU seconds used so far by a process and each of its descendants, with their command lines (Linux /proc)."""
    found, stack = {}, [pid]
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{current}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found[current] = ((int(fields[11]) + int(fields[12])) / HZ, command)
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return found


def tree_cpu_seconds(pid: int) -> float:
    return sum(seconds for seconds, _ in tree_cpu(pid).values())


def http_get(url: str, accept: str, timeout: float = 120) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


class Engine:
    name = "engine"
    sparql_path = "/sparql"
    extra_query = ""  # appended to every query string (e.g. Virtuoso's default graph)

    def __init__(self, build: Path, workdir: Path) -> None:
        self.build, self.workdir = build, workdir
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log = workdir / f"{self.name.replace(' ', '-')}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def path(self, query: str) -> str:
        return f"{self.sparql_path}?query={urllib.parse.quote(query, safe='')}{self.extra_query}"

    def command(self) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    @property
    def cwd(self) -> Path:
        return ROOT

    def prepare(self) -> None:
        """One-off setup before the first start (load a database); kept in the work dir for a later run."""

    def spawn(self) -> float:
        """Start the server process; returns the monotonic time just before the start."""
        self.prepare()
        command, env = self.command()
        started = time.monotonic()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(command, cwd=self.cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=log,
                                         start_new_session=True)
        return started

    def wait_ready(self, probe: str, accept: str, timeout: float = 600, interval: float = 0.01) -> float:
        """Poll ``probe`` (a path) until it answers 200; returns the monotonic time of that answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc and self.proc.poll() is not None:
                raise Skipped(f"{self.name} exited with {self.proc.returncode}; see {self.log}: {self._log_tail()}")
            try:
                status, _, _ = http_get(self.url + probe, accept, timeout=30)
                if status == 200:
                    return time.monotonic()
            except OSError:
                pass
            time.sleep(interval)
        raise Skipped(f"{self.name} did not answer within {timeout:.0f} s; see {self.log}")

    def start(self, probe_query: str) -> None:
        self.spawn()
        self.wait_ready(self.path(probe_query), "application/sparql-results+json")

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-600:].strip()
        except OSError:
            return ""

    def busy(self, window: float = 0.3) -> float:
        """Share of one CPU the server used over ``window`` seconds."""
        if not self.proc:
            return 0.0
        before = tree_cpu_seconds(self.proc.pid)
        time.sleep(window)
        return (tree_cpu_seconds(self.proc.pid) - before) / window

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by the server, by part; a difference over a run ÷ its requests = CPU per request."""
        return {"all": tree_cpu_seconds(self.proc.pid)} if self.proc else {}

    def settle(self, max_wait: float = 120) -> bool:
        """Wait until requests still running after a wrk run are done, so they do not slow the next engine."""
        deadline = time.monotonic() + max_wait
        while time.monotonic() < deadline:
            if self.busy() < 0.05:
                return True
        return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        self.proc = None


COLD_CONFIG = Path(__file__).with_name("gunicorn_cold.py")  # kg serve's settings without the warm-up


def without_store(build: Path, into: Path) -> Path:
    """A copy of ``build`` (hard links) whose manifest lists no on-disk database: the server then parses graph.nt in
    every process, as before issue 18's warm start (the old path, for the cold-start comparison)."""
    if not (into / "manifest.json").exists():
        shutil.rmtree(into, ignore_errors=True)
        shutil.copytree(build.resolve(), into, copy_function=os.link, ignore=shutil.ignore_patterns("store"))
        manifest_path = into / "manifest.json"
        manifest = json.loads(manifest_path.read_text())
        manifest.pop("store", None)
        manifest_path.unlink()  # a hard link to the original: write a file of its own
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return into


class Ours(Engine):
    def __init__(self, build: Path, workdir: Path, cache_mb: int, behind: Engine | None = None, old_start: bool = False) -> None:
        self.cache_mb = cache_mb
        self.behind = behind  # an external engine the graph is queried on (KG_SPARQL_ENDPOINT), else embedded
        self.old_start = old_start  # graph.nt parsed by every process, query processes started by the first query
        self.name = (f"ours→{behind.name}" if behind else "ours, old start" if old_start else "ours" if cache_mb == 0
                     else "ours cache on")
        super().__init__(without_store(build, workdir / "build-without-store") if old_start else build, workdir)

    def cpu(self) -> dict[str, float]:
        """Split into the web layer (gunicorn, Flask, guard, serialising) and the SPARQL query processes."""
        parts = {"web": 0.0, "query": 0.0}
        if self.proc:
            for seconds, command in tree_cpu(self.proc.pid).values():
                parts["query" if "forkserver" in command or "multiprocessing" in command else "web"] += seconds
        return parts

    def command(self) -> tuple[list[str], dict[str, str]]:
        # What `kg serve` runs (gunicorn with server/serving/gunicorn_config.py: 2 web processes with waitress; they
        # start their query processes before taking requests); the old start without that warm-up.
        # wrk's connections all come from 127.0.0.1, i.e. one client: the per-client limits (2 queries at once, 30
        # query-seconds a minute) would turn most of them away; the slots, queue and time limits stay as configured.
        env = {"KG_BUILD_DIR": str(self.build), "KG_QUERY_CACHE_MB": str(self.cache_mb), "KG_CLIENT_QUERIES": "64",
               "KG_CLIENT_QUERY_SECONDS": "1000000"}
        if self.behind:
            if self.behind.proc is None or self.behind.proc.poll() is not None:
                raise Skipped(f"{self.name}: {self.behind.name} is not running")
            env["KG_SPARQL_ENDPOINT"] = self.behind.endpoint_url
        config = str(COLD_CONFIG) if self.old_start else "python:server.serving.gunicorn_config"
        return ([str(BIN / "gunicorn"), "server.app:create_app()", "--config", config, "--bind", f"127.0.0.1:{self.port}"], env)


class OxigraphServer(Engine):
    name = "oxigraph server"
    sparql_path = "/query"

    def __init__(self, build: Path, workdir: Path) -> None:
        super().__init__(build, workdir)
        self.binary = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
        self.db = workdir / "oxigraph-db"

    def prepare(self) -> None:
        if not self.binary:
            raise Skipped("oxigraph (PyPI `oxigraph`, the `test` extra) is not installed")
        if not (self.db / ".loaded").exists():
            shutil.rmtree(self.db, ignore_errors=True)
            subprocess.run([self.binary, "load", "--location", str(self.db), "--file", str(self.build / "graph.nt")],
                           check=True, capture_output=True)
            (self.db / ".loaded").touch()

    def command(self) -> tuple[list[str], dict[str, str]]:
        return [self.binary, "serve-read-only", "--location", str(self.db), "--bind", f"127.0.0.1:{self.port}"], {}


class RdflibEndpoint(Engine):
    name = "rdflib-endpoint"
    sparql_path = "/"

    def command(self) -> tuple[list[str], dict[str, str]]:
        binary = BIN / "rdflib-endpoint"
        if not binary.exists():
            raise Skipped("rdflib-endpoint is not installed: run bench/peers-setup.sh (pip extra `bench`)")
        return [str(binary), "serve", str(self.build / "graph.nt"), "--host", "127.0.0.1", "--port", str(self.port)], {}


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = 60000
MaxDirtyBuffers = 45000
DirsAllowed = ., {data}
DefaultIsolation = 2

[HTTPServer]
ServerPort = 127.0.0.1:{port}
ServerThreads = 10
MaxKeepAlives = 16
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
"""


class Virtuoso(Engine):
    name = "virtuoso"
    extra_query = "&default-graph-uri=" + urllib.parse.quote(VIRTUOSO_GRAPH, safe="")
    binary, isql = Path("/usr/bin/virtuoso-t"), Path("/usr/bin/isql-vt")

    def __init__(self, build: Path, workdir: Path) -> None:
        super().__init__(build, workdir)
        self.dir = workdir / "virtuoso"
        self.sql_port = free_port()

    @property
    def cwd(self) -> Path:
        return self.dir  # it writes files next to itself

    @property
    def endpoint_url(self) -> str:
        """The query URL for KG_SPARQL_ENDPOINT, with the graph as the default graph."""
        return f"{self.url}/sparql?{self.extra_query.lstrip('&')}"

    def _isql(self, statements: str, timeout: float = 3600) -> str:
        done = subprocess.run([str(self.isql), f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise Skipped(f"virtuoso: isql failed: {(done.stdout + done.stderr).strip()[-600:]}")
        return done.stdout

    def command(self) -> tuple[list[str], dict[str, str]]:
        if not self.binary.exists() or not self.isql.exists():
            raise Skipped("Virtuoso is not installed: run bench/peers-setup.sh (apt-get install virtuoso-opensource-7-bin)")
        self.dir.mkdir(parents=True, exist_ok=True)
        data = self.build.resolve()
        (self.dir / "virtuoso.lck").unlink(missing_ok=True)  # left by a run that was killed; no server of ours is up
        (self.dir / "virtuoso.ini").write_text(VIRTUOSO_INI.format(dir=self.dir, sql_port=self.sql_port, port=self.port, data=data))
        return [str(self.binary), "-f", "-c", str(self.dir / "virtuoso.ini")], {}

    def _log_since(self, offset: int) -> str:
        try:
            with self.log.open("rb") as log:  # in the foreground (-f) Virtuoso logs to stderr
                log.seek(offset)
                return log.read().decode(errors="replace")
        except OSError:
            return ""

    def start(self, probe_query: str) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.spawn()
        deadline = time.monotonic() + 120
        while "Server online" not in self._log_since(offset):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise Skipped(f"virtuoso did not start; see {self.log}: {self._log_since(offset)[-600:]}")
            time.sleep(0.2)
        if not (self.dir / ".loaded").exists():
            data = self.build.resolve()
            self._isql(f"ld_dir('{data}', 'graph.nt', '{VIRTUOSO_GRAPH}'); rdf_loader_run(); checkpoint;")
            errors = self._isql("SELECT ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
            if "0 Rows" not in errors:
                raise Skipped(f"virtuoso: loading graph.nt failed: {errors.strip()[-600:]}")
            (self.dir / ".loaded").touch()
        self.wait_ready(self.path(probe_query), "application/sparql-results+json", timeout=120)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                self._isql("shutdown;", timeout=60)
                self.proc.wait(timeout=60)
            except (Skipped, subprocess.TimeoutExpired):
                pass
        super().stop()


# Both nginx engines run with the same process settings (2 workers, no access log, temp files in their own directory),
# so nginx static and the nginx cache compare like for like; only their http blocks differ.
NGINX_MAIN = """daemon off;
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
  access_log off;
  keepalive_requests 100000;
  client_body_temp_path {dir}/tmp-body;
  proxy_temp_path {dir}/tmp-proxy;
  fastcgi_temp_path {dir}/tmp-fastcgi;
  uwsgi_temp_path {dir}/tmp-uwsgi;
  scgi_temp_path {dir}/tmp-scgi;
{http}
}}
"""

STATIC_HTTP = """  sendfile on;
  tcp_nopush on;
  open_file_cache max=10000 inactive=60s;
  types {{ text/html html; text/turtle ttl; }}
  default_type application/octet-stream;
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def nginx_conf(directory: Path, user: str, http: str) -> list[str]:
    """Write nginx.conf into ``directory`` and return the command that runs it."""
    binary = nginx_binary()
    if not binary:
        raise Skipped("nginx is not installed: run bench/peers-setup.sh (apt-get install nginx)")
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_MAIN.format(dir=directory, user=user, http=http))
    return [binary, "-c", str(conf), "-p", str(directory)]


class Nginx(Engine):
    """Static files only: the pages and RDF documents exactly as our server sent them."""

    name = "nginx static"

    def __init__(self, build: Path, workdir: Path, top: Path) -> None:
        super().__init__(build, workdir)
        self.dir, self.root, self.top = workdir / "nginx", workdir / "static", top

    def copy(self, source_url: str, paths: list[str], accept: str) -> None:
        """Fetch ``paths`` from our server once and store the bytes as files under the same paths."""
        for path in paths:
            status, _, body = http_get(source_url + path, accept)
            if status != 200:
                raise RuntimeError(f"{path} answered {status} on our server")
            target = self.root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)

    def command(self) -> tuple[list[str], dict[str, str]]:
        self.dir.mkdir(parents=True, exist_ok=True)
        # Workers of a root master run as nobody: the files must be readable by them, so the benchmark's own
        # directories (from its top work dir down; a temp dir is private by default) are opened for reading.
        user = "user nobody nogroup;" if os.geteuid() == 0 else ""
        chain = [self.workdir, *self.workdir.parents]
        for path in chain[:chain.index(self.top) + 1] if self.top in chain else [self.workdir]:
            path.chmod(path.stat().st_mode | 0o755)
        for folder, _, files in os.walk(self.root):
            Path(folder).chmod(0o755)
            for name in files:
                (Path(folder) / name).chmod(0o644)
        return nginx_conf(self.dir, user, STATIC_HTTP.format(port=self.port, root=self.root)), {}

    def start(self, probe_path: str) -> None:
        self.spawn()
        self.wait_ready(probe_path, "*/*", timeout=30)


class NginxCache(Engine):
    """deploy/nginx.conf as it is (proxy_cache for /doc/ and /id/) in front of our server, on loopback; the process
    settings (2 workers, no access log) as for ``Nginx``, so hit and static compare like for like."""

    name = "nginx cache"

    def __init__(self, build: Path, workdir: Path, upstream: str) -> None:
        super().__init__(build, workdir)
        self.dir, self.upstream = workdir / "nginx-cache", upstream

    def command(self) -> tuple[list[str], dict[str, str]]:
        shutil.rmtree(self.dir / "cache", ignore_errors=True)  # every start begins with an empty cache
        self.dir.mkdir(parents=True, exist_ok=True)
        site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
        site = site.replace("server 127.0.0.1:8080;", f"server {urllib.parse.urlsplit(self.upstream).netloc};")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        site = site.replace("/var/cache/nginx/kg", str(self.dir / "cache"))
        (self.dir / "kg.conf").write_text(site, encoding="utf-8")
        user = "user root;" if os.geteuid() == 0 else ""
        http = f"  include /etc/nginx/mime.types;\n  include {self.dir}/kg.conf;"
        return nginx_conf(self.dir, user, http), {}

    def start(self, probe_path: str) -> None:
        self.spawn()
        self.wait_ready(probe_path, "text/html", timeout=60)
