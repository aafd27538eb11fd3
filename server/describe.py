"""What the server says about one resource: its triples, labels of what it links to, and incoming links."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.store import Store

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# One query: outgoing triples, incoming triples, and label and type of every neighbour (for readable pages).
DESCRIBE = """
CONSTRUCT {{ <{s}> ?p ?o . ?o <{label}> ?ol . ?o a ?ot . ?i ?ip <{s}> . ?i <{label}> ?il . ?i a ?it .
             ?p <{label}> ?pl . ?ip <{label}> ?ipl . ?it <{label}> ?itl }}
WHERE {{
  {{ <{s}> ?p ?o OPTIONAL {{ ?o <{label}> ?ol }} OPTIONAL {{ ?o a ?ot }} OPTIONAL {{ ?p <{label}> ?pl }} }}
  UNION
  {{ ?i ?ip <{s}> OPTIONAL {{ ?i <{label}> ?il }} OPTIONAL {{ ?i a ?it OPTIONAL {{ ?it <{label}> ?itl }} }}
     OPTIONAL {{ ?ip <{label}> ?ipl }} }}
}}"""

RDF_OUT = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
}


def exists(store: Store, subject: str) -> bool:
    return bool(store.query(f"ASK {{ <{subject}> ?p ?o }}"))


def triples(store: Store, subject: str) -> list[ox.Triple]:
    return list(store.query(DESCRIBE.format(s=subject, label=RDFS_LABEL)))


def serialize(ts: list[ox.Triple], fmt: str, prefixes: dict[str, str]) -> bytes:
    options = {"prefixes": prefixes} if fmt in ("ttl", "rdf") else {}
    # Grouped by subject, so Turtle and RDF/XML show each resource as one block.
    ordered = sorted(ts, key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))
    return ox.serialize(ordered, format=RDF_OUT[fmt], **options)


@dataclass
class Value:
    term: ox.NamedNode | ox.Literal | ox.BlankNode
    label: str | None = None
    types: list[str] = field(default_factory=list)

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
class Description:
    """A resource shaped for a page: properties and incoming links, each value with its label."""

    subject: str
    label: str | None
    types: list[str]
    outgoing: dict[str, list[Value]]
    incoming: dict[tuple[str, str], list[Value]]  # (predicate, type of the linking resource) -> values
    predicate_labels: dict[str, str]


def describe(ts: list[ox.Triple], subject: str) -> Description:
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    types: dict[str, list[str]] = defaultdict(list)
    out: dict[str, list[ox.Term]] = defaultdict(list)
    inc: dict[str, list[ox.Term]] = defaultdict(list)
    for t in ts:
        s, p, o = t.subject, t.predicate.value, t.object
        if p == RDFS_LABEL and isinstance(o, ox.Literal):
            labels[s.value][o.language or ""] = o.value
        if p == RDF_TYPE and s.value != subject:
            types[s.value].append(o.value)
        if s.value == subject:
            out[p].append(o)
        elif isinstance(o, ox.NamedNode) and o.value == subject:
            inc[p].append(s)

    def label_of(iri: str) -> str | None:
        found = labels.get(iri, {})
        return found.get("de") or found.get("") or next(iter(found.values()), None)

    def value(term) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(term, label_of(term.value), sorted(set(types.get(term.value, []))))
        return Value(term)

    def sort_key(v: Value):
        text = v.text
        return (0, int(text)) if text.isdigit() else (1, text.lower())

    outgoing = {p: sorted((value(o) for o in objs), key=sort_key) for p, objs in out.items()}
    # Incoming links grouped by predicate and by the linking resource's type: "Quelle von: Maßnahme (129)".
    grouped: dict[tuple[str, str], list[Value]] = defaultdict(list)
    for p, subs in inc.items():
        for s in subs:
            v = value(s)
            main_type = next((t for t in v.types if "/def/ik#" in t), v.types[0] if v.types else "")
            grouped[(p, main_type)].append(v)
    incoming = {key: sorted(vals, key=sort_key) for key, vals in grouped.items()}
    terms = set(outgoing) | {p for p, _ in incoming} | {t for _, t in incoming}
    predicate_labels = {p: label_of(p) for p in terms if label_of(p)}
    return Description(
        subject=subject,
        label=label_of(subject),
        types=[v.term.value for v in outgoing.get(RDF_TYPE, [])],
        outgoing=outgoing,
        incoming=incoming,
        predicate_labels=predicate_labels,
    )
