"""People-facing overview pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from server import overviews
from server.current import base, local_path, published
from server.overviews import ChartRows
from server.per_build import per_build

bp = Blueprint("pages", __name__)

_PREFIXES = """PREFIX ik: <{ik}> PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX org: <http://www.w3.org/ns/org#>
"""

# Counts come from ik:anzahlMassnahmen (counted by the build): counting live joins every measure, which at
# 100,000 measures takes seconds (bench/scale.py).
PER_FIELD = """SELECT ?uri ?label ?n ?ziele WHERE {
  ?uri a ik:Handlungsfeld ; skos:prefLabel ?label ; skos:notation ?nr ; ik:anzahlMassnahmen ?n . FILTER(lang(?label) = "de")
  { SELECT ?uri (COUNT(?z) AS ?ziele) WHERE { ?uri a ik:Handlungsfeld OPTIONAL { ?z ik:handlungsfeld ?uri ; a ik:Ziel } } GROUP BY ?uri }
} ORDER BY ?nr"""


def _largest(cls: str, label: str) -> ChartRows:
    """Chart rows of the members of ``cls`` with the most measures (ties by IRI, as in the overview charts)."""
    having = f"?uri ik:anzahlMassnahmen ?n ; a {cls} FILTER(?n > 0)"
    rows = select(f"""SELECT ?uri ?label ?n WHERE {{
      {{ SELECT ?uri ?n WHERE {{ {having} }} ORDER BY DESC(?n) ?uri LIMIT {overviews.CHART_ROWS} }}
      ?uri {label} ?label {"" if label == "rdfs:label" else 'FILTER(lang(?label) = "de")'}
    }} ORDER BY DESC(?n) ?label""")
    total = int(select(f"SELECT (COUNT(*) AS ?all) WHERE {{ {having} }}")[0]["all"])
    return ChartRows(rows, hidden=total - len(rows))


def select(query: str) -> list[dict]:
    rows = published().store.select(_PREFIXES.format(ik=base() + "def/ik#") + query)
    for row in rows:
        if "uri" in row and local_path(row["uri"]):
            row["path"] = local_path(row["uri"])
        for k in ("n", "ziele"):
            if k in row:
                row[k] = int(row[k])
    return rows


def _home_data(_published) -> dict:
    return {"per_field": select(PER_FIELD), "per_oe": _largest("org:OrganizationalUnit", "rdfs:label"),
            "per_group": _largest("ik:Zielgruppe", "skos:prefLabel")}


@bp.get("/")
def home():
    build = published()
    # The same for every request on one build; at 1000× it reads tens of thousands of counts.
    data = per_build(f"home|{base()}", build, _home_data)
    return render_template("home.html", manifest=build.manifest, **data)
