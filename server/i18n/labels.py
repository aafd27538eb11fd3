"""Display names in the interface language: labels of the graph's resources, and of the standard terms it uses.

:class:`Labels` holds every resource's labels in each language the graph has them in (once per build);
:data:`TERMS` names the standard vocabulary terms (ik: terms carry their own labels in the graph).
"""

from __future__ import annotations

import pyoxigraph as ox

from server.caches import per_build
from server.i18n.language import pick
from server.state import Published

SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


class Labels:
    """``uri -> {lang: label}``; rdfs:label wins over skos:prefLabel in the same language (for units it adds the number)."""

    def __init__(self, store) -> None:
        self._labels: dict[str, dict[str, str]] = {}
        for predicate in (SKOS_PREF, RDFS_LABEL):  # rdfs:label second, so it overwrites
            for triple in store.triples(None, ox.NamedNode(predicate), None):
                if isinstance(triple.object, ox.Literal) and isinstance(triple.subject, ox.NamedNode):
                    self._labels.setdefault(triple.subject.value, {})[triple.object.language or ""] = triple.object.value

    def all(self, uri: str) -> dict[str, str]:
        return self._labels.get(uri, {})

    def get(self, uri: str, lang: str | None = None) -> tuple[str, str]:
        """(label, its language) in the wanted language where the graph has it; the URI's last part otherwise."""
        text, text_lang = pick(self.all(uri), lang)
        return (text, text_lang) if text else (uri.rstrip("/").rsplit("/", 1)[-1], "")


def labels_for(published: Published) -> Labels:
    return per_build("labels", published, lambda p: Labels(p.store))


TERMS = {
    # predicates
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": ("Typ", "type"),
    "http://www.w3.org/2000/01/rdf-schema#label": ("Bezeichnung", "label"),
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": ("siehe auch", "see also"),
    "http://www.w3.org/2000/01/rdf-schema#comment": ("Erläuterung", "comment"),
    "http://purl.org/dc/terms/title": ("Titel", "title"),
    "http://purl.org/dc/terms/alternative": ("Kurztitel", "alternative title"),
    "http://purl.org/dc/terms/description": ("Beschreibung", "description"),
    "http://purl.org/dc/terms/identifier": ("Kennung", "identifier"),
    "http://purl.org/dc/terms/references": ("verweist auf", "references"),
    "http://purl.org/dc/terms/source": ("Quelle", "source"),
    "http://purl.org/dc/terms/publisher": ("Herausgeber", "publisher"),
    "http://purl.org/dc/terms/creator": ("Redaktion", "creator"),
    "http://purl.org/dc/terms/contributor": ("Mitwirkende", "contributor"),
    "http://purl.org/dc/terms/hasPart": ("enthält", "has part"),
    "http://purl.org/dc/terms/isPartOf": ("ist Teil von", "is part of"),
    "http://purl.org/dc/terms/language": ("Sprache", "language"),
    "http://purl.org/dc/terms/date": ("Datum", "date"),
    "http://purl.org/dc/terms/type": ("Art", "type"),
    "http://purl.org/dc/terms/spatial": ("Raumbezug", "spatial coverage"),
    "http://purl.org/dc/terms/isReplacedBy": ("ersetzt durch", "is replaced by"),
    "http://www.w3.org/2004/02/skos/core#prefLabel": ("Name", "preferred label"),
    "http://www.w3.org/2004/02/skos/core#altLabel": ("andere Schreibweise", "alternative label"),
    "http://www.w3.org/2004/02/skos/core#hiddenLabel": ("Schreibweise im Bericht", "hidden label"),
    "http://www.w3.org/2004/02/skos/core#notation": ("Nummer", "notation"),
    "http://www.w3.org/2004/02/skos/core#definition": ("Definition", "definition"),
    "http://www.w3.org/2004/02/skos/core#editorialNote": ("Anmerkung zur Erfassung", "editorial note"),
    "http://www.w3.org/2004/02/skos/core#inScheme": ("Begriffssystem", "in scheme"),
    "http://www.w3.org/2004/02/skos/core#topConceptOf": ("oberster Begriff in", "top concept of"),
    "http://www.w3.org/2004/02/skos/core#hasTopConcept": ("oberste Begriffe", "top concepts"),
    "http://www.w3.org/2004/02/skos/core#broader": ("Oberbegriff", "broader"),
    "http://www.w3.org/2004/02/skos/core#narrower": ("Unterbegriffe", "narrower"),
    "http://www.w3.org/ns/org#identifier": ("OE-Nummer", "unit number"),
    "http://www.w3.org/ns/org#unitOf": ("Einheit von", "unit of"),
    "http://www.w3.org/ns/org#subOrganizationOf": ("untergeordnet", "sub-organization of"),
    "http://www.w3.org/ns/org#headOf": ("leitet", "head of"),
    "http://www.w3.org/ns/org#classification": ("Art", "kind"),
    "http://www.w3.org/ns/org#member": ("Person", "member"),
    "http://www.w3.org/ns/org#organization": ("Einheit", "organization"),
    "http://www.w3.org/ns/org#role": ("Rolle", "role"),
    "http://www.w3.org/ns/org#memberDuring": ("Zeitraum", "member during"),
    "http://www.w3.org/ns/prov#wasDerivedFrom": ("abgeleitet aus", "derived from"),
    "http://www.w3.org/ns/prov#wasQuotedFrom": ("zitiert aus", "quoted from"),
    "http://www.w3.org/ns/prov#value": ("Wortlaut", "wording"),
    "http://xmlns.com/foaf/0.1/primaryTopic": ("beschreibt", "primary topic"),
    "http://xmlns.com/foaf/0.1/isPrimaryTopicOf": ("beschrieben in", "described in"),
    "http://xmlns.com/foaf/0.1/name": ("Name", "name"),
    "https://schema.org/startDate": ("Beginn", "start date"),
    "https://schema.org/endDate": ("Ende", "end date"),
    "https://schema.org/duration": ("Dauer", "duration"),
    "https://schema.org/position": ("Position", "position"),
    "https://schema.org/isPartOf": ("Abschnitt von", "part of"),
    "https://schema.org/jobTitle": ("Funktion", "job title"),
    "https://schema.org/temporalCoverage": ("Berichtszeitraum", "temporal coverage"),
    # classes
    "http://www.w3.org/ns/org#OrganizationalUnit": ("Organisationseinheit", "organisational unit"),
    "http://www.w3.org/ns/org#FormalOrganization": ("Körperschaft", "formal organization"),
    "http://www.w3.org/2004/02/skos/core#Concept": ("Begriff", "concept"),
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": ("Begriffssystem", "concept scheme"),
    "http://xmlns.com/foaf/0.1/Person": ("Person", "person"),
    "http://xmlns.com/foaf/0.1/Document": ("Dokument", "document"),
    "http://xmlns.com/foaf/0.1/Organization": ("Organisation", "organization"),
    "http://www.w3.org/ns/prov#Activity": ("Aktivität", "activity"),
    "http://www.w3.org/ns/prov#Entity": ("Entität", "entity"),
    "http://www.w3.org/ns/org#Membership": ("Leitung", "membership"),
    "http://www.w3.org/ns/dcat#Dataset": ("Datensatz", "dataset"),
    "http://rdfs.org/ns/void#Dataset": ("Datensatz", "dataset"),
    "https://schema.org/Report": ("Bericht", "report"),
    "https://schema.org/Person": ("Person", "person"),
    "https://schema.org/GovernmentOrganization": ("Behörde", "government organization"),
    # values from the EU vocabularies the graph points to (named here, not fetched)
    "http://publications.europa.eu/resource/authority/language/DEU": ("Deutsch", "German"),
}


def term_label(iri: str, known: dict[str, str] | None = None, lang: str = "de") -> str:
    """Label for a term: from the graph when it has one, else from the table, else the IRI's last part."""
    if known and iri in known:
        return known[iri]
    if iri in TERMS:
        return TERMS[iri][0 if lang == "de" else 1]
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
