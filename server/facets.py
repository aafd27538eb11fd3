"""The measures as a filterable table: facets (field, goal, unit, target group, Drucksache), counts, sorting.

Within one facet the selected values are alternatives (OR), across facets they all apply (AND). The count next
to a value is the number of measures it would give together with the filters of the *other* facets, so the
numbers always say what a click will show.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from server.per_build import per_build
from server.search import fold
from server.state import Published

DC = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@dataclass(frozen=True)
class Facet:
    name: str       # query parameter, JSON/CSV field and URI type segment of its values
    predicate: str  # from the measure to the value; "ik:" is expanded with the build's base


FACETS = (
    Facet("handlungsfeld", "ik:handlungsfeld"),
    Facet("ziel", "ik:verfolgtZiel"),
    Facet("oe", "ik:zustaendig"),
    Facet("zielgruppe", "ik:zielgruppe"),
    Facet("drucksache", DC + "references"),
)
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
        self.values = values  # facet -> key -> Value, every value some measure has

    @classmethod
    def from_store(cls, store, base: str, labels) -> MeasureTable:
        ik = base + "def/ik#"
        predicates = {f.predicate.replace("ik:", ik): f.name for f in FACETS}
        rows = store.select(f"""
            PREFIX ik: <{ik}> PREFIX dcterms: <{DC}> PREFIX skos: <{SKOS}>
            SELECT ?m ?nr ?title ?description ?p ?o WHERE {{
              ?m a ik:Massnahme ; skos:notation ?nr ; dcterms:title ?title .
              OPTIONAL {{ ?m dcterms:description ?description }}
              OPTIONAL {{ ?m ?p ?o FILTER(?p IN ({", ".join(f"<{p}>" for p in predicates)})) }}
            }}""")
        # A goal has no number of its own: it sorts under its field of action's section number.
        notations = {r["v"]: r["n"] for r in store.select(f"""
            PREFIX ik: <{ik}> PREFIX skos: <{SKOS}>
            SELECT ?v ?n WHERE {{
              {{ ?v skos:notation ?n }} UNION {{ ?v ik:handlungsfeld/skos:notation ?n FILTER NOT EXISTS {{ ?v skos:notation [] }} }}
            }}""")}
        measures: dict[str, Measure] = {}
        found: dict[str, dict[str, Value]] = {f.name: {} for f in FACETS}
        for row in rows:
            m = measures.setdefault(row["m"], Measure(int(row["nr"]), row["m"], _path(row["m"], base), row["title"],
                                                       row.get("description", "")))
            facet = predicates.get(row.get("p", ""))
            if facet is None or not row["o"].startswith(base + "id/"):
                continue
            key = row["o"].rsplit("/", 1)[-1]
            if key not in m.values.get(facet, ()):
                m.values[facet] = m.values.get(facet, ()) + (key,)
            if key not in found[facet]:
                label = labels.get(row["o"], "de")[0]
                found[facet][key] = Value(key, row["o"], _path(row["o"], base), (_numbers(notations.get(row["o"], "")), fold(label)))
        values = {name: dict(sorted(vals.items(), key=lambda kv: kv[1].order)) for name, vals in found.items()}
        return cls(list(measures.values()), values)

    def filter(self, selection: Selection, ignore: str | None = None) -> list[Measure]:
        """Measures matching every facet's selection (one of its values), except the facet ``ignore``."""
        active = {f: keys for f, keys in selection.items() if keys and f != ignore}
        return [m for m in self.measures if all(set(m.values.get(f, ())) & keys for f, keys in active.items())]

    def counts(self, selection: Selection) -> dict[str, Counter]:
        """Per facet and value: how many measures the other facets' filters leave that have this value."""
        out = {}
        for f in FACET_NAMES:
            base = self.filter(selection, ignore=f)
            out[f] = Counter(key for m in base for key in m.values.get(f, ()))
        return out

    def sort(self, measures: list[Measure], by: str) -> list[Measure]:
        if by == "titel":
            return sorted(measures, key=lambda m: (fold(m.title), m.nr))
        if by == "handlungsfeld":
            fields = self.values["handlungsfeld"]
            return sorted(measures, key=lambda m: (fields[m.values["handlungsfeld"][0]].order if m.values.get("handlungsfeld") else (), m.nr))
        return sorted(measures, key=lambda m: m.nr)


def parse_selection(args) -> Selection:
    """Facet filters from query parameters (repeatable: ``?oe=51&oe=32``); blanks dropped, sizes bounded."""
    return {f: {v.strip() for v in args.getlist(f)[:100] if v.strip() and len(v) <= 120} for f in FACET_NAMES}


def _path(uri: str, base: str) -> str:
    return "/" + uri[len(base):] if uri.startswith(base) else uri


def _numbers(notation: str) -> tuple[int, ...]:
    parts = [p for p in notation.replace("-", ".").split(".") if p.isdigit()]
    return tuple(int(p) for p in parts) if parts else (10**6,)


def table_for(published: Published, base: str, labels) -> MeasureTable:
    return per_build(f"measures|{base}", published, lambda p: MeasureTable.from_store(p.store, base, labels))
