"""People-facing overview pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from server.current import base, local_path, published

bp = Blueprint("pages", __name__)

_PREFIXES = """PREFIX ik: <{ik}> PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX org: <http://www.w3.org/ns/org#>
"""

# Counts come from ik:anzahlMassnahmen (counted by the build): counting live joins every measure, which at
# 100,000 measures takes seconds (bench/scale.py). The charts show the largest entries only.
CHART_ROWS = 40

PER_FIELD = """SELECT ?uri ?label ?n ?ziele WHERE {
  ?uri a ik:Handlungsfeld ; skos:prefLabel ?label ; skos:notation ?nr ; ik:anzahlMassnahmen ?n . FILTER(lang(?label) = "de")
  { SELECT ?uri (COUNT(?z) AS ?ziele) WHERE { ?uri a ik:Handlungsfeld OPTIONAL { ?z ik:handlungsfeld ?uri ; a ik:Ziel } } GROUP BY ?uri }
} ORDER BY ?nr"""

PER_OE = f"""SELECT ?uri ?label ?n WHERE {{
  {{ SELECT ?uri ?n WHERE {{ ?uri ik:anzahlMassnahmen ?n ; a org:OrganizationalUnit FILTER(?n > 0) }} ORDER BY DESC(?n) LIMIT {CHART_ROWS * 5} }}
  ?uri rdfs:label ?label
}} ORDER BY DESC(?n) ?label LIMIT {CHART_ROWS}"""

PER_GROUP = f"""SELECT ?uri ?label ?n WHERE {{
  {{ SELECT ?uri ?n WHERE {{ ?uri ik:anzahlMassnahmen ?n ; a ik:Zielgruppe FILTER(?n > 0) }} ORDER BY DESC(?n) LIMIT {CHART_ROWS * 5} }}
  ?uri skos:prefLabel ?label FILTER(lang(?label) = "de")
}} ORDER BY DESC(?n) ?label LIMIT {CHART_ROWS}"""


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
        per_group=select(PER_GROUP), chart_rows=CHART_ROWS,
    )
