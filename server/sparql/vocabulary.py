"""The classes and properties of the published graph, once per build: for completion in the editor and for the
hint after an empty result („ik:Massnahmen kommt im Graphen nicht vor – meinten Sie ik:Massnahme?“).

Two sources: what the data uses (counted with kg.void's class and property partition queries, so VoID, the editor
and the hint count alike) and what the ontology defines (every term with ``rdfs:isDefinedBy``, also when no data
uses it yet).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from kg.void import CLASSES, PROPERTIES
from server.caches import per_build
from server.i18n.labels import labels_for
from server.sparql import queries
from server.sparql.prefixes import predeclared
from server.state import Published

_CLASS_KINDS = ("#Class",)


@dataclass(frozen=True)
class Term:
    iri: str
    name: str        # prefixed (ik:Massnahme) where a predeclared prefix fits, else the IRI
    kind: str        # class | property
    count: int       # instances (class) or triples (property) in the data; 0: defined, not used
    labels: dict[str, str]


class Vocabulary:
    def __init__(self, terms: list[Term]) -> None:
        self.terms = sorted(terms, key=lambda t: (-t.count, t.name))
        self._by_iri = {t.iri: t for t in self.terms}

    def __contains__(self, iri: str) -> bool:
        return iri in self._by_iri

    def nearest(self, iri: str, n: int = 3) -> list[Term]:
        """Terms whose names are spelt most like ``iri`` (same namespace first)."""
        names = {t.iri: t for t in self.terms}
        matches = difflib.get_close_matches(iri, list(names), n=n, cutoff=0.8)
        return [names[m] for m in matches]

    def as_json(self, lang: str) -> dict:
        return {"terms": [{"name": t.name, "iri": t.iri, "kind": t.kind, "count": t.count,
                           "label": t.labels.get(lang) or t.labels.get("de") or t.labels.get("", "")} for t in self.terms]}


def short_name(iri: str, table: dict[str, str]) -> str:
    for prefix, namespace in sorted(table.items(), key=lambda item: -len(item[1])):
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and all(c.isalnum() or c in "_-" for c in local):
            return f"{prefix}:{local}"
    return iri


def _compute(published: Published, base: str) -> Vocabulary:
    store, table, labels = published.store, predeclared(base), labels_for(published)
    counts: dict[tuple[str, str], int] = {}
    for row in store.select(CLASSES):
        counts[(row["class"], "class")] = int(row["n"])
    for row in store.select(PROPERTIES):
        counts[(row["p"], "property")] = int(row["n"])
    for row in store.select(queries.DEFINED_TERMS):
        kind = "class" if row["kind"].endswith(_CLASS_KINDS) else "property"
        counts.setdefault((row["term"], kind), 0)
    return Vocabulary([Term(iri, short_name(iri, table), kind, n, labels.all(iri)) for (iri, kind), n in counts.items()])


def vocabulary(published: Published, base: str) -> Vocabulary:
    return per_build(f"sparql-vocabulary|{base}", published, lambda p: _compute(p, base))
