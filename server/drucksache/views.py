"""Council documents (Drucksachen) and citations as people write them: resolvers and the reverse index.

Routes
  /drucksache?ref=…            303 to /id/drucksache/{key}; 404 with suggestions; 400 with what was expected
  /massnahme?nr=…              303 to /id/massnahme/{nr}; 404; 400
  /id/drucksache/              all Drucksachen by Wahlperiode with citing-measure counts (HTML, JSON)
  /drucksachen                 301 to /id/drucksache/
The OParl view, BibTeX and CSL-JSON of /doc/ documents and the sections of their pages are
:mod:`server.drucksache.documents`, served by server.linkeddata.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, redirect, render_template, request, url_for

from kg.drucksache import EXPECTED, CitationError
from server import state
from server.caches import per_build
from server.drucksache import citation
from server.drucksache import queries as q
from server.drucksache.documents import PROBLEM
from server.formats import HTML, JSON
from server.uri_registry import is_registered
from server.web.caching import for_build
from server.web.negotiation import choose, offer, vary_on_accept
from server.web.responses import json_response, problem

bp = Blueprint("drucksache", __name__, template_folder="templates")

_ROMAN_ORDER = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
INDEX_OFFER = offer((HTML, JSON), strict=False)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _store():
    return state.published().store


# ------------------------------------------------------------------ resolvers


@bp.get("/drucksache")
def resolve_drucksache():
    ref = request.args.get("ref", "")
    try:
        parsed = citation.parse_reference(ref)
    except CitationError as exc:
        return problem(request, 400, {"status": 400, "error": "Keine Drucksachenangabe", "ref": ref, "message": str(exc),
                                      "expected": EXPECTED}, PROBLEM)
    entries = q.drucksachen(_store(), state.data_base())
    path = f"/id/drucksache/{parsed.key}"  # built from the parsed parts only: never an open redirect
    if citation.find(parsed, entries) or is_registered(path):
        return redirect(path, 303)
    offered = citation.suggestions(parsed, entries)
    return problem(request, 404, {
        "status": 404, "error": "Drucksache im Bericht nicht zitiert", "ref": ref, "parsed": citation.parsed_json(parsed),
        "message": f"Die Drucksache {parsed.zitierform} wird im Bericht nicht zitiert.",
        "suggestions": [{"path": e.path, "key": e.key, "zitierform": e.zitierform, "titel": e.titel, "grund": why}
                        for e, why in offered],
    }, PROBLEM)


@bp.get("/massnahme")
def resolve_massnahme():
    raw = request.args.get("nr", "")
    try:
        nr = citation.parse_measure_number(raw)
    except citation.MeasureNumberError as exc:
        return problem(request, 400, {"status": 400, "error": "Keine Maßnahmennummer", "nr": raw, "message": str(exc),
                                      "expected": citation.MEASURE_EXPECTED}, PROBLEM)
    known = q.measure_numbers(_store(), state.data_base())
    path = f"/id/massnahme/{nr}"
    if nr in known or is_registered(path):
        return redirect(path, 303)
    return problem(request, 404, {
        "status": 404, "error": "Unbekannte Maßnahme", "nr": raw,
        "message": f"Eine Maßnahme Nr. {nr} gibt es im Bericht nicht; die Nummern reichen von {min(known)} bis {max(known)}.",
        "range": [min(known), max(known)],
    }, PROBLEM)


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
                                      "message": f"Unbekanntes Format „{fmt}“; angeboten: html, json"}, PROBLEM)
    build = state.published()
    base = state.data_base()
    groups = index_groups(q.drucksachen(build.store, base))
    data = {
        "anzahl": sum(g["anzahl"] for g in groups),
        "gruppen": groups,
        "sparql": q.index_sparql(base),
        "build": build.etag,
    }
    if choose(request, INDEX_OFFER) is JSON:
        response = json_response(data)
    else:
        titles = per_build(f"measure-titles|{base}", build, lambda b: q.measure_titles(b.store, base))
        response = Response(render_template("drucksache/index.html", index=data, titles=titles,
                                            with_title=any(d["titel"] for g in groups for d in g["drucksachen"])),
                            mimetype="text/html")
    vary_on_accept(response)
    return for_build(response, f"{build.etag}-drucksachen-{response.mimetype}", build.modified,
                     machine=response.mimetype == "application/json")
