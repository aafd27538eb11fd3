"""The queries every engine answers: six typical ones (a–f) and the served examples of the query page.

Each query comes as a list of request texts. Where the query has a parameter (an OE, a Drucksache, a measure,
a search word, a target group) it rotates over the real values of the build, so consecutive answers differ;
every text also ends in its own comment line, so no text repeats within a list and a cache keyed on the query
text (ours: KG_QUERY_CACHE_MB) misses until the list wraps around. Queries without a parameter (most examples)
give the same answer each time; only their text varies (``varies=False``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pyoxigraph as ox

from server.sparql.examples import DEFAULT_BODY, EXAMPLES, prefix_block

# One-resource lookups: the goal compares them with Oxigraph's own server.
LOOKUPS = ("b", "c", "d", "massnahmen-einer-oe")


@dataclass(frozen=True)
class Query:
    key: str
    title: str
    texts: tuple[str, ...]
    graph: bool = False  # CONSTRUCT/DESCRIBE: an RDF answer, compared as a set of triples
    varies: bool = True  # a parameter changes per request (False: only the comment line changes)
    unordered_limit: bool = False  # LIMIT without ORDER BY: any LIMIT rows of the full answer are correct

    @property
    def lookup(self) -> bool:
        return self.key in LOOKUPS

    @property
    def accept(self) -> str:
        return "text/turtle" if self.graph else "application/sparql-results+json"


def _values(store: ox.Store, query: str) -> list[str]:
    return [row[0].value for row in store.query(query)]


@dataclass(frozen=True)
class Parameters:
    """Real values of one build to rotate over, most used first (so a short list still has typical ones)."""

    oes: list[str]
    drucksachen: list[str]
    measures: list[str]
    groups: list[str]
    words: list[str]

    @classmethod
    def of(cls, store: ox.Store, base: str) -> Parameters:
        pre = prefix_block(base)
        by_count = "SELECT ?x WHERE {{ {{ SELECT ?x (COUNT(?m) AS ?n) WHERE {{ ?m {p} ?x }} GROUP BY ?x }} }} ORDER BY DESC(?n) STR(?x)"
        titles = _values(store, pre + "SELECT ?t WHERE { ?m a ik:Massnahme ; dcterms:title ?t }")
        # ASCII words only: engines lower-case non-ASCII letters differently (LCASE), which is not what we compare.
        words = Counter(w for t in titles for w in set(re.findall(r"\b[a-z]{6,}\b", t.lower())))
        return cls(
            oes=_values(store, pre + by_count.format(p="ik:zustaendig")),
            drucksachen=_values(store, pre + by_count.format(p="dcterms:references")),
            measures=_values(store, pre + "SELECT ?m WHERE { ?m a ik:Massnahme ; dcterms:identifier ?nr } ORDER BY xsd:integer(?nr)"),
            groups=_values(store, pre + by_count.format(p="ik:zielgruppe")),
            words=[w for w, _ in words.most_common(200)],
        )


TYPICAL = {
    "a": ("count per field of action", "measures", """SELECT ?feld (COUNT(?m) AS ?n) WHERE {
  ?m a ik:Massnahme ; ik:handlungsfeld ?feld .
  FILTER(?m != <{p}>)
}
GROUP BY ?feld"""),
    "b": ("measures of one OE", "oes", """SELECT ?m ?titel WHERE { ?m ik:zustaendig <{p}> ; dcterms:title ?titel }"""),
    "c": ("measures citing one Drucksache", "drucksachen", """SELECT ?m ?titel WHERE { ?m dcterms:references <{p}> ; dcterms:title ?titel }"""),
    "d": ("describe one measure", "measures", """SELECT ?p ?o WHERE { <{p}> ?p ?o }"""),
    "e": ("text filter LIMIT 100", "words", """SELECT ?m ?titel WHERE {
  ?m a ik:Massnahme ; dcterms:title ?titel .
  FILTER(CONTAINS(LCASE(STR(?titel)), "{p}"))
}
LIMIT 100"""),
    "f": ("OE × target group", "measures", """SELECT ?oe ?gruppe (COUNT(?m) AS ?n) WHERE {
  ?m ik:zustaendig ?oe ; ik:zielgruppe ?gruppe .
  FILTER(?m != <{p}>)
}
GROUP BY ?oe ?gruppe"""),
}
# a and f count over every measure but one (a different one per request), so each answer differs yet the cost
# stays that of the full aggregation.

# The examples name one resource each; these are rotated like the typical queries' parameters.
EXAMPLE_PARAMETERS = {"id/oe/51": "oes", "id/massnahme/40": "measures", "id/zielgruppe/gefluechtete": "groups"}


def _texts(prefixes: str, body: str, values: list[str] | None, count: int) -> tuple[str, ...]:
    texts = []
    for i in range(count):
        filled = body.replace("{p}", values[i % len(values)]) if values else body
        texts.append(f"{prefixes}\n{filled}\n# request {i}\n")
    return tuple(texts)


def build_queries(params: Parameters, base: str, count: int) -> list[Query]:
    """The six typical queries and every served example (and the form's default query), ``count`` texts each."""
    prefixes = prefix_block(base)
    queries = [Query(key, title, _texts(prefixes, body, getattr(params, values), count), unordered_limit=key == "e")
               for key, (title, values, body) in TYPICAL.items()]
    examples = [(e.slug, e.title, e.body) for e in EXAMPLES] + [("default", "default query of the form", DEFAULT_BODY)]
    for slug, title, body in examples:
        body = body.strip().replace("{base}", base)
        values = None
        for path, name in EXAMPLE_PARAMETERS.items():
            if base + path in body:
                body, values = body.replace(base + path, "{p}"), getattr(params, name)
        code = re.sub(r"(^|\s)#[^\n]*", " ", body)  # comments may mention keywords ("ORDER BY … vor LIMIT einfügen")
        graph = re.search(r"^\s*(CONSTRUCT|DESCRIBE)\b", code, re.M | re.I) is not None
        unordered = bool(re.search(r"\bLIMIT\s+\d+\s*$", code, re.I)) and not re.search(r"\bORDER\s+BY\b", code, re.I)
        queries.append(Query(slug, title, _texts(prefixes, body, values, count), graph=graph, varies=values is not None,
                             unordered_limit=unordered))
    return queries


def varies(key: str) -> bool:
    """Whether the query of this key has a parameter that rotates (a–f do, examples only if they name one)."""
    if key in TYPICAL:
        return True
    example = next((e for e in EXAMPLES if e.slug == key), None)
    return example is not None and any(path in example.body for path in EXAMPLE_PARAMETERS)


def without_limit(text: str) -> str:
    """The query without its final LIMIT: the full answer that a LIMIT-without-ORDER answer must be part of."""
    return re.sub(r"\bLIMIT\s+\d+\s*(\n# request \d+\n)?$", r"\1", text.rstrip() + "\n", flags=re.I)
