"""Serialisations of the built graph: RDF formats and one CSV table per class."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
from rdflib import Graph

from kg.namespaces import PREFIXES
from kg.store import Store

RDF_FORMATS = {  # --format value -> (rdflib format, file name)
    "ttl": ("turtle", "graph.ttl"),
    "nt": ("nt", "graph.nt"),
    "jsonld": ("json-ld", "graph.jsonld"),
    "rdf": ("xml", "graph.rdf"),
}

_P = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())

# One table per class: what a spreadsheet user expects, multi-valued cells joined with " | ".
CSV_VIEWS = {
    "massnahmen": """
        SELECT ?uri ?nr ?titel ?handlungsfeld ?ziel
               (GROUP_CONCAT(DISTINCT ?oeLabel; separator=" | ") AS ?oe)
               (GROUP_CONCAT(DISTINCT ?zg; separator=" | ") AS ?zielgruppen)
               (GROUP_CONCAT(DISTINCT ?ds; separator=" | ") AS ?drucksachen) ?beschreibung
        WHERE {
          ?uri a ik:Massnahme ; dcterms:identifier ?nr ; dcterms:title ?titel ; dcterms:description ?beschreibung ;
               ik:handlungsfeld/skos:prefLabel ?handlungsfeld ; ik:verfolgtZiel/skos:prefLabel ?ziel .
          FILTER(lang(?handlungsfeld) = "de")
          OPTIONAL { ?uri ik:zustaendig/rdfs:label ?oeLabel }
          OPTIONAL { ?uri ik:zielgruppe/skos:prefLabel ?zg FILTER(lang(?zg) = "de") }
          OPTIONAL { ?uri ik:drucksachenangabe ?ds }
        } GROUP BY ?uri ?nr ?titel ?handlungsfeld ?ziel ?beschreibung ORDER BY xsd:integer(?nr)""",
    # Each count in its own subquery: two OPTIONALs side by side would multiply measures by goals per field.
    "handlungsfelder": """
        SELECT ?uri ?abschnitt ?label ?massnahmen ?ziele WHERE {
          ?uri a ik:Handlungsfeld ; skos:notation ?abschnitt ; skos:prefLabel ?label . FILTER(lang(?label) = "de")
          { SELECT ?uri (COUNT(DISTINCT ?m) AS ?massnahmen) WHERE {
              ?uri a ik:Handlungsfeld OPTIONAL { ?m ik:handlungsfeld ?uri ; a ik:Massnahme } } GROUP BY ?uri }
          { SELECT ?uri (COUNT(DISTINCT ?z) AS ?ziele) WHERE {
              ?uri a ik:Handlungsfeld OPTIONAL { ?z ik:handlungsfeld ?uri ; a ik:Ziel } } GROUP BY ?uri }
        } ORDER BY ?abschnitt""",
    "ziele": """
        SELECT ?uri ?label ?handlungsfeld (COUNT(?m) AS ?massnahmen) WHERE {
          ?uri a ik:Ziel ; skos:prefLabel ?label ; ik:handlungsfeld/skos:prefLabel ?handlungsfeld .
          FILTER(lang(?handlungsfeld) = "de")
          OPTIONAL { ?m ik:verfolgtZiel ?uri }
        } GROUP BY ?uri ?label ?handlungsfeld ORDER BY ?handlungsfeld ?label""",
    "oe": """
        SELECT ?uri ?nummer ?name ?label ?uebergeordnet (COUNT(DISTINCT ?m) AS ?massnahmen) WHERE {
          ?uri a org:OrganizationalUnit ; rdfs:label ?label .
          OPTIONAL { ?uri org:identifier ?nummer }
          OPTIONAL { ?uri skos:prefLabel ?name }
          OPTIONAL { ?uri org:subOrganizationOf/rdfs:label ?uebergeordnet }
          OPTIONAL { ?m ik:zustaendig ?uri }
        } GROUP BY ?uri ?nummer ?name ?label ?uebergeordnet ORDER BY ?nummer ?label""",
    "drucksachen": """
        SELECT ?uri ?schluessel ?nummer ?wahlperiode ?jahr ?art
               (GROUP_CONCAT(DISTINCT ?zitat; separator=" | ") AS ?zitiert_als) (COUNT(DISTINCT ?m) AS ?massnahmen) WHERE {
          ?uri a ik:Drucksache ; dcterms:identifier ?schluessel ; ik:drucksachennummer ?nummer ; ik:zitiertAls ?zitat .
          OPTIONAL { ?uri ik:wahlperiode ?wahlperiode }
          OPTIONAL { ?uri ik:jahr ?jahr }
          OPTIONAL { ?uri ik:drucksachenart/skos:prefLabel ?art FILTER(lang(?art) = "de") }
          OPTIONAL { ?m a ik:Massnahme ; dcterms:references ?uri }
        } GROUP BY ?uri ?schluessel ?nummer ?wahlperiode ?jahr ?art ORDER BY ?schluessel""",
    "zielgruppen": """
        SELECT ?uri ?label ?oberbegriff ?mindestalter ?hoechstalter (COUNT(DISTINCT ?m) AS ?massnahmen) WHERE {
          ?uri a ik:Zielgruppe ; skos:prefLabel ?label . FILTER(lang(?label) = "de")
          OPTIONAL { ?uri skos:broader/skos:prefLabel ?oberbegriff FILTER(lang(?oberbegriff) = "de") }
          OPTIONAL { ?uri ik:mindestalter ?mindestalter }
          OPTIONAL { ?uri ik:hoechstalter ?hoechstalter }
          OPTIONAL { ?m ik:zielgruppe ?uri }
        } GROUP BY ?uri ?label ?oberbegriff ?mindestalter ?hoechstalter ORDER BY ?label""",
    "schwerpunkte": """
        SELECT ?uri ?themenfeld ?ziel (COUNT(DISTINCT ?s) AS ?schritte)
               (GROUP_CONCAT(DISTINCT ?nr; separator=" | ") AS ?massnahmen) WHERE {
          ?uri a ik:Schwerpunkt ; dcterms:title ?themenfeld ; ik:schwerpunktZiel ?ziel ; ik:geplanterSchritt ?s .
          OPTIONAL { ?uri ik:betrifftMassnahme/dcterms:identifier ?nr }
        } GROUP BY ?uri ?themenfeld ?ziel ORDER BY ?themenfeld""",
}


def csv_table(store: Store, name: str) -> str:
    results = store.query(_P + CSV_VIEWS[name])
    columns = [v.value for v in results.variables]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in results:
        writer.writerow([row[c].value if row[c] is not None else "" for c in columns])
    return out.getvalue()


OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
              "rdf": ox.RdfFormat.RDF_XML}


def sorted_ntriples(graph: Graph) -> bytes:
    """The graph as N-Triples, lines sorted: canonical bytes for a graph without blank nodes, statements about
    one subject adjacent. Sorting the lines is several times cheaper than sorting term tuples at scale."""
    lines = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
    lines.sort()
    return b"".join(lines)


def parse_ntriples(nt: bytes) -> list[ox.Triple]:
    return list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))


def dump(triples: list[ox.Triple], fmt: str, prefixes: dict[str, str]) -> bytes:
    """Triples in one RDF format, written by Oxigraph (an order of magnitude faster than rdflib at scale)."""
    options = {"prefixes": prefixes} if fmt in ("ttl", "rdf") else {}
    return ox.serialize(triples, format=OX_FORMATS[fmt], **options)


def rdf(graph: Graph, fmt: str) -> bytes:
    """A (small) rdflib graph in one RDF format, e.g. the catalog."""
    rdflib_format, _ = RDF_FORMATS[fmt]
    if fmt == "jsonld":
        context = {p: str(ns) for p, ns in graph.namespaces() if p in PREFIXES or p == "id"}
        return graph.serialize(format="json-ld", context=context, indent=1, encoding="utf-8")
    return graph.serialize(format=rdflib_format, encoding="utf-8")
