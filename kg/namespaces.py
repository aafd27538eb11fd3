"""All prefixes and URI construction in one place.

The data is built against ``DEFAULT_BASE``; ``kg.build`` rebases every IRI onto the configured
``KG_BASE_URI`` so that ontology, shapes and data always share one base.
"""

from __future__ import annotations

import os
import re

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

DEFAULT_BASE = "https://integration.region-hannover.example/"

SCHEMA = Namespace("https://schema.org/")
VOID = Namespace("http://rdfs.org/ns/void#")
SH = Namespace("http://www.w3.org/ns/shacl#")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
# DCAT 3 terms: rdflib's closed DCAT namespace predates them
DCAT_VERSION, DCAT_HAS_VERSION, DCAT_PREVIOUS = (URIRef(str(DCAT) + n) for n in ("version", "hasVersion", "previousVersion"))

# Built on the default base; rebased at build time (see module docstring).
IK = Namespace(DEFAULT_BASE + "def/ik#")
ID = Namespace(DEFAULT_BASE + "id/")
DEF = Namespace(DEFAULT_BASE + "def/")

# Resource types that have URIs under id/{type}/{key}; one name for one thing across data, code and URLs.
TYPES = (
    "massnahme", "handlungsfeld", "ziel", "oe", "organisation", "person", "drucksache",
    "zielgruppe", "bericht", "kapitel", "schwerpunkt", "schritt",
    "eintrag",         # the appendix entry a measure is read from (provenance)
    "beleg",           # the report's words that state a soft fact (evidence)
    "mitgliedschaft",  # who heads a unit, as the report shows it (org:Membership)
    "oe-art",          # kind of organisational unit (org:classification)
    "status",          # where a measure stands (concept of def/status)
    "statusangabe",    # one statement of a measure's status: date, the source's words, the source
)
KEY_PATTERN = r"[A-Za-z0-9][A-Za-z0-9-]*"
ID_PATTERN = re.compile(r"^id/(" + "|".join(TYPES) + r")/(" + KEY_PATTERN + r")$")

PREFIXES = {
    "ik": IK, "skos": SKOS, "org": ORG, "dcterms": DCTERMS, "prov": PROV, "dcat": DCAT, "schema": SCHEMA,
    "foaf": FOAF, "owl": OWL, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "void": VOID, "sh": SH,
}


def base_uri() -> str:
    """The configured base, always with a trailing slash."""
    base = os.environ.get("KG_BASE_URI", DEFAULT_BASE)
    return base if base.endswith("/") else base + "/"


def uri(kind: str, key: str | int) -> URIRef:
    """URI of a thing on the default base: ``id/{kind}/{key}``."""
    if kind not in TYPES:
        raise ValueError(f"unknown resource type {kind!r}")
    key = str(key)
    if not re.fullmatch(KEY_PATTERN, key):
        raise ValueError(f"invalid key {key!r} for {kind}")
    return ID[f"{kind}/{key}"]


def chapter_uri(report: str, part: str) -> URIRef:
    """URI of a part of a report by its number ("6.1") or title key ("impressum"): ``id/kapitel/{report}-6-1``."""
    return uri("kapitel", f"{report}-{str(part).replace('.', '-')}")


def scheme(name: str) -> URIRef:
    """URI of a concept scheme: ``def/{name}``."""
    return DEF[name]


def bind_prefixes(graph: Graph, base: str = DEFAULT_BASE) -> Graph:
    for prefix, ns in PREFIXES.items():
        value = str(ns)
        if value.startswith(DEFAULT_BASE):
            value = base + value[len(DEFAULT_BASE):]
        graph.bind(prefix, value, override=True, replace=True)
    graph.bind("id", base + "id/", override=True, replace=True)
    return graph
