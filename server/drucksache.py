"""Council documents (Drucksachen) and citing us: resolvers, reverse index, OParl view, citation downloads,
and the URI stability registry that answers for retired URIs.

Routes
  /drucksache?ref=…            303 to /id/drucksache/{key}; 404 with suggestions; 400 with what was expected
  /massnahme?nr=…              303 to /id/massnahme/{nr}; 404; 400
  /id/drucksache/              all Drucksachen by Wahlperiode with citing-measure counts (HTML, JSON)
  /drucksachen                 301 to /id/drucksache/
  /doc/drucksache/{key}.oparl.json      OParl 1.1 Paper
  /doc/massnahme/{nr}.bib, .csl.json    BibTeX and CSL-JSON of a measure
Templates ``extra_drucksache.html`` and ``extra_massnahme.html`` (included by the resource pages) get their
data from the context functions ``drucksache_details(uri)`` and ``measure_citation(uri)``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from kg.build import ROOT
from kg.drucksache import EXPECTED, CitationError
from server import citation, cite_formats, oparl, registry
from server import drucksache_queries as q
from server.answers import choose_format, json_response, problem
from server.caching import for_build
from server.current import published

bp = Blueprint("drucksache", __name__)

DEFAULT_REGISTRY = ROOT / "data" / "uri-registry.csv"
_ROMAN_ORDER = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
_DRUCKSACHE_URI = re.compile(r"/id/drucksache/([A-Za-z0-9][A-Za-z0-9-]*)$")
_MASSNAHME_URI = re.compile(r"/id/massnahme/([0-9]+)$")
_registry_cache = registry.RegistryCache()


def _base() -> str:
    """Base of the URIs in the graph being served (the build's, which the server config normally repeats)."""
    return published().manifest.get("base_uri") or current_app.config["KG_BASE_URI"]


def _store():
    return published().store


# ------------------------------------------------------------------ URI stability registry


def _registry_entries() -> dict[str, registry.Entry]:
    try:
        return _registry_cache.get(Path(current_app.config["KG_URI_REGISTRY"] or DEFAULT_REGISTRY))
    except registry.RegistryError as exc:
        # A broken registry must not take the whole site down; tests keep the committed file valid.
        current_app.logger.error("URI-Register unlesbar, wird ignoriert: %s", exc)
        return {}


@bp.before_app_request
def answer_retired_uris():
    if not request.path.startswith(("/id/", "/doc/")):
        return None
    hit = registry.lookup(_registry_entries(), request.path)
    if hit is None:
        return None
    status = 301 if hit.entry.status == "moved" else 410
    fmt = choose_format(request, ("html", "json", "ttl"))
    if fmt == "ttl":
        response = Response(registry.turtle(hit, _base()), status=status, mimetype="text/turtle")
    elif fmt == "json":
        response = json_response(registry.payload(hit, _base()), status)
    else:
        response = Response(render_template("drucksache_uri_status.html", info=registry.payload(hit, _base()), status=status),
                            status=status, mimetype="text/html")
    if hit.location:
        query = request.query_string.decode("latin-1")
        response.headers["Location"] = hit.location + (f"?{query}" if query else "")
    response.vary.add("Accept")
    return response


# ------------------------------------------------------------------ resolvers


@bp.get("/drucksache")
def resolve_drucksache():
    ref = request.args.get("ref", "")
    try:
        parsed = citation.parse_reference(ref)
    except CitationError as exc:
        return problem(request, 400, {"status": 400, "error": "Keine Drucksachenangabe", "ref": ref, "message": str(exc),
                                      "expected": EXPECTED}, "drucksache_problem.html")
    entries = q.drucksachen(_store(), _base())
    path = f"/id/drucksache/{parsed.key}"  # built from the parsed parts only: never an open redirect
    if citation.find(parsed, entries) or _is_registered(path):
        return redirect(path, 303)
    offered = citation.suggestions(parsed, entries)
    return problem(request, 404, {
        "status": 404, "error": "Drucksache im Bericht nicht zitiert", "ref": ref, "parsed": citation.parsed_json(parsed),
        "message": f"Die Drucksache {parsed.zitierform} wird im Bericht nicht zitiert.",
        "suggestions": [{"path": e.path, "key": e.key, "zitierform": e.zitierform, "titel": e.titel, "grund": why}
                        for e, why in offered],
    }, "drucksache_problem.html")


@bp.get("/massnahme")
def resolve_massnahme():
    raw = request.args.get("nr", "")
    try:
        nr = citation.parse_measure_number(raw)
    except citation.MeasureNumberError as exc:
        return problem(request, 400, {"status": 400, "error": "Keine Maßnahmennummer", "nr": raw, "message": str(exc),
                                      "expected": citation.MEASURE_EXPECTED}, "drucksache_problem.html")
    known = q.measure_numbers(_store(), _base())
    path = f"/id/massnahme/{nr}"
    if nr in known or _is_registered(path):
        return redirect(path, 303)
    return problem(request, 404, {
        "status": 404, "error": "Unbekannte Maßnahme", "nr": raw,
        "message": f"Eine Maßnahme Nr. {nr} gibt es im Bericht nicht; die Nummern reichen von {min(known)} bis {max(known)}.",
        "range": [min(known), max(known)],
    }, "drucksache_problem.html")


def _is_registered(path: str) -> bool:
    """A retired URI still resolves (to its 301/410), so old citations keep leading somewhere."""
    return path in _registry_entries()


# ------------------------------------------------------------------ reverse index


def index_groups(entries: list[q.DrucksacheEntry]) -> list[dict]:
    """Groups by Wahlperiode, newest first; old-style year-numbered Drucksachen last, in their own group."""
    groups: dict[str, list[q.DrucksacheEntry]] = {}
    for e in entries:
        groups.setdefault(q.YEAR_GROUP if e.jahr else (e.wahlperiode or "?"), []).append(e)

    def order(name: str) -> tuple:
        return (name == q.YEAR_GROUP, -_ROMAN_ORDER.index(name) if name in _ROMAN_ORDER else 0, name)

    result = []
    for name in sorted(groups, key=order):
        members = sorted(groups[name], key=lambda e: (e.jahr or 0, e.nummer))
        result.append({
            "gruppe": name,
            "label": "Ältere Zählung Nummer/Jahr" if name == q.YEAR_GROUP else f"Wahlperiode {name}",
            "anzahl": len(members),
            "zitierende_massnahmen": len({nr for e in members for nr in e.measures}),
            "drucksachen": [e.as_json() for e in members],
        })
    return result


@bp.get("/drucksachen")
def drucksachen_alias():
    return redirect(url_for("drucksache.index"), 301)


@bp.get("/id/drucksache/")
def index():
    fmt = request.args.get("format", "").lower()
    if fmt and fmt not in ("html", "json"):
        return problem(request, 400, {"status": 400, "error": "Unbekanntes Format", "format": fmt,
                                      "message": f"Unbekanntes Format „{fmt}“; angeboten: html, json"}, "drucksache_problem.html")
    build = published()
    base = _base()
    groups = index_groups(q.drucksachen(build.store, base))
    data = {
        "anzahl": sum(g["anzahl"] for g in groups),
        "gruppen": groups,
        "sparql": q.index_sparql(base),
        "build": build.etag,
    }
    if choose_format(request) == "json":
        response = json_response(data)
    else:
        response = Response(render_template("drucksache_index.html", index=data), mimetype="text/html")
    response.vary.add("Accept")
    return for_build(response, f"{build.etag}-drucksachen-{response.mimetype}", build.modified,
                     machine=response.mimetype == "application/json")


# ------------------------------------------------------------------ OParl


@bp.get("/doc/drucksache/<key>.oparl.json")
def oparl_paper(key: str):
    build = published()
    base = _base()
    entry = q.drucksache_entry(build.store, base, key)
    if entry is None:
        return problem(request, 404, {"status": 404, "error": "Unbekannte Drucksache", "key": key,
                                      "message": f"Keine Drucksache mit dem Schlüssel „{key}“."}, "drucksache_problem.html")
    details = drucksache_details(entry.uri)
    body = oparl.paper(entry, base, dates=details["daten"], cited_as=details["zitiert_als"], measures=details["measures"],
                       ris_url=details["ris_url"])
    response = Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json")
    return for_build(response, f"{build.etag}-oparl-{key}", build.modified)  # CORS: OParl clients run in browsers


# ------------------------------------------------------------------ citing a measure


def _unknown_measure(nr: int) -> Response:
    return problem(request, 404, {"status": 404, "error": "Unbekannte Maßnahme", "nr": str(nr),
                                  "message": f"Eine Maßnahme Nr. {nr} gibt es im Bericht nicht."}, "drucksache_problem.html")


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-cache"  # carries today's access date
    return response


@bp.get("/doc/massnahme/<int:nr>.bib")
def measure_bibtex(nr: int):
    c = measure_citation(f"{_base()}id/massnahme/{nr}")
    if c is None:
        return _unknown_measure(nr)
    return _download(cite_formats.bibtex(c), "application/x-bibtex", f"massnahme-{nr}.bib")


@bp.get("/doc/massnahme/<int:nr>.csl.json")
def measure_csl_json(nr: int):
    c = measure_citation(f"{_base()}id/massnahme/{nr}")
    if c is None:
        return _unknown_measure(nr)
    body = json.dumps(cite_formats.csl_json(c), ensure_ascii=False, indent=1)
    return _download(body, "application/vnd.citationstyles.csl+json", f"massnahme-{nr}.csl.json")


# ------------------------------------------------------------------ template functions


def drucksache_details(uri: str) -> dict | None:
    """Everything the Drucksache page shows beyond the generic resource view; None for other URIs."""
    match = _DRUCKSACHE_URI.search(str(uri or ""))
    if not match:
        return None
    store, base = _store(), _base()
    entry = q.drucksache_entry(store, base, match[1])
    if entry is None:
        return None
    measures = q.citing_measures(store, base, entry.uri)
    return {
        "entry": entry,
        "key": entry.key,
        "nummer": entry.nummer,
        "wahlperiode": entry.wahlperiode,
        "jahr": entry.jahr,
        "zitierform": entry.zitierform,
        "titel": entry.titel,
        "art_text": entry.art_lang or "im Bericht nicht angegeben",
        "zitiert_als": q.literals(store, base, entry.uri, "ik:zitiertAls"),
        "fundstellen": q.literals(store, base, entry.uri, "ik:fundstelle"),
        "daten": q.literals(store, base, entry.uri, "dcterms:date"),
        "measures": measures,
        "angaben": {m.nr: [a for a in m.angaben if _cites(a, entry.key)] for m in measures},
        "ris_url": citation.ris_url(current_app.config["KG_RIS_URL_TEMPLATE"], entry),
        "oparl_path": url_for("drucksache.oparl_paper", key=entry.key),
    }


def _cites(angabe: str, key: str) -> bool:
    try:
        return citation.parse_reference(angabe).key == key
    except CitationError:
        return False


def measure_citation(uri: str) -> cite_formats.MeasureCitation | None:
    """Citation line and download data for a measure URI; None for other URIs."""
    match = _MASSNAHME_URI.search(str(uri or ""))
    if not match:
        return None
    store, base = _store(), _base()
    found = q.measure(store, base, int(match[1]))
    report = q.report(store, base)
    if found is None or report is None:
        return None
    return cite_formats.citation(found, report, found.uri)


@bp.app_context_processor
def drucksache_template_functions():
    return {"drucksache_details": drucksache_details, "measure_citation": measure_citation}
