"""The „Was der Bericht sagt“ section of a measure page: each target group, age, date and duration with the report's
words it is read from (the measure's ik:Beleg), and where in the report the measure stands (its appendix entry);
and the summary of a Beleg's own page: which statement of which measure it backs, the report's words, where they stand.

Computed by the resource page's view through :data:`SECTIONS` (handed to server.linkeddata by the app factory).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from server import state
from server.caches import per_build
from server.i18n import current_lang, quantity, term_label
from server.i18n.labels import labels_for
from server.pages import queries
from server.web.contributions import Section
from server.web.urls import link

SCHEMA = "https://schema.org/"
# The order a reader expects: for whom first, then ages, then when and how long.
ORDER = ("zielgruppe", "mindestalter", "hoechstalter", SCHEMA + "startDate", SCHEMA + "endDate", SCHEMA + "duration")


@dataclass
class Fact:
    value: str
    path: str | None        # a resource's page; None for a literal
    lang: str
    quote: str
    goal: tuple[str, str, str] | None = None  # (label, lang, path) when the words are the goal's, not the measure's


@dataclass
class Property:
    label: str
    facts: list[Fact] = field(default_factory=list)


@dataclass
class Evidence:
    properties: list[Property]
    entry: tuple[str, str, str] | None       # (label, lang, path) of the appendix entry
    chapter: tuple[str, str, str] | None     # (label, lang, path) of chapter 6.1
    headings: list[tuple[str, str, str]]     # field of action, then goal: (label, lang, path)


def _rank(prop: str) -> int:
    for i, end in enumerate(ORDER):
        if prop.endswith(end):
            return i
    return len(ORDER)


FIELDS = ("b", "p", "v", "lit", "zitat", "ziel", "entry", "chapter", "heading", "feld")  # of queries.evidence


def _rows_by_measure(store, base: str) -> dict[str, list[tuple]]:
    """Measure IRI -> its rows of queries.evidence, as tuples of FIELDS (None: unbound) with shared strings: kept
    for the whole build (at 1000x a quarter of a million rows), so small."""
    by_measure: dict[str, list[tuple]] = {}
    for row in store.select(queries.evidence(base)):
        by_measure.setdefault(row["m"], []).append(tuple(sys.intern(row[f]) if f in row else None for f in FIELDS))
    return by_measure


def _rows(uri: str) -> list[dict[str, str]]:
    """The evidence rows of the measure ``uri`` as queries.evidence answers them for it (unbound values absent)."""
    published, base = state.published(), state.base()
    kept = per_build(f"evidence|{base}", published, lambda p: _rows_by_measure(p.store, base))
    return [{f: v for f, v in zip(FIELDS, row, strict=True) if v is not None} for row in kept.get(uri, ())]


def evidence(uri: str) -> Evidence | None:
    published, base = state.published(), state.base()
    labels, lang = labels_for(published), current_lang()

    def named(iri: str) -> tuple[str, str, str]:
        text, text_lang = labels.get(iri, lang)
        return text, text_lang, link(iri, base)

    properties: dict[str, Property] = {}
    rows = _rows(uri)
    facts, entries = [r for r in rows if "p" in r], [r for r in rows if "entry" in r]
    for row in sorted(facts, key=lambda r: (_rank(r["p"]), r.get("v") or r.get("lit") or "")):
        prop = row["p"]
        if prop not in properties:
            known = labels.all(prop)
            name = term_label(prop, {prop: known.get(lang) or known.get("de")} if known else None, lang)
            properties[prop] = Property(name[:1].upper() + name[1:])
        if row.get("v"):
            value, value_lang, path = named(row["v"])
        else:
            value, value_lang, path = quantity(prop, row.get("lit", "")), "", None
        goal = named(row["ziel"]) if row.get("ziel") else None
        properties[prop].facts.append(Fact(value, path, value_lang, row["zitat"], goal))
    entry = chapter = None
    headings: list[tuple[bool, tuple[str, str, str]]] = []
    for row in entries:
        entry, chapter = named(row["entry"]), named(row["chapter"])
        if row.get("heading"):
            headings.append((row.get("feld") != "true", named(row["heading"])))
    if entry is None and not properties:
        return None  # not a measure of this build: nothing to say, as the other sections
    return Evidence(list(properties.values()), entry, chapter, [h for _, h in sorted(set(headings))])


@dataclass
class Backing:
    """What one Beleg's page tells a reader: measure ``nr`` (``measure`` = (title, lang, path)) is said to have
    ``statement`` = ``value``, read from the report's ``quote``, found in ``chapter`` (and quoted from ``goal``)."""

    nr: str
    measure: tuple[str, str, str]
    statement: str
    value: str
    value_lang: str
    value_path: str | None
    quote: str
    chapter: tuple[str, str, str] | None
    goal: tuple[str, str, str] | None


def beleg_summary(uri: str) -> Backing | None:
    """The summary of the Beleg ``uri``; None for anything else (one query, the labels the build keeps)."""
    published, base = state.published(), state.base()
    labels, lang = labels_for(published), current_lang()
    rows = published.store.select(queries.beleg(base, uri))
    if not rows:
        return None
    row = rows[0]

    def named(iri: str) -> tuple[str, str, str]:
        text, text_lang = labels.get(iri, lang)
        return text, text_lang, link(iri, base)

    prop = row["p"]
    known = labels.all(prop)
    name = term_label(prop, {prop: known.get(lang) or known.get("de")} if known else None, lang)
    if row.get("v"):
        value, value_lang, value_path = named(row["v"])
    else:
        value, value_lang, value_path = quantity(prop, row.get("lit", "")), "", None
    return Backing(row["nr"], named(row["m"]), name[:1].upper() + name[1:], value, value_lang, value_path, row["zitat"],
                   named(row["chapter"]) if row.get("chapter") else None, named(row["ziel"]) if row.get("ziel") else None)


SECTIONS = (Section("evidence", frozenset({"massnahme"}), "pages/section_evidence.html", evidence),
            Section("beleg", frozenset({"beleg"}), "pages/section_beleg.html", beleg_summary))
