"""The read-only query interface the server and the exports use: an embedded Oxigraph store.

Oxigraph answers typical queries in well under a millisecond where rdflib's own engine takes tens
(see bench/), so everything on the query path goes through here. A remote SPARQL 1.1 engine
(:class:`RemoteStore`, set ``KG_SPARQL_ENDPOINT``) can stand in for it behind the same methods and
returns the same pyoxigraph result objects, so callers never know which one they talk to.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph


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


class RemoteStore:
    """A remote SPARQL 1.1 Protocol endpoint behind the :class:`Store` interface (read-only)."""

    ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"

    def __init__(self, endpoint: str, timeout: float = 30.0) -> None:
        self.endpoint = endpoint
        self.timeout = timeout

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"])

    def _post(self, sparql: str) -> tuple[str, bytes]:
        body = urllib.parse.urlencode({"query": sparql}).encode()
        request = urllib.request.Request(self.endpoint, data=body, method="POST", headers={
            "Accept": self.ACCEPT, "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured endpoint)
                return response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            if exc.code == 400:
                raise SyntaxError(detail) from exc
            raise RemoteStoreError(f"{self.endpoint} answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError) as exc:
            raise RemoteStoreError(f"{self.endpoint} unreachable: {exc}") from exc

    def query(self, sparql: str, **_options):
        content_type, data = self._post(sparql)
        if content_type == "application/n-triples":
            return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)

    def select(self, sparql: str) -> list[dict[str, str]]:
        return rows(self.query(sparql))

    def triples(self, subject=None, predicate=None, obj=None):
        """Triples matching a pattern (None = any), as pyoxigraph triples, like :meth:`Store.triples`."""
        s, p, o = (str(t) if t is not None else v for t, v in ((subject, "?s"), (predicate, "?p"), (obj, "?o")))
        return iter(self.query(f"CONSTRUCT {{ {s} {p} {o} }} WHERE {{ {s} {p} {o} }}"))
