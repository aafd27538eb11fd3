"""Every media type the server answers in, one table each for documents, SPARQL solutions and RDF graphs.

Pure data (pyoxigraph only): the SPARQL worker processes import it too and must start fast. Choosing one of
them for a request is :mod:`server.web.negotiation`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    key: str                       # ?format= value and file suffix
    mimetype: str                  # what we answer with
    label: str                     # what people read on a link
    also: tuple[str, ...] = ()     # further media types clients ask for it by
    w3c: str | None = None         # its IRI in http://www.w3.org/ns/formats/ (service description, VoID)
    oxigraph: object = None        # pyoxigraph's RdfFormat or QueryResultsFormat
    rdflib: str | None = None      # rdflib's serializer name


HTML = Format("html", "text/html", "HTML")
JSON = Format("json", "application/json", "JSON")
TEXT = Format("text", "text/plain", "Text")

# The alias media types (``also``) are the names clients use: rdflib asks for N3 as text/n3 and for N-Triples as
# text/plain, SPARQLWrapper for Turtle as application/turtle and for JSON-LD as application/x-json+ld. N3 and
# Turtle requests get Turtle (valid N3), N-Triples requests N-Triples.
RDF_FORMATS = {
    "ttl": Format("ttl", "text/turtle", "Turtle", ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3",
                                                     "application/rdf+n3"), W3C_FORMATS + "Turtle", ox.RdfFormat.TURTLE, "turtle"),
    "jsonld": Format("jsonld", "application/ld+json", "JSON-LD", ("application/json", "application/x-json+ld"),
                     W3C_FORMATS + "JSON-LD", ox.RdfFormat.JSON_LD, "json-ld"),
    "nt": Format("nt", "application/n-triples", "N-Triples", ("text/plain",), W3C_FORMATS + "N-Triples",
                 ox.RdfFormat.N_TRIPLES, "nt"),
    "rdf": Format("rdf", "application/rdf+xml", "RDF/XML", ("application/xml", "text/xml"), W3C_FORMATS + "RDF_XML",
                  ox.RdfFormat.RDF_XML, "xml"),
}
SOLUTION_FORMATS = {
    "json": Format("json", "application/sparql-results+json", "SPARQL JSON",
                   ("application/json", "text/javascript", "application/javascript"), W3C_FORMATS + "SPARQL_Results_JSON",
                   ox.QueryResultsFormat.JSON),
    "xml": Format("xml", "application/sparql-results+xml", "SPARQL XML", ("application/xml", "text/xml"),
                  W3C_FORMATS + "SPARQL_Results_XML", ox.QueryResultsFormat.XML),
    "csv": Format("csv", "text/csv", "CSV", (), W3C_FORMATS + "SPARQL_Results_CSV", ox.QueryResultsFormat.CSV),
    "tsv": Format("tsv", "text/tab-separated-values", "TSV", (), W3C_FORMATS + "SPARQL_Results_TSV", ox.QueryResultsFormat.TSV),
}
# For clients that ask for a dataset (rdflib's format="trig", quad stores): our graph is the default graph of one,
# written as TriG and N-Quads (rdflib itself writes them as Turtle and N-Triples, which are valid TriG and N-Quads).
DATASET_FORMATS = {
    "trig": Format("trig", "application/trig", "TriG", ("application/x-trig",), W3C_FORMATS + "TriG", ox.RdfFormat.TRIG, "turtle"),
    "nq": Format("nq", "application/n-quads", "N-Quads", ("text/x-nquads",), W3C_FORMATS + "N-Quads",
                 ox.RdfFormat.N_QUADS, "nt"),
}
GRAPH_FORMATS = {**RDF_FORMATS, **DATASET_FORMATS}  # every way to write a graph: documents, CONSTRUCT results, VoID
DOCUMENT_FORMATS = {"html": HTML, **RDF_FORMATS}  # what pages link to; negotiation offers the dataset formats too

# ``?format=`` spellings clients use (SPARQLWrapper sends json, xml, turtle, n3, rdf+xml, json-ld, csv, tsv).
RDF_NAMES = {"turtle": "ttl", "n3": "ttl", "json-ld": "jsonld", "json": "jsonld", "ntriples": "nt", "n-triples": "nt",
             "xml": "rdf", "rdfxml": "rdf", "rdf+xml": "rdf", "nquads": "nq", "n-quads": "nq"}
# For SELECT/ASK, json and xml name the SPARQL results formats, and the RDF spellings map onto them.
SOLUTION_NAMES = {"jsonld": "json", "json-ld": "json", "rdf": "xml", "rdfxml": "xml", "rdf+xml": "xml", "srj": "json", "srx": "xml"}
