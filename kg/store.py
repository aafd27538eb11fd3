"""The read-only query interface the server and the exports use: an embedded Oxigraph store.

Oxigraph answers typical queries in well under a millisecond where rdflib's own engine takes tens
(see bench/), so everything on the query path goes through here. A remote SPARQL 1.1 engine
(:class:`RemoteStore`, set ``KG_SPARQL_ENDPOINT``) can stand in for it behind the same methods and
returns the same pyoxigraph result objects, so callers never know which one they talk to.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import threading
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

STORE_DIR = "store"  # the build's on-disk Oxigraph database (RocksDB), next to graph.nt


def write_store(source: Path | bytes, directory: Path) -> int:
    """Write N-Triples ``source`` (a file, or its bytes) as an on-disk Oxigraph database into ``directory`` (new) and
    close it; returns its number of triples.

    Built once per build, the database is then only opened read-only (:meth:`Store.open_read_only`): that takes
    milliseconds instead of parsing graph.nt, takes no lock, writes nothing, and every process that opens it shares
    one copy in the page cache.
    """
    store = ox.Store(str(directory))
    if isinstance(source, bytes):
        store.bulk_load(source, format=ox.RdfFormat.N_TRIPLES)
    else:
        store.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    store.optimize()  # one compacted set of files: fewer to open and to check
    count = len(store)
    del store  # the last reference: RocksDB closes the database, its files are final from here
    return count


def store_files(directory: Path) -> list[Path]:
    """The files of an on-disk database, in a stable order (what a build's manifest records)."""
    return sorted(Path(directory, name) for name in os.listdir(directory))


def rows(results: ox.QuerySolutions) -> list[dict[str, str]]:
    """Solutions as plain rows of strings; unbound variables are absent from a row."""
    names = [v.value for v in results.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in results]


class Store:
    def __init__(self, store: ox.Store) -> None:
        self._store = store

    @classmethod
    def from_ntriples(cls, source: Path | bytes) -> Store:
        """From an N-Triples file, or from N-Triples already in memory (the build loads what it just wrote)."""
        store = ox.Store()
        if isinstance(source, bytes):
            store.bulk_load(source, format=ox.RdfFormat.N_TRIPLES)
        else:
            store.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES)
        return cls(store)

    @classmethod
    def open_read_only(cls, directory: Path) -> Store:
        """The on-disk database written by :func:`write_store`, read-only (several processes may open it at once)."""
        return cls(ox.Store.read_only(str(directory)))

    @classmethod
    def from_graph(cls, graph: Graph) -> Store:
        store = ox.Store()
        store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        return cls(store)

    def __len__(self) -> int:
        return len(self._store)

    def query(self, sparql: str, **options):
        """Run a read-only SPARQL query; results are pyoxigraph objects."""
        return self._store.query(sparql, **options)

    def select(self, sparql: str) -> list[dict[str, str]]:
        """SELECT as plain rows of strings (values of unbound variables are absent)."""
        return rows(self.query(sparql))

    def dump(self, fmt: ox.RdfFormat, **options) -> bytes:
        return self._store.dump(format=fmt, from_graph=ox.DefaultGraph(), **options)

    def triples(self, subject=None, predicate=None, obj=None):
        return (q.triple for q in self._store.quads_for_pattern(subject, predicate, obj, ox.DefaultGraph()))


class RemoteStoreError(OSError):
    """The external SPARQL engine failed or is unreachable."""


# What comes before the query form: whitespace, comments, PREFIX and BASE declarations (an IRI may hold a '#').
_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|PREFIX\s*[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)*", re.IGNORECASE)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
VIRTUOSO_ASK = "__ASK_RETVAL"  # Virtuoso 7 answers ASK as one row of this variable (none when false)


def query_form(sparql: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; None when the text does not start like a query."""
    found = _FORM.match(sparql, _PROLOGUE.match(sparql).end())
    return found[1].upper() if found else None


# application/x-www-form-urlencoded, byte by byte: itself, "+" for a space, else %XX (as urllib.parse.quote_plus).
_FORM_BYTES = [bytes([b]) if chr(b).isascii() and (chr(b).isalnum() or chr(b) in "_.-~") else b"+" if b == 32 else b"%%%02X" % b
               for b in range(256)]


def form_encoded(text: str) -> bytes:
    """``text`` as a form value; in C (map over a table), where urllib's quoting loops in Python per character – more
    than a lookup on the engine costs."""
    return b"".join(map(_FORM_BYTES.__getitem__, text.encode("utf-8")))


class RemoteStore:
    """A remote SPARQL 1.1 Protocol endpoint behind the :class:`Store` interface (read-only).

    Tested against Oxigraph's server and Virtuoso 7 (tests/app/test_remote_store.py). Each query asks for the one
    format its form answers in: Virtuoso ignores the query form when it negotiates (a CONSTRUCT asked for JSON
    first comes as a JSON table), and answers ASK as a table, which is turned back into a boolean here.
    """

    ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
    ACCEPT_BY_FORM = {"SELECT": "application/sparql-results+json", "ASK": "application/sparql-results+json",
                      "CONSTRUCT": "application/n-triples", "DESCRIBE": "application/n-triples"}

    def __init__(self, endpoint: str, timeout: float = 30.0) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        parts = urllib.parse.urlsplit(endpoint)
        self._https, self._host = parts.scheme == "https", parts.netloc
        self._path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        # One kept-alive connection per thread (the web process asks from many): a new TCP connection and urllib's
        # opener per query cost more than a lookup on the engine itself.
        self._local = threading.local()

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"])

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = self._local.connection = kind(self._host, timeout=self.timeout)
        return connection

    def _close(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()

    def _post(self, sparql: str, accept: str) -> tuple[str, bytes]:
        body = b"query=" + form_encoded(sparql)  # a form: Virtuoso 7 does not answer a query sent as the body itself
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        while True:
            kept = getattr(self._local, "connection", None) is not None
            connection = self._connection()
            try:
                connection.request("POST", self._path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._close()
                if kept and not isinstance(exc, TimeoutError):
                    continue  # the kept connection was dropped meanwhile: once more on a new one (a query is safe to repeat)
                raise RemoteStoreError(f"{self.endpoint} unreachable: {exc}") from exc
            if response.will_close:
                self._close()
            if response.status >= 400:
                detail = data.decode("utf-8", "replace")[:500]
                if response.status == 400:
                    raise SyntaxError(detail)
                raise RemoteStoreError(f"{self.endpoint} answered {response.status}: {detail}")
            return response.headers.get_content_type(), data

    def query(self, sparql: str, **_options):
        form = query_form(sparql)
        content_type, data = self._post(sparql, self.ACCEPT_BY_FORM.get(form, self.ACCEPT))
        if content_type in ("application/n-triples", "text/plain"):
            return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        if form == "ASK":
            answer = json.loads(data)
            if "boolean" not in answer and answer.get("head", {}).get("vars") == [VIRTUOSO_ASK]:
                rows = answer.get("results", {}).get("bindings", [])
                truth = any(row.get(VIRTUOSO_ASK, {}).get("value") not in (None, "0") for row in rows)
                data = json.dumps({"head": {}, "boolean": truth}).encode()
        return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)

    def select(self, sparql: str) -> list[dict[str, str]]:
        return rows(self.query(sparql))

    def triples(self, subject=None, predicate=None, obj=None):
        """Triples matching a pattern (None = any), as pyoxigraph triples, like :meth:`Store.triples`."""
        s, p, o = (str(t) if t is not None else v for t, v in ((subject, "?s"), (predicate, "?p"), (obj, "?o")))
        return iter(self.query(f"CONSTRUCT {{ {s} {p} {o} }} WHERE {{ {s} {p} {o} }}"))
