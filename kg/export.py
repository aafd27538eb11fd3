"""Serialisations of the built graph: RDF formats and one CSV table per class."""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import XSD

from kg import spreadsheet
from kg.namespaces import PREFIXES
from kg.store import Store

RDF_FORMATS = {  # --format value -> (rdflib format, file name)
    "ttl": ("turtle", "graph.ttl"),
    "nt": ("nt", "graph.nt"),
    "jsonld": ("json-ld", "graph.jsonld"),
    "rdf": ("xml", "graph.rdf"),
}

_P = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())

# The measures as one row each, keys next to labels: the dump build/csv/massnahmen.csv and the filtered
# /massnahmen.csv share these columns. Several values in one cell are joined with "|", keys and labels in the
# same order.
MEASURE_FACETS = (  # column, predicate from the measure
    ("handlungsfeld", "ik:handlungsfeld"), ("ziel", "ik:verfolgtZiel"), ("oe", "ik:zustaendig"),
    ("zielgruppe", "ik:zielgruppe"), ("drucksache", "dcterms:references"),
)
MEASURE_COLUMNS = ("nr", "titel", "uri", *(c for f, _ in MEASURE_FACETS for c in (f, f"{f}_label")), "beschreibung")
VALUE_SEP = "|"

# One table per other class: multi-valued cells joined with " | ".
CSV_VIEWS = {
    "massnahmen": None,  # built by measure_table()
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
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}


def _value(term) -> spreadsheet.Cell:
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value in _NUMERIC:
        try:
            return int(term.value)
        except ValueError:
            return term.value
    return term.value


def table(store: Store, name: str) -> tuple[tuple[str, ...], list[list[spreadsheet.Cell]]]:
    """Columns and rows of one table of the dumps."""
    if name == "massnahmen":
        return measure_table(store)
    results = store.query(_P + CSV_VIEWS[name])
    columns = tuple(v.value for v in results.variables)
    return columns, [[_value(row[c]) for c in columns] for row in results]


def measure_table(store: Store) -> tuple[tuple[str, ...], list[list[spreadsheet.Cell]]]:
    measures = {}
    for row in store.query(_P + """SELECT ?m ?nr ?titel ?beschreibung WHERE {
            ?m a ik:Massnahme ; dcterms:identifier ?nr ; dcterms:title ?titel ; dcterms:description ?beschreibung }"""):
        measures[row["m"].value] = {"nr": row["nr"].value, "titel": row["titel"].value, "beschreibung": row["beschreibung"].value}
    values: dict[str, dict[str, list[tuple[str, str]]]] = {m: {} for m in measures}
    for column, predicate in MEASURE_FACETS:
        query = f"""SELECT ?m ?v (SAMPLE(?l) AS ?label) WHERE {{ ?m a ik:Massnahme ; {predicate} ?v .
            OPTIONAL {{ ?v rdfs:label ?l FILTER(lang(?l) = "de") }} }} GROUP BY ?m ?v"""
        for row in store.query(_P + query):
            key = row["v"].value.rstrip("/").rsplit("/", 1)[-1]
            label = row["label"].value if row["label"] is not None else key
            values[row["m"].value].setdefault(column, []).append((key, label))
    rows = []
    for uri, m in sorted(measures.items(), key=lambda kv: int(kv[1]["nr"]) if kv[1]["nr"].isdigit() else 0):
        cells: list[spreadsheet.Cell] = [int(m["nr"]) if m["nr"].isdigit() else m["nr"], m["titel"], uri]
        for column, _ in MEASURE_FACETS:
            found = sorted(values[uri].get(column, []), key=lambda kl: _natural(kl[0]))
            cells += [VALUE_SEP.join(k for k, _ in found), VALUE_SEP.join(label for _, label in found)]
        rows.append(cells + [m["beschreibung"]])
    return MEASURE_COLUMNS, rows


def _natural(key: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", key) if p)


def csv_table(store: Store, name: str) -> str:
    """RFC 4180 CSV of one table, formula-like text neutralised (kg/spreadsheet.py)."""
    return spreadsheet.csv_text(*table(store, name))


def xlsx_table(store: Store, name: str) -> bytes:
    """The same table as an XLSX workbook of one sheet."""
    columns, rows = table(store, name)
    return spreadsheet.xlsx_bytes([(name, columns, rows)])


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
