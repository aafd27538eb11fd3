"""What this package adds to the resource documents of server.linkeddata (handed over by the app factory):
the OParl view of a Drucksache, BibTeX and CSL-JSON of a measure, and the page sections of both."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from flask import Response, current_app, request

from kg import releases
from kg.drucksache import CitationError
from server import state
from server.caches import per_build
from server.drucksache import citation, cite_formats, oparl
from server.drucksache import queries as q
from server.formats import Format
from server.web.caching import for_build, not_cached
from server.web.contributions import Document, Renderer, Section
from server.web.responses import download, problem

PROBLEM = "drucksache/problem.html"
_DRUCKSACHE_URI = re.compile(r"/id/drucksache/([A-Za-z0-9][A-Za-z0-9-]*)$")
_MASSNAHME_URI = re.compile(r"/id/massnahme/([0-9]+)$")

OPARL = Format("oparl.json", "application/json", "OParl")
BIBTEX = Format("bib", "application/x-bibtex", "BibTeX")
CSL_JSON = Format("csl.json", "application/vnd.citationstyles.csl+json", "CSL-JSON")


# ------------------------------------------------------------------ page sections

def drucksache_details(uri: str) -> dict | None:
    """Everything the Drucksache page shows beyond the generic resource view; None for other URIs."""
    match = _DRUCKSACHE_URI.search(str(uri or ""))
    if not match:
        return None
    store, base = state.published().store, state.data_base()
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
        "fundstellen": [f"Kapitel {n}" for n in q.literals(store, base, entry.uri, "ik:fundstelle/skos:notation")],
        "daten": q.literals(store, base, entry.uri, "dcterms:date"),
        "measures": measures,
        "angaben": {m.nr: [a for a in m.angaben if _cites(a, entry.key)] for m in measures},
        "ris_url": citation.ris_url(current_app.config["KG_RIS_URL_TEMPLATE"], entry),
        "oparl_path": f"/doc/drucksache/{entry.key}.{OPARL.key}",
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
    base = state.data_base()
    measures = per_build(f"cited-measures|{base}", state.published(), lambda p: q.cited_measures(p.store, base))
    cited = q.cited_measure(measures, f"{base}id/massnahme/{int(match[1])}")
    if cited is None:
        return None
    found, first, latest = cited.measure, cited.first, cited.latest
    reports = per_build(f"report-editions|{base}", state.published(), lambda p: q.reports(p.store, base))
    # the latest edition that lists the measure (kg/editions.py), else the newest
    report = reports.get(latest) if latest else next(iter(reports.values()), None)
    if report is None:
        return None
    earlier = reports.get(first) if first and first != report.uri else None
    viewed = _viewed_release()
    if viewed:  # an earlier release's page cites that release at its own address
        return cite_formats.citation(found, report, f"{base}release/{viewed[0]}/id/massnahme/{found.nr}", first=earlier,
                                     release=viewed)
    return cite_formats.citation(found, report, found.uri, first=earlier)


def _viewed_release() -> tuple[str, date] | None:
    """(name, date) when this app serves an earlier release (server/releases/mount.py sets KG_RELEASE_VIEW)."""
    name = current_app.config.get("KG_RELEASE_VIEW")
    found = releases.find(name, Path(current_app.config["KG_RELEASES_DIR"])) if name else None
    return (found.name, date.fromisoformat(found.issued)) if found else None


def _citation_box(uri: str) -> dict | None:
    c = measure_citation(uri)
    if c is None:
        return None
    return {"citation": c, "bibtex": f"/doc/massnahme/{c.nr}.{BIBTEX.key}", "csl_json": f"/doc/massnahme/{c.nr}.{CSL_JSON.key}"}


SECTIONS = (
    Section("drucksache", frozenset({"drucksache"}), "drucksache/section_drucksache.html", drucksache_details),
    Section("citation", frozenset({"massnahme"}), "drucksache/section_citation.html", _citation_box, place="end"),
)


# ------------------------------------------------------------------ representations

def _oparl(doc: Document) -> Response:
    build = state.published()
    base = state.data_base()
    entry = q.drucksache_entry(build.store, base, doc.key)
    if entry is None:
        return problem(request, 404, {"status": 404, "error": "Unbekannte Drucksache", "key": doc.key,
                                      "message": f"Keine Drucksache mit dem Schlüssel „{doc.key}“."}, PROBLEM)
    details = drucksache_details(entry.uri)
    body = oparl.paper(entry, base, dates=details["daten"], cited_as=details["zitiert_als"], measures=details["measures"],
                       ris_url=details["ris_url"])
    response = Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype=OPARL.mimetype)
    return for_build(response, f"{build.etag}-oparl-{doc.key}", build.modified)  # CORS: OParl clients run in browsers


def _measure(doc: Document) -> tuple[int, cite_formats.MeasureCitation | None]:
    nr = int(doc.key) if doc.key.isdigit() else 0
    return nr, measure_citation(f"{state.data_base()}id/massnahme/{nr}") if nr else None


def _unknown_measure(nr: int | str) -> Response:
    return problem(request, 404, {"status": 404, "error": "Unbekannte Maßnahme", "nr": str(nr),
                                  "message": f"Eine Maßnahme Nr. {nr} gibt es im Bericht nicht."}, PROBLEM)


def _bibtex(doc: Document) -> Response:
    nr, c = _measure(doc)
    if c is None:
        return _unknown_measure(nr or doc.key)
    # Not cached: it carries today's access date.
    return not_cached(download(cite_formats.bibtex(c), BIBTEX.mimetype, f"massnahme-{nr}.bib"))


def _csl_json(doc: Document) -> Response:
    nr, c = _measure(doc)
    if c is None:
        return _unknown_measure(nr or doc.key)
    body = json.dumps(cite_formats.csl_json(c), ensure_ascii=False, indent=1)
    return not_cached(download(body, CSL_JSON.mimetype, f"massnahme-{nr}.csl.json"))


RENDERERS = (
    Renderer(OPARL, _oparl, frozenset({"drucksache"})),
    Renderer(BIBTEX, _bibtex, frozenset({"massnahme"})),
    Renderer(CSL_JSON, _csl_json, frozenset({"massnahme"})),
)
