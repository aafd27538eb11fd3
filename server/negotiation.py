"""Content negotiation shared by every blueprint: one table of formats, one chooser."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request
from werkzeug.datastructures import MIMEAccept


@dataclass(frozen=True)
class Format:
    key: str          # ?format= value and file suffix
    mimetype: str
    label: str


RDF_FORMATS = {
    "ttl": Format("ttl", "text/turtle", "Turtle"),
    "jsonld": Format("jsonld", "application/ld+json", "JSON-LD"),
    "nt": Format("nt", "application/n-triples", "N-Triples"),
    "rdf": Format("rdf", "application/rdf+xml", "RDF/XML"),
}
HTML = Format("html", "text/html", "HTML")
DOC_FORMATS = {"html": HTML, **RDF_FORMATS}
ALIASES = {"turtle": "ttl", "json-ld": "jsonld", "json": "jsonld", "ntriples": "nt", "xml": "rdf", "rdfxml": "rdf"}


class NotAcceptable(Exception):
    def __init__(self, offered: list[Format]) -> None:
        self.offered = offered
        super().__init__(", ".join(f.mimetype for f in offered))


class UnknownFormat(ValueError):
    pass


def choose(request: Request, offered: dict[str, Format] = DOC_FORMATS, default: str = "html") -> Format:
    """``?format=`` wins; else the best ``Accept`` match (quality values honoured); ``*/*`` gives ``default``.

    Raises :class:`UnknownFormat` for an unknown ``?format=`` and :class:`NotAcceptable` when nothing offered fits.
    """
    explicit = request.args.get("format")
    if explicit:
        key = ALIASES.get(explicit.lower(), explicit.lower())
        if key not in offered:
            raise UnknownFormat(f"unknown format {explicit!r}; offered: {', '.join(offered)}")
        return offered[key]
    accept: MIMEAccept = request.accept_mimetypes
    if not accept or not request.headers.get("Accept", "").strip():
        return offered[default]
    by_mime = {f.mimetype: f for f in offered.values()}
    # Browsers send text/html first; clients asking for RDF name it. Ties go to the default (HTML).
    ordered = [offered[default].mimetype] + [m for m in by_mime if m != offered[default].mimetype]
    best = accept.best_match(ordered)
    if best is None:
        raise NotAcceptable(list(offered.values()))
    return by_mime[best]
