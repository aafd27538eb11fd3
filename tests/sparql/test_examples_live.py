"""Examples that read the build's counts (ik:anzahlMassnahmen) or a faster form answer exactly like the plain
formulations that count live – so the fast form is never a different question."""

from __future__ import annotations

import pytest

from kg.namespaces import DEFAULT_BASE
from kg.store import Store
from server.sparql.examples import EXAMPLES, prefix_block

# slug -> the same question, counted live over the measures (the form the example had before the counts). Where
# a LIMIT picks the rows, both break ties of the count by IRI, so they pick the same rows.
LIVE = {
    "massnahmen-je-handlungsfeld": """SELECT ?handlungsfeld ?name (COUNT(?massnahme) AS ?anzahl) WHERE {
  ?massnahme a ik:Massnahme ; ik:handlungsfeld ?handlungsfeld .
  ?handlungsfeld skos:prefLabel ?name . FILTER(lang(?name) = "de")
} GROUP BY ?handlungsfeld ?name""",
    "meistzitierte-drucksachen": """SELECT ?drucksache ?bezeichnung (COUNT(DISTINCT ?massnahme) AS ?massnahmen) WHERE {
  ?massnahme a ik:Massnahme ; dcterms:references ?drucksache .
  ?drucksache a ik:Drucksache ; rdfs:label ?bezeichnung .
} GROUP BY ?drucksache ?bezeichnung ORDER BY DESC(?massnahmen) ?drucksache LIMIT 20""",
    "gefluechtete-je-handlungsfeld": """SELECT ?handlungsfeld (COUNT(DISTINCT ?massnahme) AS ?anzahl) WHERE {
  ?gruppe skos:broader* <{base}id/zielgruppe/gefluechtete> .
  ?massnahme a ik:Massnahme ; ik:zielgruppe ?gruppe ; ik:handlungsfeld/skos:prefLabel ?handlungsfeld .
  FILTER(lang(?handlungsfeld) = "de")
} GROUP BY ?handlungsfeld""",
    "ziele-ohne-massnahmen": """SELECT ?ziel ?bezeichnung ?handlungsfeld WHERE {
  ?ziel a ik:Ziel ; skos:prefLabel ?bezeichnung ; ik:handlungsfeld/skos:prefLabel ?handlungsfeld .
  FILTER(lang(?handlungsfeld) = "de")
  FILTER NOT EXISTS { ?massnahme ik:verfolgtZiel ?ziel }
}""",
    "massnahmen-je-zielgruppe": """SELECT ?zielgruppe ?name (COUNT(?massnahme) AS ?anzahl) WHERE {
  ?zielgruppe a ik:Zielgruppe ; skos:prefLabel ?name . FILTER(lang(?name) = "de")
  OPTIONAL { ?massnahme ik:zielgruppe ?zielgruppe }
} GROUP BY ?zielgruppe ?name ORDER BY DESC(?anzahl) ?zielgruppe LIMIT 100""",
    "drucksachen-je-wahlperiode": """SELECT ?wahlperiode (COUNT(?drucksache) AS ?anzahl) WHERE {
  ?drucksache a ik:Drucksache .
  OPTIONAL { ?drucksache ik:wahlperiode ?wp }
  OPTIONAL { ?drucksache ik:jahr ?jahr }
  BIND(COALESCE(?wp, CONCAT("Nummer/Jahr ", STR(?jahr)), "unbekannt") AS ?wahlperiode)
} GROUP BY ?wahlperiode""",
    "massnahmen-mit-altersangaben": """SELECT ?nr ?titel ?von ?bis WHERE {
  ?massnahme a ik:Massnahme ; dcterms:identifier ?nr ; dcterms:title ?titel .
  OPTIONAL { ?massnahme ik:mindestalter ?von }
  OPTIONAL { ?massnahme ik:hoechstalter ?bis }
  FILTER(BOUND(?von) || BOUND(?bis))
}""",
}


@pytest.fixture(scope="module")
def store(built) -> Store:
    return Store.from_ntriples(built / "graph.nt")


def _rows(store: Store, query: str) -> list[tuple]:
    return [tuple(sorted(row.items())) for row in store.select(query)]


@pytest.mark.parametrize("slug", sorted(LIVE))
def test_example_answers_like_the_live_count(store, slug):
    example = next(e for e in EXAMPLES if e.slug == slug)
    fast = _rows(store, example.query(DEFAULT_BASE))
    live = _rows(store, prefix_block(DEFAULT_BASE) + LIVE[slug].replace("{base}", DEFAULT_BASE))
    assert fast, "the example answers"
    assert sorted(fast) == sorted(live)
