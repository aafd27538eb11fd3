"""People-facing pages."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)

MEASURES = """
PREFIX ik: <{ik}> PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?uri ?nr ?titel ?feld WHERE {{
  ?uri a ik:Massnahme ; dcterms:identifier ?nr ; dcterms:title ?titel ; ik:handlungsfeld/skos:prefLabel ?feld .
  FILTER(lang(?feld) = "de")
}} ORDER BY xsd:integer(?nr)"""


@bp.get("/")
def home():
    published = current_app.extensions["kg"].current
    base = current_app.config["KG_BASE_URI"]
    rows = published.store.select("PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>" + MEASURES.format(ik=base + "def/ik#"))
    return render_template("home.html", measures=rows, manifest=published.manifest)
