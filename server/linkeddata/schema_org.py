"""The schema.org description in the head of a resource page (JSON-LD), for search engines and link previews."""

from __future__ import annotations

from server.linkeddata.describe import Description

REPORT_TITLE = "Vielfalt und Zusammenhalt – Bericht zum Integrationskonzept der Region Hannover"
DESCRIPTION = "http://purl.org/dc/terms/description"
SCHEMA_TYPES = {  # ik/ORG class (last part) -> schema.org type
    "Massnahme": "Project", "Drucksache": "DigitalDocument", "Ziel": "DefinedTerm", "Handlungsfeld": "DefinedTerm",
    "Zielgruppe": "DefinedTerm", "OrganizationalUnit": "GovernmentOrganization", "FormalOrganization": "GovernmentOrganization",
    "Bericht": "Report", "Kapitel": "Chapter", "Schwerpunkt": "CreativeWork", "GeplanterSchritt": "CreativeWork",
    "Person": "Person", "ConceptScheme": "DefinedTermSet",
}


def schema_type(types: list[str]) -> str:
    for t in types:
        name = t.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if name in SCHEMA_TYPES:
            return SCHEMA_TYPES[name]
    return "Thing"


def schema_org(r: Description, subject: str, key: str) -> dict:
    descriptions = r.outgoing.get(DESCRIPTION)
    return {
        "@context": "https://schema.org", "@type": schema_type(r.types), "@id": subject, "name": r.label or subject,
        "url": subject, "identifier": key, "description": descriptions[0].text if descriptions else None,
        "isPartOf": REPORT_TITLE,
    }
