"""People-facing overview pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from server.current import base, local_path, published

bp = Blueprint("pages", __name__)

_PREFIXES = """PREFIX ik: <{ik}> PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX org: <http://www.w3.org/ns/org#>
"""

PER_FIELD = """SELECT ?uri ?label (COUNT(DISTINCT ?m) AS ?n) (COUNT(DISTINCT ?z) AS ?ziele) WHERE {
  ?uri a ik:Handlungsfeld ; skos:prefLabel ?label ; skos:notation ?nr . FILTER(lang(?label) = "de")
  OPTIONAL { ?m a ik:Massnahme ; ik:handlungsfeld ?uri }
  OPTIONAL { ?z a ik:Ziel ; ik:handlungsfeld ?uri }
} GROUP BY ?uri ?label ?nr ORDER BY ?nr"""

PER_OE = """SELECT ?uri ?label (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?m a ik:Massnahme ; ik:zustaendig ?uri . ?uri rdfs:label ?label
} GROUP BY ?uri ?label ORDER BY DESC(?n) ?label"""

PER_GROUP = """SELECT ?uri ?label (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?m a ik:Massnahme ; ik:zielgruppe ?uri . ?uri skos:prefLabel ?label FILTER(lang(?label) = "de")
} GROUP BY ?uri ?label ORDER BY DESC(?n) ?label"""


def select(query: str) -> list[dict]:
    rows = published().store.select(_PREFIXES.format(ik=base() + "def/ik#") + query)
    for row in rows:
        if "uri" in row and local_path(row["uri"]):
            row["path"] = local_path(row["uri"])
        for k in ("n", "ziele"):
            if k in row:
                row[k] = int(row[k])
    return rows


@bp.get("/")
def home():
    return render_template(
        "home.html", manifest=published().manifest, per_field=select(PER_FIELD), per_oe=select(PER_OE),
        per_group=select(PER_GROUP),
    )
