"""The URI registry as the server answers it (rules and reading: :mod:`kg.registry`): the configured file
(``KG_URI_REGISTRY``), read again when it changes (:func:`server.caches.per_file`) so an edit takes effect without
a restart, and the RDF and JSON answers for a retired URI."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS, XSD

from kg.build import ROOT
from kg.registry import Entry, Hit, RegistryError, load
from server.caches import per_file


def turtle(hit: Hit, base: str) -> str:
    """The RDF side of a retired URI: ``dct:isReplacedBy`` for moved, ``owl:deprecated`` for gone."""
    g = Graph()
    g.bind("dct", DCTERMS)
    g.bind("owl", OWL)
    subject = URIRef(base + hit.entry.uri_path.lstrip("/"))
    if hit.replaced_by:
        g.add((subject, DCTERMS.isReplacedBy, URIRef(base + hit.replaced_by.lstrip("/"))))
    else:
        g.add((subject, OWL.deprecated, Literal(True)))
    g.add((subject, DCTERMS.date, Literal(hit.entry.date, datatype=XSD.date)))
    g.add((subject, RDFS.comment, Literal(hit.entry.reason, lang="de")))
    return g.serialize(format="turtle")


def payload(hit: Hit, base: str) -> dict:
    entry = hit.entry
    data = {
        "status": entry.status, "http_status": 301 if entry.status == "moved" else 410,
        "uri": base + entry.uri_path.lstrip("/"), "path": hit.requested, "date": entry.date, "reason": entry.reason,
    }
    if hit.location:
        data["successor_path"] = hit.location
        data["successor_uri"] = base + hit.replaced_by.lstrip("/")
    return data


# ------------------------------------------------------------------ the registry the app serves

DEFAULT_REGISTRY = ROOT / "data" / "uri-registry.csv"


def entries() -> dict[str, Entry]:
    """The configured registry (``KG_URI_REGISTRY``), read again when the file changes."""
    try:
        return per_file(Path(current_app.config["KG_URI_REGISTRY"] or DEFAULT_REGISTRY), load)
    except RegistryError as exc:
        # A broken registry must not take the whole site down; tests keep the committed file valid.
        current_app.logger.error("URI-Register unlesbar, wird ignoriert: %s", exc)
        return {}


def is_registered(path: str) -> bool:
    """A retired URI still resolves (to its 301/410), so old citations keep leading somewhere."""
    return path in entries()
