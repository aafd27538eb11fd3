"""Dereferencing: /id/… names a thing and answers 303 to /doc/…, which serves it in the negotiated or suffixed
format from the one renderer table (:mod:`server.linkeddata.renderers`); /def/ holds the ontology and the concept
schemes, which are documents themselves. Retired URIs answer 410 or 301 before any of that.

The server maps its own host onto KG_BASE_URI, so the data URIs dereference on 127.0.0.1 as well.
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask, Response, abort, redirect, render_template, request

from kg import registry
from kg.namespaces import KEY_PATTERN, TYPES
from server import state, uri_registry
from server.described import by_kind
from server.formats import HTML, JSON, RDF_FORMATS, RDF_NAMES
from server.i18n.labels import labels_for
from server.linkeddata import describe as d
from server.linkeddata import queries, renderers
from server.web.caching import for_build
from server.web.contributions import Document, Renderer, Section
from server.web.cors import open_to_all
from server.web.negotiation import choose, negotiate, offer, vary_on_accept
from server.web.responses import json_response
from server.web.urls import local_path, url_with

bp = Blueprint("linkeddata", __name__, template_folder="templates")

DEFINITIONS = ("ik", *renderers.SCHEMES)
# Links per page of an /id/<kind>/ listing: the report's largest kind (Zielgruppen, Drucksachen) fits on one; at 1000×
# there are 129,000 measures, 14 MB of links on one page.
LISTING_PAGE = 500
RETIRED_OFFER = offer((HTML, JSON, RDF_FORMATS["ttl"]), names={"turtle": "ttl"}, strict=False)


def init_app(app: Flask, contributed: tuple[Renderer, ...] = (), sections: tuple[Section, ...] = ()) -> None:
    """Routes, the renderer table with the contributed representations and page sections, retired URIs."""
    renderers.init_app(app, contributed, sections)
    app.before_request(answer_retired_uris)
    app.register_blueprint(bp)


def _check_key(kind: str, key: str) -> None:
    if kind not in TYPES or not re.fullmatch(KEY_PATTERN, key) or len(key) > 120:
        abort(404)


def _document_offer():
    return offer(renderers.negotiable(), default="html", names=RDF_NAMES)


def _negotiated() -> str:
    """The key of the renderer this request negotiates (the choice per Accept header is kept by
    server.web.negotiation); ``?format=`` and refusals (400, 406) as negotiate answers them."""
    return negotiate(request, _document_offer()).key


# ------------------------------------------------------------------ /id/ and /doc/

@bp.get("/id/<kind>/<key>")
def thing(kind: str, key: str):
    """A thing, not a document: 303 to the document in the negotiated format."""
    _check_key(kind, key)
    fmt = renderers.table()[_negotiated()].format
    subject = f"{state.base()}id/{kind}/{key}"
    if not d.exists(state.published().store, subject):
        return renderers.not_found(fmt, Document(kind, key, subject, fmt, negotiated=True))
    return open_to_all(vary_on_accept(redirect(renderers.document_url(kind, key, fmt.key), 303)))


@bp.get("/doc/<kind>/<name>")
def document(kind: str, name: str):
    """``/doc/{kind}/{key}`` (negotiated) or ``/doc/{kind}/{key}.{suffix}`` (a suffix of the renderer table)."""
    key, _, ext = name.partition(".")
    _check_key(kind, key)
    return _answer(kind, key, f"{state.base()}id/{kind}/{key}", ext or None)


@bp.get("/def/<name>")
def definition(name: str):
    """The ontology (def/ik) and the concept schemes are documents themselves: 200 with negotiation."""
    key, _, ext = name.partition(".")
    if key not in DEFINITIONS:
        abort(404)
    return _answer("def", key, f"{state.base()}def/{key}", ext or None)


@bp.get("/def/ik/<version>")
def ontology_version(version: str):
    """The ontology's owl:versionIRI: 303 to /def/ik while it is the current version (older ones belong in the
    URI registry, which answers them with 410 or 301)."""
    if not re.fullmatch(r"[0-9][0-9.]{0,20}", version):
        abort(404)
    if not state.published().store.query(queries.is_current_version(state.base(), version)):
        abort(404)
    return open_to_all(redirect("/def/ik", 303))


def _answer(kind: str, key: str, subject: str, ext: str | None) -> Response:
    table = renderers.table()
    if ext is None:
        renderer = table[_negotiated()]
    elif ext in table and table[ext].serves(kind):
        renderer = table[ext]
    else:
        abort(404)
    page = max(1, request.args.get("seite", 1, type=int) or 1)
    return renderer.render(Document(kind, key, subject, renderer.format, negotiated=ext is None, page=page))


# ------------------------------------------------------------------ listings

@bp.get("/id/<kind>/")
def listing(kind: str):
    """All things of one type, for browsing, LISTING_PAGE at a time (the Drucksachen index has its own, richer page)."""
    if kind not in TYPES:
        abort(404)
    build, base = state.published(), state.base()
    subjects = by_kind(build, base).get(kind, [])
    pages = max(1, -(-len(subjects) // LISTING_PAGE))
    page = request.args.get("seite", 1, type=int) or 1
    if not 1 <= page <= pages:
        abort(404)
    labels = labels_for(build)
    items = []
    for subject in subjects[(page - 1) * LISTING_PAGE:page * LISTING_PAGE]:
        label, lang = labels.get(subject)
        items.append({"path": local_path(subject), "label": label, "lang": lang})
    body = render_template("linkeddata/listing.html", kind=kind, items=items, total=len(subjects), page=page, pages=pages,
                           url_with=url_with)
    return for_build(Response(body, mimetype="text/html"), f"{build.etag}-listing-{kind}-{page}",
                     build.modified, machine=False)


# ------------------------------------------------------------------ retired and moved URIs

def answer_retired_uris() -> Response | None:
    """410 Gone or 301 for a registered path under /id/ or /doc/, in HTML, JSON or Turtle."""
    if not request.path.startswith(("/id/", "/doc/")):
        return None
    hit = registry.lookup(uri_registry.entries(), request.path)
    if hit is None:
        return None
    status = 301 if hit.entry.status == "moved" else 410
    base = state.data_base()
    fmt = choose(request, RETIRED_OFFER)
    if fmt.key == "ttl":
        response = Response(uri_registry.turtle(hit, base), status=status, mimetype="text/turtle")
    elif fmt is JSON:
        response = json_response(uri_registry.payload(hit, base), status)
    else:
        response = Response(render_template("linkeddata/uri_status.html", info=uri_registry.payload(hit, base), status=status),
                            status=status, mimetype="text/html")
    if hit.location:
        query = request.query_string.decode("latin-1")
        response.headers["Location"] = hit.location + (f"?{query}" if query else "")
    return vary_on_accept(response)
