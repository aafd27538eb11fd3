"""The measures as a filterable table: facets (field, goal, unit, target group, Drucksache), counts, sorting.

Within one facet the selected values are alternatives (OR), across facets they all apply (AND). The count next
to a value is the number of measures it would give together with the filters of the *other* facets, so the
numbers always say what a click will show. Filters and counts work on per-build indexes (which measures have
each value), so a request touches only the measures its filters select; the view lists the most frequent values
of a long facet (:meth:`MeasureTable.shown`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from heapq import nsmallest
from itertools import chain
from operator import neg

from server.caches import per_build
from server.pages import queries
from server.pages.search_index import fold
from server.state import Published
from server.web.urls import link

DC = "http://purl.org/dc/terms/"


@dataclass(frozen=True)
class Facet:
    name: str       # query parameter, JSON/CSV field and URI type segment of its values
    predicate: str  # from the measure to the value; "ik:" is expanded with the build's base
    unstated: bool = False  # offer the measures that say „ik:nichtAngegeben <predicate>“ as a value of their own


FACETS = (
    Facet("handlungsfeld", "ik:handlungsfeld"),
    Facet("ziel", "ik:verfolgtZiel"),
    Facet("oe", "ik:zustaendig"),
    Facet("zielgruppe", "ik:zielgruppe"),
    Facet("drucksache", DC + "references"),
    # The current status (kg/status.py); a measure no source speaks of says so, and that is a value people filter by.
    Facet("status", "ik:status", unstated=True),
)
UNSTATED = "nicht-angegeben"  # the key of that value; its URI is ik:nichtAngegeben, its label the ontology's
FACET_NAMES = tuple(f.name for f in FACETS)
SORTS = ("nr", "titel", "handlungsfeld")


@dataclass
class Measure:
    nr: int
    uri: str
    path: str
    title: str
    description: str
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet -> value keys


@dataclass
class Value:
    key: str
    uri: str
    path: str
    order: tuple  # position in facet lists: by section number where there is one, else by label


Selection = dict[str, set[str]]  # facet -> selected value keys


class MeasureTable:
    def __init__(self, measures: list[Measure], values: dict[str, dict[str, Value]]) -> None:
        self.measures = sorted(measures, key=lambda m: m.nr)
        self.by_nr = {m.nr: m for m in self.measures}
        self.position = {m.nr: i for i, m in enumerate(self.measures)}
        self.values = values  # facet -> key -> Value, every value some measure has
        # Built once per build: which measures (positions in self.measures) have each value, so a filter touches
        # only the measures it selects; each facet's values by position, so counting runs in C; and the unfiltered
        # counts, which the page without filters shows as they are.
        self._having: dict[str, dict[str, list[int]]] = {f: {} for f in FACET_NAMES}
        for i, m in enumerate(self.measures):
            for f, keys in m.values.items():
                for key in keys:
                    self._having[f].setdefault(key, []).append(i)
        self._column = {f: [m.values.get(f, ()) for m in self.measures] for f in FACET_NAMES}
        self.totals = {f: Counter({key: len(at) for key, at in self._having[f].items()}) for f in FACET_NAMES}
        self._position = {f: {key: i for i, key in enumerate(vals)} for f, vals in values.items()}
        self._ranked = {f: _ranked(self.totals[f], self._position[f]) for f in FACET_NAMES}

    @classmethod
    def from_store(cls, store, base: str, labels) -> MeasureTable:
        ik = base + "def/ik#"
        predicates = {f.predicate.replace("ik:", ik): f.name for f in FACETS}
        unstated = {f.predicate.replace("ik:", ik): f.name for f in FACETS if f.unstated}
        rows = store.select(queries.measures(base, [*predicates, ik + "nichtAngegeben"]))
        notations = {r["v"]: r["n"] for r in store.select(queries.notations(base))}
        measures: dict[str, Measure] = {}
        found: dict[str, dict[str, Value]] = {f.name: {} for f in FACETS}
        for row in rows:
            m = measures.setdefault(row["m"], Measure(int(row["nr"]), row["m"], link(row["m"], base), row["title"],
                                                       row.get("description", "")))
            if row.get("p") == ik + "nichtAngegeben":
                facet, key, value_uri = unstated.get(row["o"]), UNSTATED, ik + "nichtAngegeben"
                if facet is None:
                    continue
            else:
                facet = predicates.get(row.get("p", ""))
                if facet is None or not row["o"].startswith(base + "id/"):
                    continue
                key, value_uri = row["o"].rsplit("/", 1)[-1], row["o"]
            if key not in m.values.get(facet, ()):
                m.values[facet] = m.values.get(facet, ()) + (key,)
            if key not in found[facet]:
                label = labels.get(value_uri, "de")[0]
                # Units by name (their number is part of the label); fields and goals in the report's section order;
                # „not stated“ last.
                number = () if facet == "oe" else (10**7,) if key == UNSTATED else _numbers(notations.get(value_uri, ""))
                found[facet][key] = Value(key, value_uri, link(value_uri, base), (number, fold(label)))
        values = {name: dict(sorted(vals.items(), key=lambda kv: kv[1].order)) for name, vals in found.items()}
        return cls(list(measures.values()), values)

    def _sharing_positions(self, facet: str, m: Measure) -> list[int]:
        me = self.position[m.nr]
        return sorted({i for key in m.values.get(facet, ()) for i in self._having[facet].get(key, ()) if i != me})

    def sharing(self, facet: str, m: Measure, limit: int) -> list[Measure]:
        """Up to ``limit`` other measures with a value of ``facet`` in common with ``m``, in number order."""
        return [self.measures[i] for i in self._sharing_positions(facet, m)[:limit]]

    def sharing_count(self, facet: str, m: Measure) -> int:
        return len(self._sharing_positions(facet, m))

    def citing(self, drucksache: str) -> list[Measure]:
        """The measures that cite the Drucksache with URI key ``drucksache``, in number order."""
        return [self.measures[i] for i in self._having["drucksache"].get(drucksache, [])]

    def having(self, facet: str, keys) -> list[Measure]:
        """The measures with any of ``keys`` as a value of ``facet``, in number order: read from the per-build
        index, so a page about one unit or group touches its own measures only, not all of them."""
        at = set().union(*(self._having[facet].get(key, ()) for key in keys))
        return [self.measures[i] for i in sorted(at)]

    def filter(self, selection: Selection) -> list[Measure]:
        """Measures matching every facet's selection (one of its values), in number order."""
        rows = _all_of(list(self._selected(selection).values()))
        return list(self.measures) if rows is None else [self.measures[i] for i in sorted(rows)]

    def counts(self, selection: Selection) -> dict[str, Counter]:
        """Per facet and value: how many measures the other facets' filters leave that have this value.

        Facets without a selection all count the same measures (those matching every filter); only a facet with
        a selection needs its own set. The Counters may be the shared totals: read them, don't change them.
        """
        selected = self._selected(selection)
        everywhere = _all_of(list(selected.values()))
        out = {}
        for f in FACET_NAMES:
            rows = _all_of([at for g, at in selected.items() if g != f]) if f in selected else everywhere
            out[f] = self.totals[f] if rows is None else Counter(chain.from_iterable(map(self._column[f].__getitem__, rows)))
        return out

    def shown(self, facet: str, counts: Counter, chosen: set[str], cap: int | None) -> tuple[list[str], int]:
        """The values of ``facet`` to list, in list order, and how many values with measures that leaves out.

        Listed: the ``cap`` values with the most measures (ties: list order; None: all of them) and the chosen
        ones whatever their count, so a selection can always be seen and undone.
        """
        position = self._position[facet]
        if cap is None or len(counts) <= cap:
            top = set(counts)
        elif counts is self.totals[facet]:  # no filter: ranked once per build
            top = set(self._ranked[facet][:cap])
        else:
            top = set(_ranked(counts, position, cap))
        keep = top | {key for key in chosen if key in position}
        return sorted(keep, key=position.__getitem__), len(counts) - sum(1 for key in keep if counts.get(key))

    def _selected(self, selection: Selection) -> dict[str, set[int]]:
        """Per facet with a selection: the positions of the measures having one of its selected values."""
        having = self._having
        return {f: set().union(*(having.get(f, {}).get(key, ()) for key in keys)) for f, keys in selection.items() if keys}

    def sort(self, measures: list[Measure], by: str) -> list[Measure]:
        if by == "titel":
            return sorted(measures, key=lambda m: (fold(m.title), m.nr))
        if by == "handlungsfeld":
            fields = self.values["handlungsfeld"]
            return sorted(measures, key=lambda m: (fields[m.values["handlungsfeld"][0]].order if m.values.get("handlungsfeld") else (), m.nr))
        return sorted(measures, key=lambda m: m.nr)


def _ranked(counts: Counter, position: dict[str, int], cap: int | None = None) -> list[str]:
    """The keys of ``counts``, most measures first, ties in list order; the first ``cap`` of them (None: all)."""
    ranked = zip(map(neg, counts.values()), map(position.__getitem__, counts), counts, strict=True)
    return [key for _, _, key in (sorted(ranked) if cap is None else nsmallest(cap, ranked))]


def _all_of(sets: list[set[int]]) -> set[int] | None:
    """The positions in every one of ``sets``; None when there are none, i.e. nothing is filtered."""
    return set.intersection(*sorted(sets, key=len)) if sets else None


def parse_selection(args) -> Selection:
    """Facet filters from query parameters (repeatable: ``?oe=51&oe=32``); blanks dropped, sizes bounded."""
    return {f: {v.strip() for v in args.getlist(f)[:100] if v.strip() and len(v) <= 120} for f in FACET_NAMES}


def _numbers(notation: str) -> tuple[int, ...]:
    parts = [p for p in notation.replace("-", ".").split(".") if p.isdigit()]
    return tuple(int(p) for p in parts) if parts else (10**6,)


def table_for(published: Published, base: str, labels) -> MeasureTable:
    return per_build(f"measures|{base}", published, lambda p: MeasureTable.from_store(p.store, base, labels))
