"""The status section of a measure's page: where it stands now, since when, the source's words and the source, and
the timeline of every statement (kg/status.py). A measure no source speaks of says so."""

from __future__ import annotations

from dataclasses import dataclass

from server import state
from server.i18n import current_lang, labels_for
from server.i18n.language import stated_date
from server.web.contributions import Section
from server.web.urls import link


def when(value: str | None) -> str:
    """A date as precise as it is stated (server.i18n.stated_date: „2017“, „Juli 2017“, „31 December 2018“), a full
    German date in the timeline's compact form „31.12.2018“."""
    if not value:
        return ""
    parts = value.split("-")
    if len(parts) == 3 and current_lang() == "de":
        return f"{parts[2]}.{parts[1]}.{parts[0]}"
    return stated_date(value)


@dataclass
class Statement:
    key: str          # status slug, for the badge's style
    label: str
    lang: str
    since: str        # as shown
    completed: bool   # „am“ instead of „seit“
    quote: str
    source: str
    source_path: str
    place: str
    place_path: str | None
    note: str


def _query(base: str, measure: str) -> str:
    return f"""
PREFIX ik: <{base}def/ik#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?status ?seit ?wortlaut ?quelle ?fund ?note WHERE {{
  <{measure}> ik:statusangabe ?s .
  ?s ik:status ?status ; ik:wortlaut ?wortlaut ; dcterms:source ?quelle .
  OPTIONAL {{ ?s ik:statusSeit ?seit }}
  OPTIONAL {{ ?s ik:fundstelle ?fund }}
  OPTIONAL {{ ?s skos:editorialNote ?note }}
}}"""


def status_section(uri: str) -> dict | None:
    published = state.published()
    base = state.base()
    labels = labels_for(published)
    rows = published.store.select(_query(base, uri))
    if not rows and not published.store.query(
            f"ASK {{ <{uri}> <{base}def/ik#nichtAngegeben> <{base}def/ik#status> }}"):
        return None  # not a measure of this build (or one from data without status rows)
    timeline = []
    for r in sorted(rows, key=lambda r: int(r["s"].rsplit("-", 1)[-1])):
        label, lang = labels.get(r["status"])
        key = r["status"].rsplit("/", 1)[-1]
        place = r.get("fund")
        timeline.append(Statement(
            key, label, lang, when(r.get("seit")), key == "abgeschlossen", r["wortlaut"],
            labels.get(r["quelle"])[0], link(r["quelle"], base),
            labels.get(place)[0] if place else "", link(place, base) if place else None, r.get("note", "")))
    return {"current": timeline[-1] if timeline else None, "timeline": timeline}


SECTIONS = (Section("status", frozenset({"massnahme"}), "pages/section_status.html", status_section),)
