"""SPARQL behind the pages for people: home charts, the measure table, the search index, overview sections, the
evidence and status sections of a measure."""

from __future__ import annotations

from server.sparql_syntax import ALL_PREFIXES, iri, prefix_block

ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DC = "http://purl.org/dc/terms/"

# Counts come from ik:anzahlMassnahmen (counted by the build): counting live joins every measure, which at
# 100,000 measures takes seconds (bench/scale.py).
PER_FIELD = """SELECT ?uri ?label ?n ?ziele WHERE {
  ?uri a ik:Handlungsfeld ; skos:prefLabel ?label ; skos:notation ?nr ; ik:anzahlMassnahmen ?n . FILTER(lang(?label) = "de")
  { SELECT ?uri (COUNT(?z) AS ?ziele) WHERE { ?uri a ik:Handlungsfeld OPTIONAL { ?z ik:handlungsfeld ?uri ; a ik:Ziel } } GROUP BY ?uri }
} ORDER BY ?nr"""


def prefixed(base: str, query: str) -> str:
    return prefix_block(base, ALL_PREFIXES) + query


def _having(cls: str) -> str:
    return f"?uri ik:anzahlMassnahmen ?n ; a {cls} FILTER(?n > 0)"


def largest(cls: str, label: str, limit: int) -> str:
    """The members of ``cls`` (a prefixed name) with the most measures, ties by IRI, with their ``label``."""
    return f"""SELECT ?uri ?label ?n WHERE {{
      {{ SELECT ?uri ?n WHERE {{ {_having(cls)} }} ORDER BY DESC(?n) ?uri LIMIT {int(limit)} }}
      ?uri {label} ?label {"" if label == "rdfs:label" else 'FILTER(lang(?label) = "de")'}
    }} ORDER BY DESC(?n) ?label"""


def counted(cls: str) -> str:
    """How many members of ``cls`` have any measure."""
    return f"SELECT (COUNT(*) AS ?all) WHERE {{ {_having(cls)} }}"


def measures(base: str, predicates: list[str]) -> str:
    """Every measure with number, title, description and its values of the facet ``predicates``."""
    return prefixed(base, f"""
SELECT ?m ?nr ?title ?description ?p ?o WHERE {{
  ?m a ik:Massnahme ; skos:notation ?nr ; dcterms:title ?title .
  OPTIONAL {{ ?m dcterms:description ?description }}
  OPTIONAL {{ ?m ?p ?o FILTER(?p IN ({", ".join(iri(p) for p in predicates)})) }}
}}""")


def notations(base: str) -> str:
    """Section numbers; a goal has none of its own and sorts under its field of action's."""
    return prefixed(base, """
SELECT ?v ?n WHERE {
  { ?v skos:notation ?n } UNION { ?v ik:handlungsfeld/skos:notation ?n FILTER NOT EXISTS { ?v skos:notation [] } }
}""")


def evidence(base: str) -> str:
    """What the evidence sections show, for every measure in one query (kept per build: one query per page cost more
    than all of them together): each ik:Beleg of a measure ?m – property, value (resource or literal), the report's
    words, the goal they are from – and, as rows with ?entry bound, where the measure stands: its appendix entry,
    the chapter it is derived from, the headings."""
    return prefixed(base, """
SELECT ?m ?b ?p ?v ?lit ?zitat ?ziel ?entry ?chapter ?heading ?feld WHERE {
  { ?m ik:beleg ?b . ?b ik:eigenschaft ?p ; prov:value ?zitat .
    OPTIONAL { ?b ik:wert ?v } OPTIONAL { ?b ik:wertLiteral ?lit } OPTIONAL { ?b ik:zitiertAusZiel ?ziel } }
  UNION
  { ?m foaf:isPrimaryTopicOf ?entry . ?entry prov:wasDerivedFrom ?chapter .
    OPTIONAL { ?entry ik:unterUeberschrift ?heading BIND(EXISTS { ?heading a ik:Handlungsfeld } AS ?feld) } }
}""")


def beleg(base: str, uri: str) -> str:
    """One ik:Beleg for its own page: the measure and the statement it backs, the report's words, where they stand."""
    return prefixed(base, f"""
SELECT ?m ?nr ?p ?v ?lit ?zitat ?chapter ?ziel WHERE {{
  VALUES ?b {{ {iri(uri)} }}
  ?b a ik:Beleg ; ik:eigenschaft ?p ; prov:value ?zitat . ?m ik:beleg ?b ; skos:notation ?nr .
  OPTIONAL {{ ?b ik:wert ?v }} OPTIONAL {{ ?b ik:wertLiteral ?lit }} OPTIONAL {{ ?b ik:zitiertAusZiel ?ziel }}
  OPTIONAL {{ ?b prov:wasQuotedFrom ?chapter }}
}} ORDER BY ?m ?v ?lit LIMIT 1""")


def status_statements(base: str) -> str:
    """Every status statement ?s of every measure ?m, and (rows without ?s) the measures whose status no source gives:
    for the status sections of all measures in one query (kept per build, server/pages/status.py)."""
    return prefixed(base, """
SELECT ?m ?s ?status ?seit ?wortlaut ?quelle ?fund ?note WHERE {
  { ?m ik:statusangabe ?s .
    ?s ik:status ?status ; ik:wortlaut ?wortlaut ; dcterms:source ?quelle .
    OPTIONAL { ?s ik:statusSeit ?seit }
    OPTIONAL { ?s ik:fundstelle ?fund }
    OPTIONAL { ?s skos:editorialNote ?note } }
  UNION
  { ?m ik:nichtAngegeben ik:status }
}""")


def literals_of_class(cls: str) -> str:
    """Every literal of every member of ``cls`` (a full IRI), for the search index; a unit's kind
    (org:classification) by its German name, as if it were a literal dcterms:type, so „Fachbereich“ finds units."""
    return (f"SELECT ?s ?p ?o WHERE {{ ?s a {iri(cls)} . {{ ?s ?p ?o FILTER(isLiteral(?o)) }} UNION "
            f"{{ ?s {iri(ORG + 'classification')}/{iri(SKOS + 'prefLabel')} ?o FILTER(lang(?o) = 'de') "
            f"BIND({iri(DC + 'type')} AS ?p) }} }}")


def descendants(uri: str, path: str) -> str:
    """What reaches ``uri`` over the property ``path`` (e.g. ``<…subOrganizationOf>+``), itself excluded."""
    return f"SELECT DISTINCT ?d WHERE {{ ?d {path} {iri(uri)} FILTER(?d != {iri(uri)}) }}"


def units_of_kind(base: str, uri: str) -> str:
    """The units classified as ``uri`` (a unit kind, org:classification), the units each is part of, and whether the
    report leaves that open (ik:nichtAngegeben org:subOrganizationOf)."""
    return prefixed(base, f"""
SELECT ?u ?sup ?open WHERE {{
  ?u org:classification {iri(uri)} .
  OPTIONAL {{ ?u org:subOrganizationOf ?sup }}
  BIND(EXISTS {{ ?u ik:nichtAngegeben org:subOrganizationOf }} AS ?open)
}}""")


def field_intro(base: str, uri: str) -> str:
    return prefixed(base, f"SELECT ?text WHERE {{ {iri(uri)} ik:einleitung ?text }}")


def field_examples(base: str, uri: str) -> str:
    return prefixed(base, f"SELECT ?nr WHERE {{ {iri(uri)} ik:beispiel ?m . ?m skos:notation ?nr }}")


def field_goals(base: str, uri: str) -> str:
    return prefixed(base, f"SELECT ?z WHERE {{ ?z a ik:Ziel ; ik:handlungsfeld {iri(uri)} }}")


def field_focus(base: str, uri: str) -> str:
    return prefixed(base, f"SELECT ?s WHERE {{ ?s a ik:Schwerpunkt ; ik:handlungsfeld {iri(uri)} }}")
