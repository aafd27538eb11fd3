"""The summary at the top of a resource page: the key facts its reader comes for, per kind of resource, then the
text. One registry (:data:`SUMMARIES`) says which properties each kind shows, in which order and under which
heading; :func:`summary` fills it from the :class:`~server.linkeddata.describe.Description` the page has already
fetched, so a summary costs no query. Everything else the graph says stays in the collapsed data section.

GOV.UK's summary list / KERN-UX "one heading, the key facts, then the detail": a measure answers what, for whom,
who is responsible and on which decision before anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.drucksache import CitationError, parse
from server.caches import memoized
from server.i18n.labels import TERMS, term_label
from server.i18n.language import quantity
from server.linkeddata.describe import Description, Value

DC = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"


@dataclass(frozen=True)
class Fact:
    """One row of a summary list: a heading (interface string) and the properties whose values it shows."""

    heading: str                   # key in server.i18n.strings
    properties: tuple[str, ...]    # ``ik:x`` or full IRIs; values of all of them, in this order
    required: bool = False         # shown as "not stated in the report" when the graph has no value
    inline: bool = False           # values on one line (short lists such as numbers)


@dataclass(frozen=True)
class Kind:
    facts: tuple[Fact, ...] = ()
    text: tuple[str, ...] = ()     # properties whose literals are the page's running text, in this order
    caption_number: str | None = None  # property giving the number in the caption line ("Maßnahme 22")


SUMMARIES: dict[str, Kind] = {
    "massnahme": Kind(
        facts=(
            Fact("summary.field", ("ik:handlungsfeld",), required=True),
            Fact("summary.goal", ("ik:verfolgtZiel",), required=True),
            Fact("summary.unit", ("ik:zustaendig",), required=True),
            Fact("summary.groups", ("ik:zielgruppe",), required=True),
            Fact("summary.drucksachen", ("ik:drucksachenangabe",), inline=True),
            Fact("summary.start", (SCHEMA + "startDate",), inline=True),
            Fact("summary.end", (SCHEMA + "endDate",), inline=True),
            Fact("summary.duration", (SCHEMA + "duration",), inline=True),
            Fact("summary.min_age", ("ik:mindestalter",), inline=True),
            Fact("summary.max_age", ("ik:hoechstalter",), inline=True),
            Fact("summary.more_info", ("ik:weitereInfo",)),
        ),
        text=(DC + "description",),
        caption_number=SKOS + "notation",
    ),
    "ziel": Kind(facts=(Fact("summary.field", ("ik:handlungsfeld",), required=True),),
                 text=(SKOS + "definition", DC + "description")),
    "handlungsfeld": Kind(facts=(Fact("summary.chapter", ("ik:kapitel",)),
                                 Fact("summary.measure_count", ("ik:anzahlMassnahmen",)),
                                 Fact("summary.featured", ("ik:beispiel",))),
                          caption_number=SKOS + "notation"),  # its introduction: the field's own section
    "oe": Kind(facts=(Fact("summary.unit_number", (ORG + "identifier",), required=True, inline=True),
                      Fact("summary.short_name", (SKOS + "altLabel",), inline=True),
                      Fact("summary.unit_kind", (ORG + "classification",)),
                      Fact("summary.part_of", (ORG + "subOrganizationOf",), required=True),
                      Fact("summary.measure_count", ("ik:anzahlMassnahmen",)),
                      Fact("summary.found_in", ("ik:fundstelle",), inline=True))),
    "zielgruppe": Kind(facts=(Fact("summary.broader", (SKOS + "broader",)),
                              Fact("summary.narrower", (SKOS + "narrower",)),
                              Fact("summary.measure_count", ("ik:anzahlMassnahmen",))),
                       text=(SKOS + "definition",)),
    # a concept scheme (/def/zielgruppen, /def/handlungsfelder …): its concepts, each linked to its page
    "scheme": Kind(facts=(Fact("summary.top_concepts", (SKOS + "hasTopConcept",)),), text=(DC + "description",)),
    "drucksache": Kind(),  # its section (server.drucksache) is its summary: number, term, kind, citing measures
    "beleg": Kind(),  # its section (server.pages.evidence.beleg_summary): the statement it backs, the words, where
    "bericht": Kind(facts=(Fact("summary.short_title", (DC + "alternative",)),
                           Fact("summary.publisher", (DC + "publisher",)),
                           Fact("summary.editor", (DC + "creator",)),
                           Fact("summary.period_covered", (SCHEMA + "temporalCoverage",)),
                           Fact("summary.issued", (DC + "issued",), required=True),
                           Fact("summary.language", (DC + "language",))),
                    text=(DC + "description",)),
    "schwerpunkt": Kind(facts=(Fact("summary.field", ("ik:handlungsfeld",)),
                               Fact("summary.measures", ("ik:betrifftMassnahme",)),
                               Fact("summary.chapter", ("ik:kapitel",))),
                        text=(DC + "description", "ik:schwerpunktZiel")),
}


@dataclass
class Item:
    """A value as shown: text, its language, and where it links (our own path) if anywhere."""

    text: str
    lang: str | None = None
    path: str | None = None


@dataclass
class Row:
    heading: str
    items: list[Item]
    unknown: bool = False  # the report does not say (ik:nichtAngegeben)
    inline: bool = False


@dataclass
class Block:
    """A piece of running text: a paragraph, or a list where the report's lines start with a bullet."""

    items: list[str]
    is_list: bool = False


@dataclass
class Summary:
    caption_number: str | None
    rows: list[Row]
    text: list[Block] = field(default_factory=list)
    text_lang: str | None = None


_BULLET = re.compile(r"^\s*[•\-–▪◦·*]\s*")


def paragraphs(text: str) -> list[Block]:
    """The report's own line breaks and bullet lists: lines starting with a bullet become one list."""
    blocks: list[Block] = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if _BULLET.match(line):
            item = _BULLET.sub("", line)
            if blocks and blocks[-1].is_list:
                blocks[-1].items.append(item)
            else:
                blocks.append(Block([item], is_list=True))
        else:
            blocks.append(Block([line]))
    return blocks


def summary(r: Description, kind: str, ik: str, path_of, lang: str) -> Summary | None:
    """The summary of ``r`` for a page in language ``lang``; None for kinds without one."""
    spec = SUMMARIES.get(kind)
    if spec is None:
        return None

    def full(p: str) -> str:
        return ik + p[3:] if p.startswith("ik:") else p

    not_stated = {v.term.value for v in r.outgoing.get(ik + "nichtAngegeben", [])}
    rows = []
    for fact in spec.facts:
        props = [full(p) for p in fact.properties]
        values = [(p, v) for p in props for v in r.outgoing.get(p, [])]
        if fact.heading == "summary.drucksachen":
            items = [_citation(v, path_of) for _, v in values]
        else:
            items = [_item(p, v, path_of, lang) for p, v in values]
        if items:
            rows.append(Row(fact.heading, items, inline=fact.inline))
        elif fact.required or any(p in not_stated for p in props):
            rows.append(Row(fact.heading, [], unknown=True))
    blocks: list[Block] = []
    text_lang = None
    for p in spec.text:
        for v in r.outgoing.get(full(p), []):
            if isinstance(v.term, ox.Literal):
                blocks += paragraphs(v.term.value)
                text_lang = text_lang or v.term.language or None
    number = None
    if spec.caption_number:
        found = r.outgoing.get(full(spec.caption_number))
        number = found[0].text if found else None
    return Summary(number, rows, blocks, text_lang)


def _item(prop: str, v: Value, path_of, lang: str) -> Item:
    if v.is_iri and not v.labels and v.term.value in TERMS:  # a standard term, e.g. the report's language
        return Item(term_label(v.term.value, lang=lang), None, None)
    if v.is_iri:
        text, text_lang = v.label_in(lang)
        return Item(text, text_lang or None, path_of(v.term.value))
    shown = quantity(prop, v.term.value)  # dates, durations and ages in words, as the evidence section writes them
    return Item(shown, None if shown != v.term.value else v.lang)


def _citation(v: Value, path_of) -> Item:
    """A Drucksache as the report cites it, linked to the Drucksache it names (the build's own parser)."""
    text = v.term.value
    key = _drucksache_key(text)
    return Item(text, "de") if key is None else Item(text, None, f"/id/drucksache/{key}")


@memoized(4096)  # the report's citations are a few hundred strings; parsing each took a fifth of a summary
def _drucksache_key(text: str) -> str | None:
    try:
        return parse(text).key
    except CitationError:
        return None
