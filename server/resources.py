"""Dereferencing: /id/… names a thing and answers 303 to /doc/…, which serves HTML or RDF by negotiation.

The server maps its own host onto KG_BASE_URI, so the data URIs dereference on 127.0.0.1 as well.
"""

from __future__ import annotations

import hashlib
import json
import re

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from kg.namespaces import KEY_PATTERN, PREFIXES, TYPES
from server import current
from server import describe as d
from server.caching import for_build
from server.labels import term_label
from server.negotiation import DOC_FORMATS, HTML, RDF_FORMATS, Format, NotAcceptable, UnknownFormat, choose

bp = Blueprint("resources", __name__)

PAGE_SIZE = 50
SCHEMA_TYPES = {  # ik/ORG class (last part) -> schema.org type for the JSON-LD in the page head
    "Massnahme": "Project", "Drucksache": "DigitalDocument", "Ziel": "DefinedTerm", "Handlungsfeld": "DefinedTerm",
    "Zielgruppe": "DefinedTerm", "OrganizationalUnit": "GovernmentOrganization", "FormalOrganization": "GovernmentOrganization",
    "Bericht": "Report", "Kapitel": "Chapter", "Schwerpunkt": "CreativeWork", "GeplanterSchritt": "CreativeWork",
    "Person": "Person", "ConceptScheme": "DefinedTermSet",
}


def prefixes() -> dict[str, str]:
    out = {p: str(ns) for p, ns in PREFIXES.items()}
    out["ik"] = current.base() + "def/ik#"
    return out


def _negotiate(offered: dict[str, Format] = DOC_FORMATS) -> Format:
    try:
        return choose(request, offered)
    except UnknownFormat as exc:
        abort(Response(f"{exc}\n", 400, mimetype="text/plain"))
    except NotAcceptable as exc:
        body = "Nicht verfügbar / not acceptable. Angeboten / offered: " + ", ".join(f.mimetype for f in exc.offered) + "\n"
        abort(Response(body, 406, mimetype="text/plain"))


def _check_key(kind: str, key: str) -> None:
    if kind not in TYPES or not re.fullmatch(KEY_PATTERN, key) or len(key) > 120:
        abort(404)


@bp.get("/id/<kind>/<key>")
def thing(kind: str, key: str):
    """A thing, not a document: 303 to the document in the negotiated format."""
    _check_key(kind, key)
    fmt = _negotiate()
    published = current.published()
    if not d.exists(published.store, f"{current.base()}id/{kind}/{key}"):
        return _not_found(fmt, f"{current.base()}id/{kind}/{key}")
    target = url_for("resources.document", kind=kind, key=key, ext=fmt.key)
    response = redirect(target, 303)
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/doc/<kind>/<key>")
@bp.get("/doc/<kind>/<key>.<ext>")
def document(kind: str, key: str, ext: str | None = None):
    _check_key(kind, key)
    if ext is not None and ext not in DOC_FORMATS:
        abort(404)
    fmt = DOC_FORMATS[ext] if ext else _negotiate()
    subject = f"{current.base()}id/{kind}/{key}"
    return _describe_response(subject, fmt, kind=kind, key=key, negotiated=ext is None)


def _describe_response(subject: str, fmt: Format, kind: str, key: str, negotiated: bool) -> Response:
    published = current.published()
    page = max(1, request.args.get("seite", 1, type=int) or 1)
    if fmt is HTML:
        r = d.description(published.store, subject, page, PAGE_SIZE)
        if r is None:
            return _not_found(fmt, subject)
        body = render_template(
            "resource.html", r=r, kind=kind, key=key, page=page, page_size=PAGE_SIZE,
            formats=RDF_FORMATS, local_path=current.local_path, term_label=term_label,
            schema_type=_schema_type, resource_uri=subject, resource_type=kind, resource_key=key,
        )
        response = Response(body, mimetype="text/html")
    else:
        doc = d.document(published.store, subject, page)
        if doc is None:
            return _not_found(fmt, subject)
        response = _rdf_document(doc, fmt, kind, key, page)
    return _cacheable(response, published, fmt, kind, key, negotiated)


def _rdf_document(doc: d.Document, fmt: Format, kind: str, key: str, page: int) -> Response:
    """The document in `fmt`; a hub's holds one page of its incoming links and says so (hydra, Link: next)."""
    if doc.pages == 1:
        return _rdf_response(doc.triples, fmt)
    path = f"def/{key}.{fmt.key}" if kind == "def" else f"doc/{kind}/{key}.{fmt.key}"
    paging = d.paging(current.base() + path, page, doc.pages, doc.incoming)
    response = _rdf_response(doc.triples + paging, fmt, {"hydra": d.HYDRA})
    response.headers["Link"] = ", ".join(f'</{path}?seite={n}>; rel="{rel}"' for n, rel in
                                         ((page - 1, "prev"), (page + 1, "next")) if 1 <= n <= doc.pages)
    return response


def _rdf_response(triples: list, fmt: Format, more_prefixes: dict[str, str] | None = None) -> Response:
    response = Response(d.serialize(triples, fmt.key, {**prefixes(), **(more_prefixes or {})}), mimetype=fmt.mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _schema_type(types: list[str]) -> str:
    for t in types:
        name = t.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if name in SCHEMA_TYPES:
            return SCHEMA_TYPES[name]
    return "Thing"


def _cacheable(response: Response, published, fmt: Format, kind: str, key: str, negotiated: bool) -> Response:
    """Alternates in Link, Vary when negotiated, and the build's caching headers (304 for conditional GET)."""
    if negotiated:
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = _document_url(kind, key, fmt.key)
    links = [link for link in (response.headers.get("Link"),) if link]  # a hub's RDF page links its neighbours
    links += [f'<{_document_url(kind, key, f.key)}>; rel="alternate"; type="{f.mimetype}"'
              for f in DOC_FORMATS.values() if f is not fmt]
    thing_path = f"def/{key}" if kind == "def" else f"id/{kind}/{key}"
    links.append(f'<{current.base()}{thing_path}>; rel="describes"')
    response.headers["Link"] = ", ".join(links)
    tag = hashlib.sha256(f"{published.etag}|{fmt.key}|{kind}/{key}".encode()).hexdigest()[:32]
    return for_build(response, tag, published.modified, machine=fmt is not HTML, max_age=300)


def _document_url(kind: str, key: str, ext: str) -> str:
    """The document in one format: the ontology and the schemes are documents under /def/ themselves."""
    if kind == "def":
        return url_for("resources.definition", name=key, ext=ext)
    return url_for("resources.document", kind=kind, key=key, ext=ext)


def _not_found(fmt: Format, subject: str) -> Response:
    """404 in the format the client asked for."""
    message = f"Unbekannte Ressource / unknown resource: {subject}"
    if fmt is HTML:
        return Response(render_template("not_found.html", message=message, subject=subject), 404, mimetype="text/html")
    bodies = {
        "ttl": f"# {message}\n", "nt": f"# {message}\n",
        "jsonld": json.dumps({"@graph": [], "error": message}, ensure_ascii=False),
        "rdf": f'<?xml version="1.0"?>\n<!-- {message.replace("--", "- -")} -->\n'
               '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
    }
    return Response(bodies[fmt.key], 404, mimetype=fmt.mimetype)


# ------------------------------------------------------------------ ontology and concept schemes

@bp.get("/def/<name>")
@bp.get("/def/<name>.<ext>")
def definition(name: str, ext: str | None = None):
    """The ontology (def/ik) and the concept schemes are documents themselves: 200 with negotiation."""
    if name not in ("ik", "handlungsfelder", "ziele", "zielgruppen") or (ext and ext not in DOC_FORMATS):
        abort(404)
    fmt = DOC_FORMATS[ext] if ext else _negotiate()
    published = current.published()
    subject = f"{current.base()}def/{name}"
    if name != "ik":
        return _describe_response(subject, fmt, kind="def", key=name, negotiated=ext is None) if fmt is not HTML \
            else _scheme_page(subject, name, published)
    if fmt is HTML:
        response = Response(render_template("ontology.html", terms=_ontology_terms(published.store), base=current.base()),
                            mimetype="text/html")
    else:
        ns = f"{current.base()}def/ik#"
        triples = list(published.store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{ns}') || ?s = <{subject}>) }}"))
        response = _rdf_response(triples, fmt)
    return _cacheable(response, published, fmt, "def", name, ext is None)


def _scheme_page(subject: str, name: str, published) -> Response:
    r = d.description(published.store, subject, 1, 1000)
    if r is None:
        return _not_found(HTML, subject)
    body = render_template(
        "resource.html", r=r, kind="def", key=name, page=1, page_size=1000,
        formats=RDF_FORMATS, local_path=current.local_path, term_label=term_label, schema_type=_schema_type,
        resource_uri=subject, resource_type="scheme", resource_key=name,
    )
    return _cacheable(Response(body, mimetype="text/html"), published, HTML, "def", name, True)


def _ontology_terms(store) -> list[dict]:
    ns = f"{current.base()}def/ik#"
    rows = store.select(f"""
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT ?term ?kind ?de ?en ?cde ?cen ?domain ?range ?super WHERE {{
          ?term a ?kind . FILTER(STRSTARTS(STR(?term), "{ns}"))
          FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty))
          OPTIONAL {{ ?term rdfs:label ?de FILTER(lang(?de) = "de") }}
          OPTIONAL {{ ?term rdfs:label ?en FILTER(lang(?en) = "en") }}
          OPTIONAL {{ ?term rdfs:comment ?cde FILTER(lang(?cde) = "de") }}
          OPTIONAL {{ ?term rdfs:comment ?cen FILTER(lang(?cen) = "en") }}
          OPTIONAL {{ ?term rdfs:domain ?domain }} OPTIONAL {{ ?term rdfs:range ?range }}
          OPTIONAL {{ ?term rdfs:subClassOf|rdfs:subPropertyOf ?super }}
        }} ORDER BY ?kind ?term""")
    terms: dict[str, dict] = {}
    for row in rows:
        t = terms.setdefault(row["term"], {**row, "name": row["term"][len(ns):], "super": []})
        if row.get("super") and row["super"] not in t["super"]:
            t["super"].append(row["super"])
    return list(terms.values())


@bp.get("/id/<kind>/")
def listing(kind: str):
    """All things of one type, for browsing (the Drucksachen index has its own, richer page)."""
    if kind not in TYPES:
        abort(404)
    published = current.published()
    prefix = f"{current.base()}id/{kind}/"
    rows = published.store.select(f"""
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?s ?label WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{prefix}"))
          OPTIONAL {{ ?s rdfs:label ?label FILTER(lang(?label) = "de" || lang(?label) = "") }} }}""")
    items = sorted(({"path": current.local_path(r["s"]), "label": r.get("label") or r["s"][len(prefix):],
                     "key": r["s"][len(prefix):]} for r in rows),
                   key=lambda i: (0, int(i["key"])) if i["key"].isdigit() else (1, i["label"].lower()))
    return render_template("listing.html", kind=kind, items=items)
