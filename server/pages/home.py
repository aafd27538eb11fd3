"""What the overview page shows: measures per field of action, and the units and target groups with the most."""

from __future__ import annotations

from urllib.parse import urlencode

from kg.store import Store
from server.i18n.labels import Labels
from server.pages import queries
from server.pages.overviews import CHART_ROWS, ChartRows
from server.web.urls import local_path


def _select(store: Store, base: str, query: str) -> list[dict]:
    rows = store.select(queries.prefixed(base, query))
    for row in rows:
        path = local_path(row["uri"], base) if "uri" in row else None
        if path:
            row["path"] = path
        for k in ("n", "ziele"):
            if k in row:
                row[k] = int(row[k])
    return rows


def _largest(store: Store, base: str, cls: str, label: str) -> ChartRows:
    """Chart rows of the members of ``cls`` with the most measures (ties by IRI, as in the overview charts)."""
    rows = _select(store, base, queries.largest(cls, label, CHART_ROWS))
    total = int(_select(store, base, queries.counted(cls))[0]["all"])
    return ChartRows(rows, hidden=total - len(rows))


def charts(store: Store, base: str) -> dict:
    """The rows of the page's table and charts, labels in German (the same for every request on one build)."""
    return {"per_field": _select(store, base, queries.PER_FIELD),
            "per_oe": _largest(store, base, "org:OrganizationalUnit", "rdfs:label"),
            "per_group": _largest(store, base, "ik:Zielgruppe", "skos:prefLabel")}


FACET_OF = {"per_field": "handlungsfeld", "per_oe": "oe", "per_group": "zielgruppe"}  # chart -> filter of the list


def localized(data: dict, labels: Labels) -> dict:
    """The chart rows with labels in the interface language and the filtered list of measures each bar opens."""
    out = {}
    for name, rows in data.items():
        shown = []
        for row in rows:
            text, lang = labels.get(row["uri"]) if row.get("uri") else (row.get("label", ""), "de")
            key = row["uri"].rsplit("/", 1)[-1] if row.get("uri") else None
            listed = "/massnahmen?" + urlencode({FACET_OF[name]: key}) if key and name in FACET_OF else None
            shown.append({**row, "label": text or row.get("label", ""), "lang": lang, "list": listed})
        out[name] = ChartRows(shown, hidden=getattr(rows, "hidden", 0))
    return out
