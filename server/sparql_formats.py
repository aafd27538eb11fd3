"""Result formats of the SPARQL endpoint and how a request picks one (``format=`` or ``Accept``).

SELECT/ASK and CONSTRUCT/DESCRIBE have separate format families. Both are chosen before the query
runs; the worker then uses whichever family the result turns out to belong to.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request

from server.sparql_guard import shown

FORMATS_NS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class ResultFormat:
    key: str                      # ?format= value
    mimetype: str                 # what we answer with
    label: str
    w3c_format: str | None = None  # IRI in http://www.w3.org/ns/formats/ for the service description
    also_accepted: tuple[str, ...] = ()  # further media types a client may ask for


HTML = ResultFormat("html", "text/html", "HTML")
SOLUTION_FORMATS = {
    "json": ResultFormat("json", "application/sparql-results+json", "SPARQL JSON", FORMATS_NS + "SPARQL_Results_JSON",
                         ("application/json", "text/javascript", "application/javascript")),
    "xml": ResultFormat("xml", "application/sparql-results+xml", "SPARQL XML", FORMATS_NS + "SPARQL_Results_XML",
                        ("application/xml", "text/xml")),
    "csv": ResultFormat("csv", "text/csv", "CSV", FORMATS_NS + "SPARQL_Results_CSV"),
    "tsv": ResultFormat("tsv", "text/tab-separated-values", "TSV", FORMATS_NS + "SPARQL_Results_TSV"),
}
GRAPH_FORMATS = {
    "ttl": ResultFormat("ttl", "text/turtle", "Turtle", FORMATS_NS + "Turtle", ("application/x-turtle", "text/n3", "text/rdf+n3")),
    "nt": ResultFormat("nt", "application/n-triples", "N-Triples", FORMATS_NS + "N-Triples", ("text/plain",)),
    "jsonld": ResultFormat("jsonld", "application/ld+json", "JSON-LD", FORMATS_NS + "JSON-LD", ("application/json",)),
    "rdf": ResultFormat("rdf", "application/rdf+xml", "RDF/XML", FORMATS_NS + "RDF_XML", ("application/xml", "text/xml")),
}
# ``format=`` spellings used by clients (SPARQLWrapper sends json, xml, turtle, n3, rdf+xml, json-ld, csv, tsv).
# json and xml name the family's JSON/XML: SPARQL results for SELECT, JSON-LD and RDF/XML for CONSTRUCT.
SOLUTION_ALIASES = {"jsonld": "json", "json-ld": "json", "rdf": "xml", "rdfxml": "xml", "rdf+xml": "xml", "srj": "json", "srx": "xml"}
GRAPH_ALIASES = {"json": "jsonld", "json-ld": "jsonld", "xml": "rdf", "rdfxml": "rdf", "rdf+xml": "rdf", "turtle": "ttl",
                 "n3": "ttl", "ntriples": "nt", "n-triples": "nt"}
SOLUTION_FORMS = {"SELECT", "ASK"}


class FormatError(Exception):
    def __init__(self, status: int, german: str, english: str) -> None:
        self.status, self.german, self.english = status, german, english
        super().__init__(english)


def family(form: str | None) -> dict[str, ResultFormat]:
    return GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else SOLUTION_FORMATS


def requested_formats(request: Request) -> list[str]:
    """All ``format`` values of the request (query string and form body; clients repeat it)."""
    return [v for v in request.values.getlist("format") if v.strip()]


def choose(request: Request, offered: dict[str, ResultFormat], aliases: dict[str, str], default: str) -> ResultFormat:
    """``format=`` wins (the first value we know); else the best ``Accept`` match; no or ``*/*`` Accept gives ``default``."""
    html_too = {**offered, "html": HTML}
    explicit = requested_formats(request)
    if explicit:
        for value in explicit:
            found = _by_name(value.strip().lower(), html_too, aliases)
            if found:
                return found
        raise FormatError(
            400,
            f"Unbekanntes Ergebnisformat {shown(', '.join(explicit))}; angeboten: {offer_list(html_too)}",
            f"Unknown result format {shown(', '.join(explicit))}; offered: {offer_list(html_too)}")
    if not request.headers.get("Accept", "").strip():
        return html_too[default]
    candidates: list[tuple[str, ResultFormat]] = [(html_too[default].mimetype, html_too[default])]
    for fmt in html_too.values():
        candidates.append((fmt.mimetype, fmt))
    for fmt in html_too.values():
        candidates.extend((alias, fmt) for alias in fmt.also_accepted)
    by_mime = dict(reversed(candidates))  # first listed wins for a media type offered twice
    best = request.accept_mimetypes.best_match([mime for mime, _ in candidates])
    if best is None:
        raise FormatError(
            406,
            f"Kein passendes Ergebnisformat für Accept: {shown(request.headers['Accept'])}; angeboten: {offer_list(html_too)}",
            f"No acceptable result format for Accept: {shown(request.headers['Accept'])}; offered: {offer_list(html_too)}")
    return by_mime[best]


def _by_name(value: str, offered: dict[str, ResultFormat], aliases: dict[str, str]) -> ResultFormat | None:
    key = aliases.get(value, value)
    if key in offered:
        return offered[key]
    return next((f for f in offered.values() if value == f.mimetype or value in f.also_accepted), None)


def offer_list(offered: dict[str, ResultFormat]) -> str:
    return ", ".join(f"{f.key} ({f.mimetype})" for f in offered.values())
