"""What the overview sections of field-of-action, unit and target-group pages show (templates section_*.html).

Computed by the resource page's view through :data:`SECTIONS` (handed to server.linkeddata by the app factory).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from server import state
from server.caches import per_build
from server.i18n.labels import Labels, labels_for
from server.i18n.language import current_lang
from server.pages import queries
from server.pages.facets import Measure, MeasureTable, table_for
from server.pages.search_index import fold
from server.web.contributions import Section
from server.web.urls import group_anchor, link

DC = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"

# At most this many measures per list on a unit or target-group page; the rest are counted and linked to the list
# of measures. Above the largest list the report has, so its pages show everything; it bounds synthetic builds.
LIST_CAP = 200
# A field of action's page lists at most this many measures, and goals, units and target groups per chart: the
# report's fields have up to 27 measures, 8 goals, 9 units and 14 target groups, a synthetic field at 100x 2,700
# measures and 800 goals, and the page must cost the same (bench/pages.py). The rest are counted exactly and linked:
# the measures to the list of measures, the goals to the page's data section.
FIELD_MEASURES = 30
FIELD_ROWS = 15
# /massnahmen reads at most this many values per facet (server.facets.parse_selection).
FILTER_VALUES = 100
CHART_ROWS = 40  # bars per chart, as on the home page
# A unit kind's page lists at most this many of its units (the report's largest kind, Fachbereich, has 11; at 100x
# 1,100); the rest are counted and linked to the page's data section, which pages through all of them.
KIND_UNITS = 100


class ChartRows(list):
    """Rows of a bar chart and how many smaller entries it leaves out."""

    def __init__(self, rows=(), hidden: int = 0) -> None:
        super().__init__(rows)
        self.hidden = hidden


@dataclass
class Row:
    """One labelled, counted thing: a chart bar and a table row."""

    label: str
    n: int
    path: str | None = None
    lang: str = ""


@dataclass
class Listed:
    """A measure in an overview list; ``via`` names the narrower unit or group it came through."""

    measure: Measure
    field_label: str
    field_lang: str
    via: list[tuple[str, str, str]] = field(default_factory=list)  # (label, lang, path)


class _Context:
    def __init__(self) -> None:
        published = state.published()
        self.base = state.base()
        self.store = published.store
        self.labels: Labels = labels_for(published)
        self.table: MeasureTable = table_for(published, self.base, self.labels)

    def path(self, uri: str) -> str:
        return link(uri, self.base)

    def label(self, uri: str) -> tuple[str, str]:
        return self.labels.get(uri)

    def row(self, uri: str, n: int = 0) -> Row:
        text, lang = self.label(uri)
        return Row(text, n, self.path(uri), lang)

    def listed(self, measures: list[Measure], via: dict[int, list[str]] | None = None) -> list[Listed]:
        fields = self.table.values["handlungsfeld"]
        out = []
        for m in measures:
            hf = m.values.get("handlungsfeld", ("",))[0]
            text, lang = self.label(fields[hf].uri) if hf in fields else ("", "")
            units = [(*self.label(u), self.path(u)) for u in (via or {}).get(m.nr, [])]
            out.append(Listed(m, text, lang, units))
        return out

    def per(self, measures: list[Measure], facet: str, rows: int = CHART_ROWS) -> list[Row]:
        """Chart rows: how many of ``measures`` have each value of ``facet`` (fields in section order, else the
        ``rows`` largest by count)."""
        counts = Counter(k for m in measures for k in m.values.get(facet, ()))
        if facet == "handlungsfeld":  # eight fields, in section order
            return ChartRows(self.row(v.uri, counts[k]) for k, v in self.table.values[facet].items() if counts.get(k))
        # The largest values only: at scale a unit's measures name thousands of groups, a bar each is no chart.
        largest = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:rows]
        rows = sorted((self.row(self.table.values[facet][k].uri, n) for k, n in largest), key=lambda r: (-r.n, fold(r.label)))
        return ChartRows(rows, hidden=len(counts) - len(rows))

    def descendants(self, uri: str, path: str) -> list[str]:
        rows = self.store.select(queries.descendants(uri, path))
        return [r["d"] for r in rows]


def _filter_url(facet: str, key: str) -> str:
    return "/massnahmen?" + urlencode({facet: key})


def field_overview(uri: str) -> dict:
    """Field of action: chapter-3 intro, its goals with their measure counts (the FIELD_ROWS with the most), featured
    examples, its measures (the first FIELD_MEASURES; the list of measures filtered by the field has all).

    Kept per build and language (labels): a field holds an eighth of all measures, so counting them grows with the
    data (118 ms a page at 100×), and there are eight fields. The key carries the caps the lists are cut at."""
    name = f"field-overview|{state.base()}|{uri}|{current_lang()}|{FIELD_MEASURES}|{FIELD_ROWS}"
    return per_build(name, state.published(), lambda _: _field_overview(uri))


def _field_overview(uri: str) -> dict:
    c = _Context()
    key = uri.rsplit("/", 1)[-1]
    intro = c.store.select(queries.field_intro(c.base, uri))
    examples = {int(r["nr"]) for r in c.store.select(queries.field_examples(c.base, uri))}
    goals = c.store.select(queries.field_goals(c.base, uri))
    focus = c.store.select(queries.field_focus(c.base, uri))
    measures = c.table.having("handlungsfeld", (key,))
    per_goal = Counter(z for m in measures for z in m.values.get("ziel", ()))
    goal_rows = [c.row(r["z"], per_goal.get(r["z"].rsplit("/", 1)[-1], 0)) for r in goals]
    goal_rows.sort(key=lambda r: (-r.n, r.label))
    # all of them are in the data section, a page of the goals linking here at a time
    goals_anchor = group_anchor(f"{state.data_base()}def/ik#handlungsfeld", f"{state.data_base()}def/ik#Ziel")
    paragraphs = [p.strip() for r in intro for p in r["text"].split("\n") if p.strip()]
    return {
        "intro": paragraphs,
        "goals": ChartRows(goal_rows[:FIELD_ROWS], hidden=max(0, len(goal_rows) - FIELD_ROWS)),
        "goals_url": "#" + goals_anchor,
        "per_unit": c.per(measures, "oe", FIELD_ROWS),
        "per_group": c.per(measures, "zielgruppe", FIELD_ROWS),
        "examples": c.listed([m for m in measures if m.nr in examples]),
        "measures": c.listed(measures[:FIELD_MEASURES]),
        "measures_total": len(measures),
        "measures_more": max(0, len(measures) - FIELD_MEASURES),
        "focus": sorted((c.row(r["s"]) for r in focus), key=lambda r: r.label),
        "filter_url": _filter_url("handlungsfeld", key),
    }


def _through_hierarchy(c: _Context, facet: str, key: str, below: dict[str, str]) -> tuple[list, list, dict, list]:
    """Measures tagged with ``key`` directly, those reached through a unit or group below it (with the ones they
    came through), and a row per unit/group below with its count."""
    direct = c.table.having(facet, (key,))
    direct_nrs = {m.nr for m in direct}
    via: dict[int, list[str]] = {}
    indirect = []
    for m in c.table.having(facet, below):
        if m.nr not in direct_nrs:
            via[m.nr] = [below[k] for k in m.values.get(facet, ()) if k in below]
            indirect.append(m)
    counts = c.table.totals[facet]
    rows = sorted((c.row(u, counts.get(k, 0)) for k, u in below.items()), key=lambda r: (-r.n, r.label))
    return direct, indirect, via, rows


def _capped_lists(c: _Context, facet: str, key: str, below: dict[str, str], direct: list, indirect: list,
                  via: dict[int, list[str]]) -> dict:
    """The first :data:`LIST_CAP` direct and indirect measures, how many more each list has, and where to see them all:
    ``?{facet}=key`` for the direct ones; for the indirect ones all measures of ``key`` and those below it (the list
    of measures has no hierarchy filter, it ORs the values of a facet), or None when that takes too many values."""
    keys = [key, *below]
    return {
        "measures": c.listed(direct[:LIST_CAP]),
        "measures_total": len(direct),
        "measures_more": max(0, len(direct) - LIST_CAP),
        "indirect": c.listed(indirect[:LIST_CAP], via),
        "indirect_total": len(indirect),
        "indirect_more": max(0, len(indirect) - LIST_CAP),
        "all_total": len(direct) + len(indirect),
        "all_url": "/massnahmen?" + urlencode([(facet, k) for k in keys]) if len(keys) <= FILTER_VALUES else None,
        "filter_url": _filter_url(facet, key),
    }


@dataclass(frozen=True)
class Hierarchy:
    """Units and target groups have the same overview: their measures, those reached through the units or groups
    below, and the spread over the fields and over the other facet."""

    facet: str
    below: str                # SPARQL path from a unit/group below up to this one
    other: str                # the facet of the second chart
    other_chart: tuple[str, str]  # its figure id and caption key


UNITS = Hierarchy("oe", f"<{ORG}subOrganizationOf>+", "zielgruppe", ("chart-groups", "chart.per_group"))
GROUPS = Hierarchy("zielgruppe", f"<{SKOS}broader>+", "oe", ("chart-units", "chart.per_oe"))


def hierarchy_overview(uri: str, h: Hierarchy) -> dict:
    c = _Context()
    key = uri.rsplit("/", 1)[-1]
    below = {u.rsplit("/", 1)[-1]: u for u in c.descendants(uri, h.below)}
    direct, indirect, via, rows = _through_hierarchy(c, h.facet, key, below)
    return {
        **_capped_lists(c, h.facet, key, below, direct, indirect, via),
        "per_field": c.per(direct + indirect, "handlungsfeld"),
        "per_other": c.per(direct + indirect, h.other),
        "other_chart": h.other_chart,
        "below": rows,
    }


def unit_overview(uri: str) -> dict:
    """Organisational unit: its measures across the fields of action, and those of its subordinate units."""
    return hierarchy_overview(uri, UNITS)


def group_overview(uri: str) -> dict:
    """Target group: its measures, those of its narrower groups, and how they spread over the fields."""
    return hierarchy_overview(uri, GROUPS)


def kind_overview(uri: str) -> dict:
    """Unit kind (Fachbereich, Team, …): its units grouped by the unit they are part of (those the report does not
    place last), by name, each with its number of measures.

    Kept per build and language: at scale a kind has thousands of units, sorted by label for the page."""
    name = f"kind-overview|{state.base()}|{uri}|{current_lang()}|{KIND_UNITS}"
    return per_build(name, state.published(), lambda _: _kind_overview(uri))


def _kind_overview(uri: str) -> dict:
    c = _Context()
    part_of: dict[str, set[str]] = {}
    left_open: set[str] = set()
    for r in c.store.select(queries.units_of_kind(c.base, uri)):
        part_of.setdefault(r["u"], set()).update([r["sup"]] if "sup" in r else [])
        if r.get("open") == "true":
            left_open.add(r["u"])
    if not part_of:
        return {}
    counts = c.table.totals["oe"]
    by_group: dict[str, list[Row]] = {}
    for u, sups in part_of.items():
        row = c.row(u, counts.get(u.rsplit("/", 1)[-1], 0))
        for group in sups or ["open" if u in left_open else "none"]:
            by_group.setdefault(group, []).append(row)
    heads = {g: c.row(g) for g in by_group if g not in ("open", "none")}
    order = sorted(heads, key=lambda g: fold(heads[g].label)) + [g for g in ("none", "open") if g in by_group]
    groups, room = [], KIND_UNITS
    for g in order:
        units = sorted(by_group[g], key=lambda r: fold(r.label))[:room]
        if units:
            groups.append({"head": heads.get(g), "why": g if g not in heads else "", "units": units})
        room -= len(units)
    return {
        "groups": groups,
        "total": len(part_of),
        "more": len(part_of) - len({r.path for g in groups for r in g["units"]}),
        "all_url": "#" + group_anchor(ORG + "classification", ORG + "OrganizationalUnit"),
    }


SECTIONS = (
    Section("kind", frozenset({"oe-art"}), "pages/section_kind.html", kind_overview),
    Section("field", frozenset({"handlungsfeld"}), "pages/section_field.html", field_overview),
    Section("unit", frozenset({"oe"}), "pages/section_unit.html", unit_overview),
    Section("group", frozenset({"zielgruppe"}), "pages/section_group.html", group_overview),
)
