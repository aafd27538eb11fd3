"""„In SPARQL öffnen“: what this package adds to every resource page of server.linkeddata (handed over by the app
factory) – a link to the query page with a query that describes the resource, ready to change and run.

A section of its own, so the page layout (server.linkeddata, server.pages) can place or move it freely.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for
from pyoxigraph import NamedNode

from kg.namespaces import TYPES
from server.caches import memoized
from server.sparql import queries
from server.state import published
from server.web.contributions import Section


@memoized(4096)  # the same for a resource in every build: made once, not on every first render of its page
def _parameters(uri: str) -> str:
    return urlencode({"query": queries.describing_query(uri), "format": "html"})


def open_in_sparql(uri: str) -> dict | None:
    """The link for a resource the graph knows; None (no section) for any other IRI."""
    try:
        parameters = _parameters(uri)
    except ValueError:  # not an IRI that can be put into a query
        return None
    # Anything said about it? An index lookup: cheaper than planning an ASK on every first render of a page.
    if next(iter(published().store.triples(NamedNode(uri))), None) is None:
        return None
    return {"href": url_for("sparql.endpoint") + "?" + parameters}


SECTIONS = (Section("sparql", frozenset(TYPES), "sparql/section_open.html", open_in_sparql),)
