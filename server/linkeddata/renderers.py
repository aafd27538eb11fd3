"""The one table of representations of a /doc/ (and /def/) document: HTML and the RDF formats for every kind,
plus what other packages contribute (BibTeX and CSL-JSON of a measure, OParl of a Drucksache).

Every renderer gets the same :class:`~server.web.contributions.Document` and answers the whole response, so a
document in any format answers 404 in that format, carries its caching headers and links its alternates.
"""

from __future__ import annotations

import hashlib
import json

from flask import Flask, Response, current_app, render_template, request
from rdflib import Graph

from server import state
from server.caches import memoized, per_build, rendered_page
from server.formats import DOCUMENT_FORMATS, GRAPH_FORMATS, HTML, Format
from server.i18n.labels import TERMS, term_label
from server.i18n.language import current_lang, page_params, pick, today
from server.linkeddata import describe as d
from server.linkeddata import queries
from server.linkeddata.markup import PageMarkup
from server.linkeddata.schema_org import schema_org
from server.linkeddata.summary import summary
from server.sparql_syntax import prefixes
from server.web.caching import for_build
from server.web.contributions import Document, Renderer, Section
from server.web.cors import open_to_all
from server.web.negotiation import JSONLD_PROFILES, jsonld_profile, vary_on_accept
from server.web.urls import group_anchor, local_path

RENDERERS = "linkeddata_renderers"
SECTIONS = "linkeddata_sections"
PAGE_SIZE = 50
LISTS_MEASURES = {"field", "unit", "group", "drucksache", "beleg"}  # sections that list the measures linking here
PAGE_ARGS = {"lang", "seite"}  # the only parameters a resource page depends on (its rendered HTML is kept)
SCHEMES = ("handlungsfelder", "ziele", "zielgruppen", "oe-arten", "status")


def init_app(app: Flask, contributed: tuple[Renderer, ...] = (), sections: tuple[Section, ...] = ()) -> None:
    table = {key: Renderer(fmt, _render_html if fmt is HTML else _render_rdf, negotiable=True, linked=key in DOCUMENT_FORMATS)
             for key, fmt in {"html": HTML, **GRAPH_FORMATS}.items()}
    for renderer in contributed:
        if renderer.format.key in table:
            raise ValueError(f"two renderers for .{renderer.format.key}")
        table[renderer.format.key] = renderer
    app.extensions[RENDERERS] = table
    app.extensions[SECTIONS] = sections


def table() -> dict[str, Renderer]:
    return current_app.extensions[RENDERERS]


def negotiable() -> dict[str, Format]:
    """The formats chosen by Accept, HTML first."""
    return {key: r.format for key, r in table().items() if r.negotiable}


def linked() -> dict[str, Format]:
    """The formats named as alternates (Link header, the page's format links): HTML and the four RDF syntaxes."""
    return {key: r.format for key, r in table().items() if r.linked}


def document_url(kind: str, key: str, ext: str) -> str:
    """The document in one format: the ontology and the schemes are documents under /def/ themselves."""
    return f"/def/{key}.{ext}" if kind == "def" else f"/doc/{kind}/{key}.{ext}"


def thing_iri(kind: str, key: str) -> str:
    return f"{state.base()}{'def/' + key if kind == 'def' else f'id/{kind}/{key}'}"


# ------------------------------------------------------------------ HTML

def _keep(published: state.Published) -> d.Keep:
    """What describe computes once per build (a hub's counts), kept with the build."""
    return lambda name, compute, resource=False: per_build(name, published, lambda _: compute(), resource)


def _render_html(doc: Document) -> Response:
    published = state.published()
    if doc.kind == "def" and doc.key == "ik":
        # The same for the whole build; finding the ontology's terms reads every typed resource (70 ms at 100×).
        terms = per_build(f"ontology-terms|{state.base()}", published, lambda p: _ontology_terms(p.store))
        body = render_template("linkeddata/ontology.html", terms=terms, base=state.base())
        return cacheable(Response(body, mimetype="text/html"), HTML, doc, _page_variant())
    page_params(*PAGE_ARGS)
    if set(request.args) <= PAGE_ARGS:
        # kept per day too: the citation names the day as its access date
        body = rendered_page(lambda: _resource_page(doc), doc.page, PAGE_SIZE, d.HUB, today().isoformat())
    else:  # rendered afresh, not kept: odd parameters must not fill the kept pages
        body = _resource_page(doc)
    if body is None:
        return not_found(HTML, doc)
    return cacheable(Response(body, mimetype="text/html"), HTML, doc, _page_variant())


def _page_variant() -> tuple[str, ...]:
    """What a page's bytes depend on besides build and resource: the language (a cookie may choose it at the same
    URL) and the day its citation names as the access date."""
    return current_lang(), today().isoformat()


def _resource_page(doc: Document) -> str | None:
    published = state.published()
    page, page_size = (1, 1000) if doc.kind == "def" else (doc.page, PAGE_SIZE)
    r = d.description(published.store, doc.subject, page, page_size, keep=_keep(published))
    if r is None:
        return None
    kind = "scheme" if doc.kind == "def" else doc.kind
    shown = [(s, data) for s in current_app.extensions[SECTIONS] if kind in s.kinds
             for data in (s.compute(doc.subject),) if data]
    lang = current_lang()
    ik = f"{state.data_base()}def/ik#"
    base = state.base()  # once: a page links 20–30 values

    def path_of(iri: str) -> str | None:
        return local_path(iri, base)

    terms: dict[str, dict] = {}  # a page names most of its terms twice (data section, incoming links)

    def term(p: str) -> dict:
        found = terms.get(p)
        if found is None:
            found = terms[p] = _term(p, r, ik, lang)
        return found

    memo = per_build(f"page-markup|{state.base()}|{base}|{lang}", published, lambda _: {})
    markup = PageMarkup(lang, term, lambda v: _value_label(v, r, ik, lang), path_of, memo)
    return render_template(
        "linkeddata/resource.html", r=r, kind=doc.kind, key=doc.key, page=page, page_size=page_size,
        alternates=[(f, document_url(doc.kind, doc.key, f.key)) for f in linked().values() if f is not HTML],
        schema_org=schema_org(r, doc.subject, doc.key), resource_uri=doc.subject, resource_type=kind,
        summary=summary(r, kind, ik, path_of, lang), title=r.label_in(lang),
        sections=[(s.template, data) for s, data in shown if s.place == "main"],
        end_sections=[(s.template, data) for s, data in shown if s.place == "end"],
        own_citation=any(s.name == "citation" for s, _ in shown), ik=ik,
        lists_measures=any(s.name in LISTS_MEASURES for s, _ in shown),
        term=term, show=markup.show, term_name=markup.term_name, item=markup.item,
        property_rows=markup.property_rows, group_anchor=group_anchor,
    )


def _term(p: str, r: d.Description, ik: str, lang: str) -> dict:
    """A predicate or class as the data section names it: label in the page's language, our own documentation
    (``/def/ik#term``) for our terms, the compact name (``dcterms:title``) for standard ones – never a link off-site."""
    labels = r.term_labels.get(p, {})
    text, text_lang = pick(labels, lang) if labels else (term_label(p, None, lang), lang)
    if p.startswith(ik):
        return {"text": text, "lang": text_lang, "href": "/def/ik#" + p[len(ik):], "name": "ik:" + p[len(ik):]}
    return {"text": text, "lang": text_lang, "href": None, "name": compact(p)}


def compact(iri: str) -> str:
    """``dcterms:title`` for a standard term, the IRI itself if no prefix covers it."""
    return _compact(iri, state.base())


@memoized(1024)  # the terms of a build are few; a page names 20–30 of them
def _compact(iri: str, base: str) -> str:
    for name, ns in prefixes(base).items():
        if iri.startswith(ns) and name != "id" and len(iri) > len(ns):
            return f"{name}:{iri[len(ns):]}"
    return iri


def _value_label(v: d.Value, r: d.Description, ik: str, lang: str) -> tuple[str, str]:
    """(text, language) of a linked value; a property named by ik:nichtAngegeben shows as the property's label."""
    if v.labels:
        return v.label_in(lang)
    if v.term.value in r.term_labels or v.term.value in TERMS:
        term = _term(v.term.value, r, ik, lang)
        return term["text"], term["lang"]
    return v.term.value, ""


def _ontology_terms(store) -> list[dict]:
    ns = f"{state.base()}def/ik#"
    terms: dict[str, dict] = {}
    for row in store.select(queries.ontology_terms(state.base())):
        t = terms.setdefault(row["term"], {**row, "name": row["term"][len(ns):], "super": []})
        if row.get("super") and row["super"] not in t["super"]:
            t["super"].append(row["super"])
    return list(terms.values())


# ------------------------------------------------------------------ RDF

def _render_rdf(doc: Document) -> Response:
    fmt = doc.format
    published = state.published()
    profile = jsonld_profile(request) if fmt.key == "jsonld" else None
    variant = (profile,) if profile else ()
    if _holds_current(fmt, doc, variant):
        # A published build never changes: a client naming this document's tag holds it, so it gets its 304
        # before any lookup (a cache in front revalidating, a harvester polling).
        return cacheable(rdf_response([], fmt, profile=profile), fmt, doc, variant)
    if doc.kind == "def" and doc.key == "ik":
        # Its triples are picked by IRI from every triple of the graph (270 ms at 100×): once per build.
        triples = per_build(f"ontology-graph|{state.base()}", published,
                            lambda p: list(p.store.query(queries.ontology_graph(state.base()))))
        return cacheable(rdf_response(triples, fmt, profile=profile), fmt, doc, variant)
    found = d.document(published.store, doc.subject, doc.page, keep=_keep(published))
    if found is None:
        return not_found(fmt, doc)
    if found.pages == 1:
        return cacheable(rdf_response(found.triples, fmt, profile=profile), fmt, doc, variant)
    # A hub's document holds one page of its incoming links and says so (hydra, Link: prev/next).
    path = document_url(doc.kind, doc.key, fmt.key).lstrip("/")
    paging = d.paging(state.base() + path, doc.page, found.pages, found.incoming)
    response = rdf_response(found.triples + paging, fmt, {"hydra": d.HYDRA}, profile)
    response.headers["Link"] = ", ".join(f'</{path}?seite={n}>; rel="{rel}"' for n, rel in
                                         ((doc.page - 1, "prev"), (doc.page + 1, "next")) if 1 <= n <= found.pages)
    return cacheable(response, fmt, doc, variant)


def rdf_response(triples: list, fmt: Format, more_prefixes: dict[str, str] | None = None,
                 profile: str | None = None) -> Response:
    """The triples in ``fmt``; JSON-LD in the ``profile`` form asked for (JSON-LD 1.1 §9).

    Oxigraph writes JSON-LD expanded, one node object per subject and nothing embedded, which is the flattened
    form as well; the compacted form is written by rdflib with our prefixes as context.
    """
    names = {name: ns for name, ns in prefixes(state.base()).items() if name != "id"} | (more_prefixes or {})
    if profile == "compacted":
        graph = Graph().parse(data=d.serialize(triples, "nt", {}), format="nt")
        body = graph.serialize(format="json-ld", context=names, auto_compact=True, encoding="utf-8")
    else:
        body = d.serialize(triples, fmt.key, names)
    response = Response(body, mimetype=fmt.mimetype)
    if profile:
        uri = next(u for u, form in JSONLD_PROFILES.items() if form == profile)
        response.headers["Content-Type"] = f'{fmt.mimetype}; profile="{uri}"'
    if fmt.key == "jsonld":
        vary_on_accept(response)  # the profile asked for in Accept chooses the form, even at the .jsonld URL
    return open_to_all(response)


# ------------------------------------------------------------------ shared by the built-in renderers

def etag(fmt: Format, doc: Document, variant: tuple[str, ...] = ()) -> str:
    """The document's tag: the build, the format, the resource and ``variant`` (whatever else its bytes depend on:
    a page's language and day, the JSON-LD form asked for in Accept)."""
    parts = (state.published().etag, fmt.key, f"{doc.kind}/{doc.key}", *variant)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _holds_current(fmt: Format, doc: Document, variant: tuple[str, ...]) -> bool:
    """Does the request's If-None-Match name this document's tag? (``*`` asks whether the document exists: that
    needs the lookup.) A tag is made for a document the build holds, so a match also says that it exists."""
    asked = request.if_none_match
    return bool(asked) and not asked.star_tag and asked.contains_weak(etag(fmt, doc, variant))


def cacheable(response: Response, fmt: Format, doc: Document, variant: tuple[str, ...] = ()) -> Response:
    """Alternates in Link, Vary when negotiated, and the build's caching headers (304 for conditional GET)."""
    published = state.published()
    if doc.negotiated:
        vary_on_accept(response)
        response.headers["Content-Location"] = document_url(doc.kind, doc.key, fmt.key)
    links = [link for link in (response.headers.get("Link"),) if link]  # a hub's RDF page links its neighbours
    links += [f'<{document_url(doc.kind, doc.key, f.key)}>; rel="alternate"; type="{f.mimetype}"'
              for f in linked().values() if f is not fmt]
    links.append(f'<{thing_iri(doc.kind, doc.key)}>; rel="describes"')
    response.headers["Link"] = ", ".join(links)
    return for_build(response, etag(fmt, doc, variant), published.modified, machine=fmt is not HTML, max_age=300)


def not_found(fmt: Format, doc: Document) -> Response:
    """404 in the format the client asked for."""
    message = f"Unbekannte Ressource / unknown resource: {doc.subject}"
    if fmt is HTML:
        response = Response(render_template("not_found.html", message=message, subject=doc.subject), 404, mimetype="text/html")
        return vary_on_accept(response) if doc.negotiated else response
    bodies = {
        "ttl": f"# {message}\n", "nt": f"# {message}\n", "trig": f"# {message}\n", "nq": f"# {message}\n",
        "jsonld": json.dumps({"@graph": [], "error": message}, ensure_ascii=False),
        "rdf": f'<?xml version="1.0"?>\n<!-- {message.replace("--", "- -")} -->\n'
               '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
    }
    response = Response(bodies[fmt.key], 404, mimetype=fmt.mimetype)
    return vary_on_accept(response) if doc.negotiated else response
