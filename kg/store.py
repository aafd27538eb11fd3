"""The read-only query interface the server and the exports use: an embedded Oxigraph store.

Oxigraph answers typical queries in well under a millisecond where rdflib's own engine takes tens
(see bench/), so everything on the query path goes through here. A remote SPARQL engine can stand
in for it behind the same three methods.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph


class Store:
    def __init__(self, store: ox.Store) -> None:
        self._store = store

    @classmethod
    def from_ntriples(cls, path: Path) -> Store:
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
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
        results = self._store.query(sparql)
        names = [v.value for v in results.variables]
        return [{n: row[n].value for n in names if row[n] is not None} for row in results]

    def triples(self, subject=None, predicate=None, obj=None):
        return (q.triple for q in self._store.quads_for_pattern(subject, predicate, obj, ox.DefaultGraph()))
