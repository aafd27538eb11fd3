"""SPARQL the query service asks or offers itself: the query „In SPARQL öffnen“ puts on the query page, and the
ontology's terms for the editor's completion and the hint after an empty result."""

from __future__ import annotations

from server.sparql_syntax import iri

# Every term with rdfs:isDefinedBy and its kind, also when no data uses it yet.
DEFINED_TERMS = """SELECT ?term ?kind WHERE {
  ?term <http://www.w3.org/2000/01/rdf-schema#isDefinedBy> ?ontology ; a ?kind .
  VALUES ?kind { <http://www.w3.org/2002/07/owl#Class> <http://www.w3.org/2000/01/rdf-schema#Class>
                 <http://www.w3.org/2002/07/owl#ObjectProperty> <http://www.w3.org/2002/07/owl#DatatypeProperty>
                 <http://www.w3.org/2002/07/owl#AnnotationProperty> <http://www.w3.org/1999/02/22-rdf-syntax-ns#Property> }
}"""


def describing_query(uri: str) -> str:
    """Everything the graph says about ``uri``, and what points to it: shown to the reader, so written to be read
    and changed (no PREFIX block, a comment naming the resource)."""
    return (f"# {uri.rstrip('/').rsplit('/', 2)[-2]} {uri.rstrip('/').rsplit('/', 1)[-1]}\n"
            f"SELECT ?eigenschaft ?wert ?richtung WHERE {{\n"
            f"  {{ {iri(uri)} ?eigenschaft ?wert . BIND(\"→\" AS ?richtung) }}\n"
            f"  UNION\n"
            f"  {{ ?wert ?eigenschaft {iri(uri)} . BIND(\"←\" AS ?richtung) }}\n"
            f"}}\nORDER BY ?richtung ?eigenschaft\nLIMIT 1000\n")
