"""Do all engines return the same rows? Answers normalised into comparable multisets.

Normalisation covers only what SPARQL leaves to the engine or what serialisers legitimately differ in: variable
order, row order (rows are compared as multisets; ORDER BY is not checked), blank node labels, `typed-literal`
(old JSON) vs `literal`, xsd:string vs a plain literal, the case of language tags, the lexical form of numbers
(COUNT may come back as xsd:int or xsd:integer), and for GROUP_CONCAT (" | "-separated) the order of the parts,
which SPARQL leaves undefined, and the language tag of the result (kept by Oxigraph, dropped by Virtuoso).
Anything else that differs is a disagreement.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "int", "long", "short", "byte", "decimal", "double", "float", "nonNegativeInteger",
                             "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong")}
SEPARATOR = " | "

Term = tuple
Rows = Counter


def _literal(value: str, datatype: str | None, lang: str | None) -> Term:
    if SEPARATOR in value:  # GROUP_CONCAT: parts in any order; whether the result keeps a shared language tag varies
        return ("literal", SEPARATOR.join(sorted(value.split(SEPARATOR))), None)
    if lang:
        return ("literal", value, "@" + lang.lower())
    if datatype in NUMERIC:
        try:
            return ("literal", format(Decimal(value).normalize(), "f"), "number")
        except InvalidOperation:
            pass
    return ("literal", value, None if datatype in (None, XSD + "string") else datatype)


def _json_term(binding: dict) -> Term:
    kind = binding["type"]
    if kind == "uri":
        return ("uri", binding["value"])
    if kind == "bnode":
        return ("bnode",)
    return _literal(binding["value"], binding.get("datatype"), binding.get("xml:lang"))


def select_rows(body: bytes) -> Rows:
    """SPARQL JSON results → multiset of rows; a row is its sorted (variable, term) pairs."""
    data = json.loads(body)
    return Counter(tuple(sorted((var, _json_term(b)) for var, b in row.items())) for row in data["results"]["bindings"])


def _rdflib_term(term) -> Term:
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, Literal):
        return _literal(str(term), str(term.datatype) if term.datatype else None, term.language)
    return ("uri", str(term))


def graph_rows(body: bytes, content_type: str) -> Rows:
    """An RDF answer → multiset of triples (the Turtle or N-Triples the engine sent, parsed by rdflib)."""
    fmt = "nt" if "n-triples" in content_type else "turtle"
    graph = Graph()
    graph.parse(data=body, format=fmt)
    return Counter(tuple(_rdflib_term(t) for t in triple) for triple in graph)


def reference(store: ox.Store, query: str, graph: bool) -> Rows:
    """The answer of pyoxigraph itself on graph.nt, the yardstick every engine (ours included) is held to."""
    result = store.query(query)
    if graph:
        return graph_rows(result.serialize(format=ox.RdfFormat.N_TRIPLES), "application/n-triples")
    return select_rows(result.serialize(format=ox.QueryResultsFormat.JSON))


def verdict(rows: Rows, expected: Rows, full: Rows | None = None, limit: int | None = None) -> str | None:
    """None if the answer is right, else a short description of how it differs.

    ``full``/``limit``: the query has LIMIT without ORDER BY, so any ``limit`` rows of the full answer are right.
    """
    if full is not None:
        want = min(limit or 0, sum(full.values()))
        if sum(rows.values()) != want:
            return f"{sum(rows.values())} rows, expected {want}"
        extra = rows - full
        return f"{sum(extra.values())} rows not in the full answer, e.g. {next(iter(extra))}" if extra else None
    if rows == expected:
        return None
    missing, extra = expected - rows, rows - expected
    parts = [f"{sum(rows.values())} rows vs {sum(expected.values())}"]
    if missing:
        parts.append(f"missing e.g. {next(iter(missing))}")
    if extra:
        parts.append(f"unexpected e.g. {next(iter(extra))}")
    return "; ".join(parts)
