"""Where to go from a measure page: the other measures of the same goal, the previous and next measure, and the
list of measures filtered by its goal or field. Read from the per-build measure table, so it costs no query."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from markupsafe import Markup, escape

from server import state
from server.i18n import current_lang, t
from server.i18n.labels import labels_for
from server.pages.facets import table_for
from server.web.contributions import Section

_MEASURE = re.compile(r"/id/massnahme/([0-9]+)$")
RELATED_CAP = 12  # the report's largest goal has 11 measures; a synthetic one may have thousands


def _related_items(related: list) -> Markup:
    """The list items of the related measures (made here, not in a Jinja loop: a third of the section's cost).
    The titles are the report's German, so an English page marks them ``lang="de"``."""
    nr, lang = escape(t("list.nr")), ' lang="de"' if current_lang() != "de" else ""
    return Markup("".join(f'<li>{nr} {escape(m.nr)}: <a href="{escape(m.path)}"{lang}>{escape(m.title)}</a></li>'
                          for m in related))


def measure_neighbours(uri: str) -> dict | None:
    match = _MEASURE.search(uri)
    if not match:
        return None
    build = state.published()
    table = table_for(build, state.base(), labels_for(build))
    nr = int(match[1])
    m = table.by_nr.get(nr)
    if m is None:
        return None
    at = table.position[nr]
    related = table.sharing("ziel", m, RELATED_CAP + 1)
    goal = next(iter(sorted(m.values.get("ziel", ()))), None)
    field = next(iter(m.values.get("handlungsfeld", ())), None)
    return {
        "related": related[:RELATED_CAP],
        "related_items": _related_items(related[:RELATED_CAP]),
        "related_more": max(0, table.sharing_count("ziel", m) - RELATED_CAP),
        "previous": table.measures[at - 1] if at > 0 else None,
        "next": table.measures[at + 1] if at + 1 < len(table.measures) else None,
        "goal_list": "/massnahmen?" + urlencode({"ziel": goal}) if goal else None,
        "field_list": "/massnahmen?" + urlencode({"handlungsfeld": field}) if field else None,
    }


SECTIONS = (Section("neighbours", frozenset({"massnahme"}), "pages/section_neighbours.html", measure_neighbours),)
