"""SPARQL behind what changed between the report's editions and releases."""

from __future__ import annotations

from server.sparql_syntax import ALL_PREFIXES, prefix_block


def measures_per_edition(base: str) -> str:
    """Each edition of the report (ik:Bericht) by its key, oldest first, with how many measures it lists."""
    return prefix_block(base, ALL_PREFIXES) + """SELECT ?key (COUNT(DISTINCT ?m) AS ?n) WHERE { ?b a ik:Bericht ; dcterms:identifier ?key .
  OPTIONAL { ?m a ik:Massnahme ; dcterms:source ?b } }
GROUP BY ?key ORDER BY ?key"""
