"""Result formats of the SPARQL endpoint: SELECT/ASK and CONSTRUCT/DESCRIBE have separate families.

Both are chosen before the query runs (:mod:`server.web.negotiation`); the worker then uses whichever family the
result turns out to belong to. The formats themselves are :mod:`server.formats`.
"""

from __future__ import annotations

from server.formats import GRAPH_FORMATS, HTML, RDF_FORMATS, RDF_NAMES, SOLUTION_FORMATS, SOLUTION_NAMES, TEXT, Format
from server.web.negotiation import Offer, offer

SOLUTION_FORMS = {"SELECT", "ASK"}
GRAPH_FORMS = {"CONSTRUCT", "DESCRIBE"}

SOLUTIONS_OFFER = offer((*SOLUTION_FORMATS.values(), HTML), default="json", names=SOLUTION_NAMES)
GRAPHS_OFFER = offer((*GRAPH_FORMATS.values(), HTML), default="ttl", names=RDF_NAMES)
# A query page error is an HTML page for browsers, plain text for every other client (also without Accept).
ERROR_OFFER = offer((TEXT, HTML), strict=False)


def offer_for(form: str | None) -> Offer:
    return GRAPHS_OFFER if form in GRAPH_FORMS else SOLUTIONS_OFFER


def every_format() -> list[Format]:
    """What the query page offers to choose: HTML, then solutions, then graphs (TriG and N-Quads only by Accept)."""
    return [HTML, *SOLUTION_FORMATS.values(), *RDF_FORMATS.values()]
