"""The child side of SPARQL execution: a process that owns its own Oxigraph store and answers jobs.

Queries run here, not in the web process, so that a runaway query can be stopped for real by killing
the process (see :mod:`server.sparql.pool`). Everything done with an untrusted query happens here, under the
limits: the guard reads it (:mod:`server.sparql.guard`), the engine parses and runs it, results are capped and
serialised, so the web process only forwards bytes. Imports stay light (no rdflib, no Flask): a fresh worker must
start fast.

The process is bounded on its own, whatever happens to the web process: it dies with its parent (Linux
``PR_SET_PDEATHSIG``; its parent is the forkserver, which exits when the web process is gone) and an alarm
(``SIGALRM`` with its default action, which no running engine code can delay) ends it shortly after a job's
time limit even if nobody is left to kill it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection

import pyoxigraph as ox

from kg import spreadsheet

try:
    import resource
except ImportError:  # not on this platform: no memory cap
    resource = None

from server.formats import GRAPH_FORMATS, SOLUTION_FORMATS
from server.sparql.cpu_time import proc_file
from server.sparql.errors import Problem, explain_syntax_error
from server.sparql.guard import Refused, inspect
from server.sparql.prefixes import prepare
from server.sparql.xml_text import XML_FORMATS, NotRepresentable, xml_body

HTML = "html"  # rows come back as a table for the web process to render
PROCESS_NAME = b"kg-query"  # what ps and /proc/<pid>/comm show
ALARM_GRACE = 2.0  # the web process kills at the time limit; the process's own alarm is the backstop after it
LOAD_LIMIT = 600.0  # seconds a Load may take before the process ends itself (the web process gives up earlier)
# The engine recurses while parsing and evaluating. The guard keeps queries far below what the default 8 MB stack
# holds; the engine thread gets 256 MB of (lazily committed) stack on top, so nothing the guard misses crashes it.
ENGINE_STACK = 256 * 1024 * 1024
_PR_SET_NAME, _PR_SET_PDEATHSIG = 15, 1
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Load:
    """Replace the store with the graph of another build (or an external engine, KG_SPARQL_ENDPOINT)."""

    graph_path: str
    build_id: str
    endpoint: str = ""
    triples: int = -1  # what the build's manifest promises; another count means the file is damaged
    store_path: str = ""  # the build's on-disk database (opened read-only instead of parsing graph_path)


@dataclass(frozen=True)
class Loaded:
    build_id: str
    triples: int
    error: str | None = None  # the file could not be loaded, or holds another number of triples than promised


@dataclass(frozen=True)
class Job:
    query: str                     # as the client sent it
    solutions_format: str | None   # for SELECT/ASK; None: the client accepts no result format for it
    graph_format: str | None       # for CONSTRUCT/DESCRIBE
    max_rows: int
    max_bytes: int = 16 * 1024 * 1024  # size cap of the answer in its format (for HTML: of the rendered table)
    timeout: float = 10.0          # seconds; the process ends itself ALARM_GRACE after it
    base_iri: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    own_graphs: frozenset[str] = frozenset()  # names of our graph that FROM and default-graph-uri may use


@dataclass(frozen=True)
class Outcome:
    kind: str = ""                 # solutions | boolean | graph
    format: str | None = None
    body: bytes = b""
    table: bytes | None = None     # for HTML, JSON of {"vars": [...], "rows": [[cell or None, ...]], "boolean": bool}
    rows: int = 0
    truncated: bool = False
    cut: str | None = None         # what truncated it: "rows" (max_rows) or "bytes" (max_bytes)
    error: str | None = None
    error_kind: str | None = None  # refused | syntax | format | not_xml | memory | failed
    refusal: tuple[int, str, str] | None = None  # refused by the guard: HTTP status, German and English message
    problem: Problem | None = None  # a syntax error explained in words (server.sparql.errors)


def serve(conn: Connection, memory_limit_mb: int = 0) -> None:
    """Answer Load and Job messages until the web process goes away."""
    supervise()
    _on_deep_stack(lambda: _answer(conn, memory_limit_mb))


def _answer(conn: Connection, memory_limit_mb: int) -> None:
    store = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if isinstance(message, Load):
            with alarm(LOAD_LIMIT):
                store, loaded = _load(message)
            conn.send(loaded)
        elif isinstance(message, Job):
            if store is None:
                conn.send(Outcome(error="no graph loaded", error_kind="failed"))
                continue
            with alarm(message.timeout + ALARM_GRACE), memory_cap(memory_limit_mb):
                outcome = execute(store, message)
            conn.send(outcome)


def supervise() -> None:
    """Die with the parent and carry a recognisable name (Linux; elsewhere only the parent's kill applies)."""
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the alarm ends the process, no Python handler can defer it
    _release_forkserver()
    parent = os.getppid()
    libc = _libc()
    if libc is None:
        return
    libc.prctl(_PR_SET_NAME, ctypes.c_char_p(PROCESS_NAME), 0, 0, 0)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)


def _release_forkserver() -> None:
    """Let the forkserver end when the web process does.

    The forkserver exits when the last holder of its "alive" pipe is gone, and every child it forks inherits that
    pipe (to fork grandchildren through it). A query process never does, so it closes its copy: then the web
    process is the only holder, its death ends the forkserver, and that ends this process (PR_SET_PDEATHSIG).
    """
    from multiprocessing import forkserver

    server = forkserver._forkserver  # CPython's module-level instance; no public API reaches this pipe
    fd = getattr(server, "_forkserver_alive_fd", None)
    if fd is not None:
        os.close(fd)
        server._forkserver_alive_fd = None


def _libc():
    if not os.path.exists("/proc/self"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


@contextmanager
def alarm(seconds: float):
    """End this process (SIGALRM, default action) if the block takes longer than ``seconds``."""
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.01))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _on_deep_stack(run) -> None:
    """Run the whole loop in one thread with a deep stack, started before any job: its stack is outside every job's
    memory cap, and a job needs no hand-over between threads (the main thread only waits)."""
    previous = threading.stack_size(ENGINE_STACK)
    try:
        thread = threading.Thread(target=run, name="engine")
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()


@contextmanager
def memory_cap(megabytes: int):
    """Let a query use at most ``megabytes`` more address space than the process has now.

    Only while the query runs (loading a build may briefly need more). Beyond it, allocations fail:
    Python raises MemoryError, Oxigraph aborts the process; either way only this worker is hit.
    """
    base = _address_space()
    if megabytes <= 0 or resource is None or base is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = base + megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int | None:
    statm = proc_file("/proc/self/statm")
    try:
        return int(statm.split()[0]) * _PAGE if statm else None  # None: not Linux, no cap
    except ValueError:
        return None


def _load(message: Load):
    """The store of a build, checked against the triple count its manifest promises; a damaged file is reported,
    not fatal (it is the build's fault, not the query's)."""
    try:
        store = _open(message)
    except (OSError, ValueError, SyntaxError, RuntimeError) as exc:  # RocksDB reports a damaged database as RuntimeError
        return None, Loaded(message.build_id, -1, f"cannot be loaded: {exc}")
    if message.endpoint:
        return store, Loaded(message.build_id, -1)
    if message.store_path:  # its files' SHA-256 and count were checked before the build was served (kg/verify.py)
        return store, Loaded(message.build_id, message.triples)
    count = len(store)
    if message.triples >= 0 and count != message.triples:
        return None, Loaded(message.build_id, count, f"{count} triples instead of {message.triples}")
    return store, Loaded(message.build_id, count)


def _open(load: Load):
    if load.endpoint:
        # The external engine answers with the same pyoxigraph objects; this process still enforces
        # the time limit (by being killed) and caps and serialises the results.
        from kg.store import RemoteStore

        return RemoteStore(load.endpoint, timeout=24 * 3600)
    if load.store_path:  # milliseconds, no lock; its pages are shared with every other process that reads it
        return ox.Store.read_only(load.store_path)
    store = ox.Store()
    store.bulk_load(path=load.graph_path, format=ox.RdfFormat.N_TRIPLES)
    return store


def execute(store, job: Job) -> Outcome:
    """Read the client's query (predeclared prefixes, guard), run it and serialise its capped result."""
    prepared = prepare(job.query, job.base_iri or "")
    try:
        shape = inspect(prepared.text, job.own_graphs, job.base_iri)
    except Refused as exc:
        return Outcome(error=exc.english, error_kind="refused", refusal=(exc.status, exc.german, exc.english))
    options: dict = {"base_iri": job.base_iri}
    if shape.uses_own_graph_only:  # FROM named our own graph: that is the default graph
        options["default_graph"] = ox.DefaultGraph()
    try:
        results = store.query(prepared.text, **options)
        if isinstance(results, ox.QueryBoolean):
            return _boolean(results, job)
        if isinstance(results, ox.QuerySolutions):
            return _solutions(results, job)
        return _graph(results, job)
    except SyntaxError as exc:
        return Outcome(error=str(exc), error_kind="syntax", problem=explain_syntax_error(job.query, prepared, str(exc)))
    except NotRepresentable as exc:  # asked for XML, but a literal holds a character XML 1.0 cannot carry
        return Outcome(error=str(exc), error_kind="not_xml")
    except MemoryError:
        return Outcome(error="memory limit exceeded", error_kind="memory")
    except Exception as exc:  # any engine failure goes back to the client; the worker lives on
        return Outcome(error=f"{type(exc).__name__}: {exc}", error_kind="failed")


def _unacceptable(kind: str) -> Outcome:
    return Outcome(kind=kind, error=kind, error_kind="format")


def _boolean(result: ox.QueryBoolean, job: Job) -> Outcome:
    fmt = job.solutions_format
    if fmt is None:
        return _unacceptable("boolean")
    if fmt == HTML:
        return Outcome("boolean", fmt, table=_json({"vars": [], "rows": [], "boolean": bool(result)}), rows=1)
    return Outcome("boolean", fmt, result.serialize(format=SOLUTION_FORMATS[fmt].oxigraph), rows=1)


def _solutions(results: ox.QuerySolutions, job: Job) -> Outcome:
    fmt = job.solutions_format
    if fmt is None:
        return _unacceptable("solutions")
    variables = [v.value for v in results.variables]
    rows = list(islice(results, job.max_rows + 1))
    cut = "rows" if len(rows) > job.max_rows else None
    rows = rows[: job.max_rows]
    if fmt == HTML:
        return _html("solutions", variables, [[_cell(term) for term in row] for row in rows], cut, job)
    if fmt == "csv":  # spreadsheets open these two: formula-like text is neutralised (OWASP CSV injection)
        def render(n: int) -> bytes:
            return spreadsheet.csv_text(variables, [[_csv_cell(term) for term in row] for row in rows[:n]]).encode("utf-8")
    elif fmt == "tsv":
        def render(n: int) -> bytes:
            lines = _serialise_rows(variables, rows[:n], SOLUTION_FORMATS[fmt].oxigraph).decode("utf-8").split("\n")
            return "\n".join([lines[0]] + ["\t".join(map(spreadsheet.neutralise_tsv_term, line.split("\t")))
                                           for line in lines[1:]]).encode("utf-8")
    else:
        def render(n: int) -> bytes:
            body = _serialise_rows(variables, rows[:n], SOLUTION_FORMATS[fmt].oxigraph)
            return xml_body(body) if fmt in XML_FORMATS else body
    body, kept = _fit(render, len(rows), job.max_bytes)
    return Outcome("solutions", fmt, body, rows=kept, truncated=bool(cut or kept < len(rows)),
                   cut="bytes" if kept < len(rows) else cut)


def _graph(triples: ox.QueryTriples, job: Job) -> Outcome:
    fmt = job.graph_format
    if fmt is None:
        return _unacceptable("graph")
    kept = list(islice(triples, job.max_rows + 1))
    cut = "rows" if len(kept) > job.max_rows else None
    kept = kept[: job.max_rows]
    if fmt == HTML:
        cells = [[_cell(t.subject), _cell(t.predicate), _cell(t.object)] for t in kept]
        return _html("graph", ["subject", "predicate", "object"], cells, cut, job)

    def render(n: int) -> bytes:
        body = ox.serialize(kept[:n], format=GRAPH_FORMATS[fmt].oxigraph, prefixes=job.prefixes or None)
        return xml_body(body) if fmt in XML_FORMATS else body

    body, count = _fit(render, len(kept), job.max_bytes)
    return Outcome("graph", fmt, body, rows=count, truncated=bool(cut or count < len(kept)),
                   cut="bytes" if count < len(kept) else cut)


def _fit(render, count: int, max_bytes: int) -> tuple[bytes, int]:
    """The serialisation of the first rows that fits ``max_bytes``, and how many rows that is.

    The size of a format is close to proportional to its rows, so a second try usually fits; rows are never cut
    in half, so every format stays parseable.
    """
    body = render(count)
    while len(body) > max_bytes and count > 0:
        count = min(count - 1, int(count * max_bytes / len(body) * 0.95))
        body = render(count)
    return body, count


def _html(kind: str, variables: list[str], rows: list[list[dict | None]], cut: str | None, job: Job) -> Outcome:
    """Rows for the web process to render as a table, as compact JSON, as many as the page may hold in bytes."""
    budget, kept = job.max_bytes, 0
    for row in rows:
        budget -= sum(map(_rendered_size, row))
        if budget < 0:
            break
        kept += 1
    if kept < len(rows):
        cut = "bytes"
    table = _json({"vars": variables, "rows": rows[:kept]})
    return Outcome(kind, HTML, table=table, rows=kept, truncated=cut is not None, cut=cut)


HTML_CELL_MARKUP = 400  # bytes of markup, label and note around a rendered cell (server/sparql/page.py), generously


def _rendered_size(cell: dict | None) -> int:
    """An upper estimate of a cell's share of the page: escaped value (thrice for an IRI: text, link, title)."""
    if cell is None:
        return 40
    value = cell["value"]
    escaped = len(value.encode()) + 5 * sum(value.count(c) for c in "<>&\"'")
    return (3 * escaped if cell["type"] == "uri" else escaped) + HTML_CELL_MARKUP


def _json(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _serialise_rows(variables: list[str], rows: list[ox.QuerySolution], fmt: ox.QueryResultsFormat) -> bytes:
    """Serialise already-read rows with Oxigraph's own writers.

    The capped rows have been taken out of the result iterator, and pyoxigraph cannot build a
    QuerySolutions from a list, so they go through SPARQL TSV (lossless: every term in N-Triples syntax)
    and are parsed back before writing the requested format.
    """
    lines = ["\t".join("?" + v for v in variables)]
    lines.extend("\t".join(_tsv_term(term) for term in row) for row in rows)
    reparsed = ox.parse_query_results("\n".join(lines) + "\n", ox.QueryResultsFormat.TSV)
    return reparsed.serialize(format=fmt)


_NUMERIC = {"http://www.w3.org/2001/XMLSchema#" + t for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}


def _csv_cell(term) -> str | None:
    """A term as SPARQL 1.1 CSV writes it: IRI, lexical form of a literal, _:id of a blank node."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return spreadsheet.Number(term.value) if term.datatype.value in _NUMERIC else term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode):
        return term.value
    return _tsv_term(term)


def _tsv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} )>>"
    return str(term)  # N-Triples syntax, with tabs and line breaks escaped


def _cell(term) -> dict | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        cell = {"type": "literal", "value": term.value}
        if term.language:
            cell["lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            cell["datatype"] = term.datatype.value
        return cell
    return {"type": "triple", "value": _tsv_term(term)}
