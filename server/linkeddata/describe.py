"""What the server says about one resource: its triples, labels of what it links to, and incoming links.

An HTML page fetches a resource's incoming links whole per request up to WHOLE of them. Beyond that (the report,
fields of action, unit kinds and statuses at scale; at 1000x every measure cites the report) the resource is a hub:
once per build its incoming links are counted per group and each group is put in page order – a group of at most
HUB links with its triples, a larger one as IRIs – and per request only the asked-for window of each group is
shaped (the labels of a large group's window looked up by IRI). Outgoing triples are few, and fetched whole up to
WHOLE; a resource with more shows the first values of each property (kept once per build) and says how many more
there are. So a page costs the same whatever the size of the graph. An RDF document is complete, its incoming links
paged at HUB.
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
# An HTML page fetches at most this many incoming links (and own triples) per request (a resource with more is a hub,
# above): fetching and shaping them costs ~20 µs each, so up to 100 cost what the rest of a page costs.
WHOLE = 100

T = TypeVar("T")
# (name, compute, resource=False) -> the value, computed at most once per build; ``resource``: a value about one
# resource (there are as many as resources, the rest is a handful)
Keep = Callable[..., T]


def computed(name: str, compute: Callable[[], T], resource: bool = False) -> T:
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


def _term_labels(store: Store, subject: str, ts: list[ox.Triple], keep: Keep,
                 more_terms: frozenset[str] = frozenset()) -> list[ox.Triple]:
    """The labels of the predicates in ``ts`` (the resource's triples and its incoming links, from the queries without
    term labels), of the linking resources' types and of ``more_terms``. Terms are few and the same on every page of
    a build: each one's labels are fetched once per build (``keep``)."""
    known: dict[str, list[ox.Triple]] = keep("term-labels", dict)
    node, terms = ox.NamedNode(subject), set(more_terms)
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


def _count(store: Store, query: str) -> int:
    return int(store.select(query)[0]["n"])


def _incoming_count(store: Store, subject: str) -> int:
    return _count(store, queries.incoming_count(subject))


def _many_incoming(store: Store, subject: str) -> bool:
    """More than WHOLE links point here (counted up to WHOLE + 1 only): its page takes the hub path."""
    return _count(store, queries.incoming_count(subject, at_most=WHOLE + 1)) > WHOLE


def _many_own(store: Store, subject: str) -> bool:
    """More than WHOLE triples of its own (counted up to WHOLE + 1 only): its page shows the first values."""
    return _count(store, queries.outgoing_count(subject, at_most=WHOLE + 1)) > WHOLE


def _incoming_total(store: Store, subject: str, keep: Keep) -> int:
    """How many links point to ``subject``. Counted up to HUB + 1 only, so a page about one resource never counts
    the links of a hub; a hub's exact total is counted once per build (``keep``): it grows with the data."""
    n = _count(store, queries.incoming_count(subject, at_most=HUB + 1))
    return n if n <= HUB else keep(f"incoming|{HUB}|{subject}", lambda: _incoming_count(store, subject), resource=True)


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
    # properties of which `outgoing` holds only the first values (a resource with many, :func:`description`): their totals
    outgoing_totals: dict[str, int] = field(default_factory=dict)

    def label_in(self, lang: str) -> tuple[str, str]:
        return pick(self.labels, lang) if self.labels else (self.label or self.subject, "")


Member = tuple[ox.Triple, ...]  # a linking resource's link, labels and types


@dataclass(frozen=True)
class Hub:
    """What a hub's page needs whatever page of its links is asked for, the same for a whole build: the number of
    links per group and each group in page order (the order :func:`describe` sorts a group in), so that a page
    shapes no more than its window: a group of at most HUB links with each linking resource's triples (``members``),
    a larger one as the linking resources' IRIs (``order``: their labels and types are fetched for the window)."""

    groups: dict[tuple[str, str], int]
    members: dict[tuple[str, str], list[Member]]
    order: dict[tuple[str, str], list[str]]


def _hub(store: Store, subject: str) -> Hub:
    groups = _incoming_groups(store, subject)
    members, order = {}, {}
    for (p, t), n in groups.items():
        ts = _incoming(store, subject, queries.group_members(subject, p, t), with_term_labels=False)
        ordered = _in_page_order(ts, subject)
        if n <= HUB:
            members[(p, t)] = ordered
        elif all(isinstance(m[0].subject, ox.NamedNode) for m in ordered):
            order[(p, t)] = [m[0].subject.value for m in ordered]
        # else (blank nodes, which no query can name): an unordered LIMIT/OFFSET window per request
    return Hub(groups, members, order)


def _in_page_order(ts: list[ox.Triple], subject: str) -> list[Member]:
    """The triples of one group's linking resources, resource by resource, in the order describe() lists them."""
    of: dict[str, list[ox.Triple]] = defaultdict(list)
    for t in ts:
        of[t.subject.value].append(t)
    shaped = describe(_distinct(ts), subject, slice(None))
    return [tuple(of[v.term.value]) for group in shaped.incoming.values() for v in group.values]


def description(store: Store, subject: str, page: int, page_size: int, keep: Keep = computed) -> Description | None:
    """`subject` for its HTML page, with page `page` of each group of incoming links; None if unknown.

    A resource with more than WHOLE incoming links is a hub: its group counts and its groups in page order come from
    ``keep`` (once per build: counting and sorting them reads every link, which grows with the data); per request
    only the asked-for window of each group is shaped, the labels and types of a large group's window fetched by IRI."""
    out, totals = _page_outgoing(store, subject, page_size, keep)
    if not out:
        return None
    window = slice((page - 1) * page_size, page * page_size)
    if not _many_incoming(store, subject):
        ts = out + _incoming(store, subject, with_term_labels=False)
        return describe(_distinct(ts + _term_labels(store, subject, ts, keep)), subject, window, totals=totals)
    hub = keep(f"hub|{HUB}|{subject}", lambda: _hub(store, subject), resource=True)
    ts, named, node = list(out), [], ox.NamedNode(subject)
    for (p, t) in hub.groups:
        if (p, t) in hub.members:
            ts += [triple for member in hub.members[(p, t)][window] for triple in member]
        elif (p, t) in hub.order:
            # the link and the group's type are known: only the labels are fetched
            for i in hub.order[(p, t)][window]:
                named.append(i)
                ts.append(ox.Triple(ox.NamedNode(i), ox.NamedNode(p), node))
                if t:
                    ts.append(ox.Triple(ox.NamedNode(i), ox.NamedNode(RDF_TYPE), ox.NamedNode(t)))
        else:
            ts += _incoming(store, subject, queries.group_members(subject, p, t), window, with_term_labels=False)
    if named:
        ts += store.query(queries.labels(named))
    # the labels of every group's predicate and type, also of a group with no link in this window
    terms = frozenset(term for key in hub.groups for term in key if term)
    return describe(_distinct(ts + _term_labels(store, subject, ts, keep, terms)), subject, window, dict(hub.groups),
                    totals)


def _page_outgoing(store: Store, subject: str, shown: int, keep: Keep) -> tuple[list[ox.Triple], dict[str, int]]:
    """The resource's own triples for its page, and the totals of the properties cut short. Up to WHOLE triples are
    fetched per request; a resource with more (at 100x the report references 300 Drucksachen) shows the first
    ``shown`` values of each property in page order, kept once per build with the totals of the properties cut."""
    if not _many_own(store, subject):
        return _outgoing(store, subject, value_types=False), {}  # a page names its values, it shows not their types
    return keep(f"outgoing|{shown}|{subject}", lambda: _first_values(store, subject, shown), resource=True)


def _first_values(store: Store, subject: str, shown: int) -> tuple[list[ox.Triple], dict[str, int]]:
    ts = _outgoing(store, subject, value_types=False)
    labels: dict[str, list[ox.Triple]] = defaultdict(list)
    for t in ts:
        if t.subject.value != subject:
            labels[t.subject.value].append(t)  # a value's label
    shaped, node = describe(ts, subject, slice(None)), ox.NamedNode(subject)
    kept, totals = [], {}
    for p, values in shaped.outgoing.items():
        if len(values) > shown:
            totals[p] = len(values)
        for v in values[:shown]:
            kept.append(ox.Triple(node, ox.NamedNode(p), v.term))
            kept += [] if isinstance(v.term, ox.Literal) else labels.get(v.term.value, [])
    return kept, totals


def describe(ts: list[ox.Triple], subject: str, window: slice,
             paged: dict[tuple[str, str], int] | None = None, totals: dict[str, int] | None = None) -> Description:
    """Shape triples for a page. Groups of incoming links are cut to `window`, except those in `paged`
    (group -> total), of which `ts` holds only the window: sorted like the others, but within the page only.
    ``totals``: the properties of which `ts` holds only the first values, with their totals."""
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
        outgoing_totals=dict(totals or {}),
    )
