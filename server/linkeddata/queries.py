"""SPARQL behind /id/, /doc/ and /def/: a resource's triples and incoming links, listings, the ontology's terms."""

from __future__ import annotations

from server.sparql_syntax import ALL_PREFIXES, iri, literal, prefix_block

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
IK = "/def/ik#"  # a vocabulary type, if the linking resource has one, names its group of incoming links


def exists(subject: str) -> str:
    return f"ASK {{ {iri(subject)} ?p ?o }}"


def is_current_version(base: str, version: str) -> str:
    """Is ``def/ik/{version}`` the owl:versionIRI of the ontology in this build?"""
    return f"ASK {{ {iri(base + 'def/ik')} {iri('http://www.w3.org/2002/07/owl#versionIRI')} {iri(base + 'def/ik/' + version)} }}"


def outgoing(subject: str, value_types: bool = True) -> str:
    """The resource's triples with labels (and types) of what they point to.

    The HTML page shows no types of the values (``value_types=False``). The labels of the predicates come from
    :func:`term_labels`, kept per build: an OPTIONAL on the predicate's label was 60 % of this query."""
    s, label = iri(subject), iri(RDFS_LABEL)
    if not value_types:
        return f"""
CONSTRUCT {{ {s} ?p ?o . ?o {label} ?ol }}
WHERE {{ {s} ?p ?o OPTIONAL {{ ?o {label} ?ol }} }}"""
    return f"""
CONSTRUCT {{ {s} ?p ?o . ?o {label} ?ol . ?o a ?ot }}
WHERE {{ {s} ?p ?o OPTIONAL {{ ?o {label} ?ol }} OPTIONAL {{ ?o a ?ot }} }}"""


def term_labels(terms: list[str]) -> str:
    """The labels of predicates and classes (the same on every page of a build, so kept once fetched)."""
    return f"CONSTRUCT {{ ?t {iri(RDFS_LABEL)} ?l }} WHERE {{ VALUES ?t {{ {' '.join(iri(t) for t in terms)} }} ?t {iri(RDFS_LABEL)} ?l }}"


def incoming(subject: str, members: str | None = None, window: slice | None = None, with_term_labels: bool = True) -> str:
    """The links that ``members`` binds to ?i ?ip (default: all), with label and types of each linking resource,
    and the labels of the predicates and types unless the caller has them (``with_term_labels=False``).

    A window is LIMIT/OFFSET without ORDER BY: Oxigraph has no top-k, so ORDER BY would sort all of a hub's links
    (2 s for 130 000) to return 50. Unordered, it answers in the same order on the same data, and a build's store
    is read-only, so consecutive windows neither overlap nor skip (tests/linkeddata/test_describe_bounded.py, both stores).
    """
    s, label = iri(subject), iri(RDFS_LABEL)
    members = members or f"?i ?ip {s}"
    limit = f" LIMIT {window.stop - window.start} OFFSET {window.start}" if window else ""
    if not with_term_labels:
        return f"""
CONSTRUCT {{ ?i ?ip {s} . ?i {label} ?il . ?i a ?it }}
WHERE {{
  {{ SELECT ?i ?ip WHERE {{ {members} }}{limit} }}
  OPTIONAL {{ ?i {label} ?il }} OPTIONAL {{ ?i a ?it }}
}}"""
    return f"""
CONSTRUCT {{ ?i ?ip {s} . ?i {label} ?il . ?i a ?it . ?ip {label} ?ipl . ?it {label} ?itl }}
WHERE {{
  {{ SELECT ?i ?ip WHERE {{ {members} }}{limit} }}
  OPTIONAL {{ ?i {label} ?il }} OPTIONAL {{ ?i a ?it OPTIONAL {{ ?it {label} ?itl }} }} OPTIONAL {{ ?ip {label} ?ipl }}
}}"""


def incoming_count(subject: str, at_most: int | None = None) -> str:
    """How many links point to ``subject`` (counted up to ``at_most``: a bounded check, whatever the hub's size)."""
    if at_most is None:
        return f"SELECT (COUNT(*) AS ?n) WHERE {{ ?i ?ip {iri(subject)} }}"
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT ?i ?ip WHERE {{ ?i ?ip {iri(subject)} }} LIMIT {int(at_most)} }} }}"


def outgoing_count(subject: str, at_most: int) -> str:
    """How many triples the resource has itself, counted up to ``at_most``."""
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT ?p ?o WHERE {{ {iri(subject)} ?p ?o }} LIMIT {int(at_most)} }} }}"


def _is_main_type(t: str) -> str:
    """Filter: `t` is the type describe() groups ?i under, its first type by (vocabulary type first, IRI)."""
    ik_u, ik_t = f"CONTAINS(STR(?u), {literal(IK)})", f"CONTAINS(STR({t}), {literal(IK)})"
    return f"FILTER NOT EXISTS {{ ?i a ?u FILTER(?u != {t} && IF({ik_u} = {ik_t}, STR(?u) < STR({t}), {ik_u})) }}"


def incoming_groups(subject: str) -> str:
    """Number of incoming links per (predicate, main type of the linking resource), as describe() groups them."""
    s = iri(subject)
    return f"""SELECT ?ip ?t (COUNT(*) AS ?n) WHERE {{
        ?i ?ip {s} FILTER(?i != {s}) OPTIONAL {{ ?i a ?t {_is_main_type("?t")} }} }} GROUP BY ?ip ?t"""


def group_members(subject: str, predicate: str, main_type: str) -> str:
    """The pattern selecting one group of incoming links, for :func:`incoming`."""
    s = iri(subject)
    typed = f"?i a {iri(main_type)} {_is_main_type(iri(main_type))}" if main_type else "FILTER NOT EXISTS { ?i a ?u }"
    return f"VALUES ?ip {{ {iri(predicate)} }} ?i ?ip {s} FILTER(?i != {s}) {typed}"


def labels(resources: list[str]) -> str:
    """The labels of the resources named (a window of a hub's group, looked up by IRI: it costs the same however many
    links the hub has)."""
    return (f"CONSTRUCT {{ ?i {iri(RDFS_LABEL)} ?l }} WHERE {{ VALUES ?i {{ {' '.join(iri(i) for i in resources)} }} "
            f"?i {iri(RDFS_LABEL)} ?l }}")


def ontology_graph(base: str) -> str:
    """The ontology document: every triple about an ik: term and about the ontology itself."""
    ns = f"{base}def/ik#"
    return (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o "
            f"FILTER(STRSTARTS(STR(?s), {literal(ns)}) || ?s = {iri(base + 'def/ik')}) }}")


def ontology_terms(base: str) -> str:
    return prefix_block(base, ALL_PREFIXES) + f"""
SELECT ?term ?kind ?de ?en ?cde ?cen ?domain ?range ?super WHERE {{
  ?term a ?kind . FILTER(STRSTARTS(STR(?term), {literal(base + "def/ik#")}))
  FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty))
  OPTIONAL {{ ?term rdfs:label ?de FILTER(lang(?de) = "de") }}
  OPTIONAL {{ ?term rdfs:label ?en FILTER(lang(?en) = "en") }}
  OPTIONAL {{ ?term rdfs:comment ?cde FILTER(lang(?cde) = "de") }}
  OPTIONAL {{ ?term rdfs:comment ?cen FILTER(lang(?cen) = "en") }}
  OPTIONAL {{ ?term rdfs:domain ?domain }} OPTIONAL {{ ?term rdfs:range ?range }}
  OPTIONAL {{ ?term rdfs:subClassOf|rdfs:subPropertyOf ?super }}
}} ORDER BY ?kind ?term"""
