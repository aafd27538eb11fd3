"""The status section of a measure's page: where it stands now, since when, the source's words and the source, and
the timeline of every statement (kg/status.py). A measure no source speaks of says so."""

from __future__ import annotations

from dataclasses import dataclass

from server import state
from server.caches import per_build
from server.i18n import current_lang, labels_for
from server.i18n.language import stated_date
from server.pages import queries
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


def _rows_by_measure(store, base: str) -> dict[str, list[dict[str, str]]]:
    """Measure IRI -> its status rows (an empty list: no source gives its status), once per build: one query for
    all measures costs less than one per first render of a page."""
    by_measure: dict[str, list[dict[str, str]]] = {}
    for row in store.select(queries.status_statements(base)):
        rows = by_measure.setdefault(row.pop("m"), [])
        if "s" in row:
            rows.append(row)
    return by_measure


def status_section(uri: str) -> dict | None:
    published = state.published()
    base = state.base()
    labels = labels_for(published)
    rows = per_build(f"status|{base}", published, lambda p: _rows_by_measure(p.store, base)).get(uri)
    if rows is None:
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
