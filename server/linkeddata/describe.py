"""What the server says about one resource: its triples, labels of what it links to, and incoming links.

Outgoing triples are few and always complete. Incoming links are fetched whole up to HUB of them (the real data
has at most ~200). Beyond that the resource is a hub (at 1000x every measure cites the report): its incoming links
are counted per group in SPARQL and only the requested page of them is fetched.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import pyoxigraph as ox

from kg.store import Store
from server.formats import GRAPH_FORMATS
from server.i18n.language import pick
from server.linkeddata import queries
from server.linkeddata.queries import IK, RDFS_LABEL

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HYDRA = "http://www.w3.org/ns/hydra/core#"
HUB = 1000  # more incoming links than this are paged; an RDF document holds this many per page

T = TypeVar("T")
Keep = Callable[[str, Callable[[], T]], T]  # (name, compute) -> the value, computed at most once per build


def computed(name: str, compute: Callable[[], T]) -> T:
    """A :data:`Keep` that keeps nothing (a store without builds, in tests)."""
    return compute()


def exists(store: Store, subject: str) -> bool:
    return bool(store.query(queries.exists(subject)))


def _outgoing(store: Store, subject: str, value_types: bool = True) -> list[ox.Triple]:
    return list(store.query(queries.outgoing(subject, value_types)))


def _incoming(store: Store, subject: str, members: str | None = None, window: slice | None = None,
              with_term_labels: bool = True) -> list[ox.Triple]:
    """Incoming links (all, or those `members` selects), optionally only the `window` of them."""
    return list(store.query(queries.incoming(subject, members, window, with_term_labels)))


def _term_labels(store: Store, subject: str, ts: list[ox.Triple], keep: Keep) -> list[ox.Triple]:
    """The labels of the predicates in ``ts`` (the resource's triples and its incoming links, from the queries without
    term labels) and of the linking resources' types. Terms are few and the same on every page of a build: each
    one's labels are fetched once per build (``keep``)."""
    known: dict[str, list[ox.Triple]] = keep("term-labels", dict)
    node, terms = ox.NamedNode(subject), set()
    for t in ts:
        p = t.predicate.value
        if t.subject.value == subject:
            terms.add(p)  # a predicate of the resource
            continue
        o = t.object
        if p == RDF_TYPE:
            terms.add(o.value)  # a type of a linking resource
        if o == node:
            terms.add(p)  # a predicate linking here
    missing = sorted(terms - known.keys())
    if missing:
        found: dict[str, list[ox.Triple]] = {term: [] for term in missing}
        for t in store.query(queries.term_labels(missing)):
            found[t.subject.value].append(t)
        known.update(found)
    return [label for term in sorted(terms) for label in known[term]]


def _incoming_count(store: Store, subject: str) -> int:
    return int(store.select(queries.incoming_count(subject))[0]["n"])


def _incoming_total(store: Store, subject: str, keep: Keep) -> int:
    """How many links point to ``subject``. Counted up to HUB + 1 only, so a page about one resource never counts
    the links of a hub; a hub's exact total is counted once per build (``keep``): it grows with the data."""
    n = int(store.select(queries.incoming_count(subject, at_most=HUB + 1))[0]["n"])
    return n if n <= HUB else keep(f"incoming|{HUB}|{subject}", lambda: _incoming_count(store, subject))


def _incoming_groups(store: Store, subject: str) -> dict[tuple[str, str], int]:
    """Number of incoming links per (predicate, main type of the linking resource), as describe() groups them."""
    return {(row["ip"], row.get("t", "")): int(row["n"]) for row in store.select(queries.incoming_groups(subject))}


def _distinct(ts: list[ox.Triple]) -> list[ox.Triple]:
    """Neighbours' labels may come from two queries; each triple once."""
    return list(dict.fromkeys(ts))


def serialize(ts: list[ox.Triple], fmt: str, prefixes: dict[str, str]) -> bytes:
    options = {"prefixes": prefixes} if fmt in ("ttl", "rdf", "trig") else {}
    # Grouped by subject, so Turtle and RDF/XML show each resource as one block.
    ordered = sorted(ts, key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))
    return ox.serialize(ordered, format=GRAPH_FORMATS[fmt].oxigraph, **options)


@dataclass
class Document:
    """The triples of an RDF document about a resource: complete, or one page of a hub's incoming links."""

    triples: list[ox.Triple]
    incoming: int  # incoming links in all
    pages: int  # 1: all of them are in `triples`


def document(store: Store, subject: str, page: int = 1, keep: Keep = computed) -> Document | None:
    """The RDF document about `subject`, None if the store says nothing about it."""
    out = _outgoing(store, subject)
    if not out:
        return None
    total = _incoming_total(store, subject, keep)
    pages = math.ceil(total / HUB) if total > HUB else 1
    window = slice((page - 1) * HUB, page * HUB) if pages > 1 else None
    inc = _incoming(store, subject, window=window, with_term_labels=False)
    # Labels of the predicates and of the linking resources' types, not of the values' types (as before: the
    # document names what its values are, the vocabulary's document labels the classes).
    own = [t for t in out if t.subject.value == subject]
    return Document(_distinct(out + inc + _term_labels(store, subject, own + inc, keep)), total, pages)


def paging(doc: str, page: int, pages: int, total: int) -> list[ox.Triple]:
    """What a page of a hub's document says about itself: a hydra:PartialCollectionView of its incoming links."""
    def at(n: int) -> ox.NamedNode:
        return ox.NamedNode(f"{doc}?seite={n}")

    def hydra(name: str) -> ox.NamedNode:
        return ox.NamedNode(HYDRA + name)

    view = at(page)
    ts = [
        ox.Triple(ox.NamedNode(doc), hydra("totalItems"), ox.Literal(total)),
        ox.Triple(ox.NamedNode(doc), hydra("view"), view),
        ox.Triple(view, ox.NamedNode(RDF_TYPE), hydra("PartialCollectionView")),
        ox.Triple(view, hydra("first"), at(1)),
        ox.Triple(view, hydra("last"), at(pages)),
    ]
    if page > 1:
        ts.append(ox.Triple(view, hydra("previous"), at(page - 1)))
    if page < pages:
        ts.append(ox.Triple(view, hydra("next"), at(page + 1)))
    return ts


@dataclass
class Value:
    term: ox.NamedNode | ox.Literal | ox.BlankNode
    label: str | None = None  # German (or untagged) label, the graph's own language
    types: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # every label of the resource: {lang: text}

    def label_in(self, lang: str) -> tuple[str, str]:
        """(label, its language) in ``lang`` where the graph has it, else German; the IRI if it has no label."""
        return pick(self.labels, lang) if self.labels else (self.term.value, "")

    @property
    def is_iri(self) -> bool:
        return isinstance(self.term, ox.NamedNode)

    @property
    def text(self) -> str:
        return self.label or self.term.value

    @property
    def lang(self) -> str | None:
        return self.term.language if isinstance(self.term, ox.Literal) else None


@dataclass
class Group:
    """Incoming links of one predicate from resources of one type: how many, and those on the requested page."""

    total: int
    values: list[Value]


@dataclass
class Description:
    """A resource shaped for a page: properties and incoming links, each value with its label."""

    subject: str
    label: str | None
    types: list[str]
    labels: dict[str, str]  # the resource's own labels, {lang: text}
    outgoing: dict[str, list[Value]]
    incoming: dict[tuple[str, str], Group]  # (predicate, type of the linking resource) -> group
    predicate_labels: dict[str, str]
    term_labels: dict[str, dict[str, str]]  # labels of predicates, types and linked terms in every language

    def label_in(self, lang: str) -> tuple[str, str]:
        return pick(self.labels, lang) if self.labels else (self.label or self.subject, "")


@dataclass(frozen=True)
class Hub:
    """What a hub's page needs whatever page of its links is asked for, the same for a whole build: the number of
    links per group, and the groups of at most HUB links, whole."""

    groups: dict[tuple[str, str], int]
    whole: list[ox.Triple]


def _hub(store: Store, subject: str) -> Hub:
    groups = _incoming_groups(store, subject)
    whole = []
    for (p, t), n in groups.items():
        if n <= HUB:  # fetched whole, so its page is cut from the same order as on any other resource
            whole += _incoming(store, subject, queries.group_members(subject, p, t))
    return Hub(groups, whole)


def description(store: Store, subject: str, page: int, page_size: int, keep: Keep = computed) -> Description | None:
    """`subject` for its HTML page, with page `page` of each group of incoming links; None if unknown.

    A hub's group counts and small groups come from ``keep`` (once per build: counting them reads every link, which
    grows with the data); per request only the asked-for window of each large group is fetched."""
    out = _outgoing(store, subject, value_types=False)  # a page names its values, it shows not their types
    if not out:
        return None
    window = slice((page - 1) * page_size, page * page_size)
    if _incoming_total(store, subject, keep) <= HUB:
        ts = out + _incoming(store, subject, with_term_labels=False)
        return describe(_distinct(ts + _term_labels(store, subject, ts, keep)), subject, window)
    hub = keep(f"hub|{HUB}|{subject}", lambda: _hub(store, subject))
    ts, paged = list(out) + hub.whole, {}
    for (p, t), n in hub.groups.items():
        if n > HUB:
            ts += _incoming(store, subject, queries.group_members(subject, p, t), window, with_term_labels=False)
            paged[(p, t)] = n
    return describe(_distinct(ts + _term_labels(store, subject, ts, keep)), subject, window, paged)


def describe(ts: list[ox.Triple], subject: str, window: slice,
             paged: dict[tuple[str, str], int] | None = None) -> Description:
    """Shape triples for a page. Groups of incoming links are cut to `window`, except those in `paged`
    (group -> total), of which `ts` holds only the window: sorted like the others, but within the page only."""
    paged = paged or {}
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    types: dict[str, list[str]] = defaultdict(list)
    out: dict[str, list[ox.Term]] = defaultdict(list)
    inc: dict[str, list[ox.Term]] = defaultdict(list)
    for t in ts:
        s, p, o = t.subject, t.predicate.value, t.object
        s_value = s.value  # each .value makes a new string: asked once per triple
        if p == RDFS_LABEL and isinstance(o, ox.Literal):
            labels[s_value][o.language or ""] = o.value
        elif p == RDF_TYPE and s_value != subject:
            types[s_value].append(o.value)
        if s_value == subject:
            out[p].append(o)
        elif isinstance(o, ox.NamedNode) and o.value == subject:
            inc[p].append(s)

    def label_of(iri: str) -> str | None:
        found = labels.get(iri, {})
        return found.get("de") or found.get("") or next(iter(found.values()), None)

    def value(term) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(term, label_of(term.value), sorted(set(types.get(term.value, []))), labels.get(term.value, {}))
        return Value(term)

    def sort_key(v: Value):
        # Ties (two measures with one title) by IRI, so every engine gives the same page, whatever its row order.
        text = v.text
        return (0, int(text), "") if text.isdigit() else (1, text.lower(), str(v.term))

    outgoing = {p: sorted((value(o) for o in objs), key=sort_key) for p, objs in out.items()}
    # Incoming links grouped by predicate and by the linking resource's type: "Quelle von: Maßnahme (129)".
    grouped: dict[tuple[str, str], list[Value]] = defaultdict(list)
    for p, subs in inc.items():
        for s in subs:
            v = value(s)
            main_type = next((t for t in v.types if IK in t), v.types[0] if v.types else "")
            grouped[(p, main_type)].append(v)
    groups = {}
    for key in grouped.keys() | paged.keys():
        values = sorted(grouped.get(key, []), key=sort_key)
        groups[key] = Group(paged[key], values) if key in paged else Group(len(values), values[window])
    terms = set(outgoing) | {p for p, _ in groups} | {t for _, t in groups}
    predicate_labels = {p: label_of(p) for p in terms if label_of(p)}
    term_labels = {p: labels[p] for p in terms | {v.term.value for vs in outgoing.values() for v in vs} if p in labels}
    return Description(
        subject=subject,
        label=label_of(subject),
        labels=labels.get(subject, {}),
        types=[v.term.value for v in outgoing.get(RDF_TYPE, [])],
        outgoing=outgoing,
        incoming=groups,
        predicate_labels=predicate_labels,
        term_labels=term_labels,
    )
