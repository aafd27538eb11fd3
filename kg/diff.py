"""What changed between two graphs: measures added, removed, retired (per the URI registry), and per measure the
fields that changed, old → new.

Computed from the graphs, not from the CSV text: a renamed or reordered column, a re-quoted cell or a workbook
round trip change no triple and so show no change. A field is a property of the measure (its label from the
ontology); its values are compared as RDF terms and shown by their labels in the graph they come from. Counts the
build derives (``ik:anzahlMassnahmen``) are left out; everything else that changed outside the measures is listed
per resource.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS

from kg.namespaces import DCAT_HAS_VERSION, DCAT_VERSION, DEFAULT_BASE, IK
from kg.registry import load as load_registry

CHANGES = "changes.json"  # the change list a release keeps against the release before it
DERIVED = {IK.anzahlMassnahmen}  # counted by the build: they follow from the measures' own changes
# Describe the release, not the data: every release changes them.
VERSION_PROPERTIES = {OWL.versionInfo, DCAT_VERSION, DCTERMS.issued, DCTERMS.hasVersion, DCAT_HAS_VERSION,
                      SKOS.editorialNote}
KINDS = ("neu", "geändert", "zurückgezogen", "zusammengelegt", "entfernt")
# Standard properties of a measure by the names the clerk knows from the workbook (ik: terms carry their own label).
FIELD_LABELS = {
    DCTERMS.title: "Titel", DCTERMS.description: "Beschreibung", DCTERMS.identifier: "Kennung", SKOS.notation: "Nummer",
    DCTERMS.references: "Drucksachen", DCTERMS.source: "Quelle", SKOS.editorialNote: "Notiz",
    RDFS.seeAlso: "weitere Infos (Link)", RDF.type: "Typ",
    URIRef("https://schema.org/startDate"): "Beginn", URIRef("https://schema.org/endDate"): "Ende",
    URIRef("https://schema.org/duration"): "Dauer", URIRef("https://schema.org/actionStatus"): "Stand",
}
# Which editions list a measure (kg/editions.py): a new edition lists nearly every measure again, so that shows once,
# as the new report, not as a change of each measure.
EDITION_FIELDS = {"gelistetIn", "erstmalsIn", "zuletztIn"}
# rdfs:label repeats dct:title: one change, shown once.
COPIES = {RDFS.label: DCTERMS.title}
# Resources that belong to one measure (its appendix entry, its status statements, its evidence): their changes
# are the measure's (its field „Statusangabe“ or „Beleg“ changes with them), not listed apart.
OWNED_BY = (FOAF.primaryTopic,)     # owned -> measure
OWNS = ("statusangabe", "beleg")    # measure -> owned, ik: terms


@dataclass
class FieldChange:
    field: str             # property IRI
    label: str             # its German label from the ontology (or the IRI's last part)
    old: list[str]         # values as shown: labels of resources, text of literals
    new: list[str]

    # A field with several values that keeps some of them (a second unit, one more status statement) reads best as
    # what came and what went; a field whose values all changed reads as old → new.
    def kept(self) -> list[str]:
        return [v for v in self.new if v in self.old]

    def added(self) -> list[str]:
        return [v for v in self.new if v not in self.old]

    def removed(self) -> list[str]:
        return [v for v in self.old if v not in self.new]


@dataclass
class MeasureChange:
    kind: str              # one of KINDS
    uri: str
    nr: int
    title: str
    handlungsfeld: list[str] = field(default_factory=list)  # keys, for filtering (/aenderungen)
    oe: list[str] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)
    successor: str | None = None   # a merged measure's successor (URI)
    reason: str = ""               # from the URI registry


@dataclass
class OtherChange:
    kind: str      # neu | geändert | entfernt
    uri: str
    label: str
    type: str      # label of its class


@dataclass
class Changes:
    measures: list[MeasureChange] = field(default_factory=list)
    others: list[OtherChange] = field(default_factory=list)
    initial: bool = False  # nothing was published before: every measure is new, nothing else is listed

    def __bool__(self) -> bool:
        return bool(self.measures or self.others)

    def of(self, kind: str) -> list[MeasureChange]:
        return [m for m in self.measures if m.kind == kind]

    def to_json(self) -> dict:
        return {"initial": self.initial, "measures": [asdict(m) for m in self.measures],
                "others": [asdict(o) for o in self.others]}

    @classmethod
    def from_json(cls, data: dict) -> Changes:
        measures = [MeasureChange(**{**m, "fields": [FieldChange(**f) for f in m.get("fields", [])]})
                    for m in data.get("measures", [])]
        return cls(measures, [OtherChange(**o) for o in data.get("others", [])], bool(data.get("initial")))


def load_graph(path: Path) -> Graph:
    g = Graph()
    g.parse(str(path), format="nt")
    return g


def read(path: Path) -> Changes | None:
    import json

    try:
        return Changes.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


class _View:
    """Labels and measure records of one graph."""

    def __init__(self, graph: Graph, base: str) -> None:
        self.g = graph
        self.base = base
        self.ik = URIRef(base + "def/ik#")

    def label(self, node) -> str:
        if isinstance(node, Literal):
            return str(node)
        for p in (SKOS.prefLabel, RDFS.label, DCTERMS.title):
            found = [o for o in self.g.objects(node, p) if isinstance(o, Literal)]
            if found:
                german = [o for o in found if o.language == "de"] or found
                return str(sorted(german)[0])
        text = str(node)
        return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    def measure_class(self) -> URIRef:
        return URIRef(str(self.ik) + "Massnahme")

    def measures(self) -> dict[URIRef, dict[URIRef, set]]:
        out: dict[URIRef, dict[URIRef, set]] = {}
        for m in self.g.subjects(RDF.type, self.measure_class()):
            fields: dict[URIRef, set] = defaultdict(set)
            for p, o in self.g.predicate_objects(m):
                fields[p].add(o)
            out[m] = fields
        return out

    def keys(self, fields: dict, prop: str) -> list[str]:
        return sorted(str(o).rsplit("/", 1)[-1] for o in fields.get(URIRef(str(self.ik) + prop), ()))

    def nr(self, node: URIRef, fields: dict) -> int:
        for o in fields.get(SKOS.notation, ()):
            if str(o).isdigit():
                return int(str(o))
        tail = str(node).rsplit("/", 1)[-1]
        return int(tail) if tail.isdigit() else 0


def _shown(view: _View, values: set) -> list[str]:
    return sorted(view.label(v) for v in values)


def compare(old: Graph | None, new: Graph, base: str = DEFAULT_BASE, registry: Path | None = None) -> Changes:
    """The changes from ``old`` (None: nothing published before) to ``new``; ``registry`` is the URI registry
    that goes with ``new`` and says which vanished measures were retired or merged."""
    before, after = _View(old if old is not None else Graph(), base), _View(new, base)
    was, now = before.measures(), after.measures()
    retired = load_registry(registry) if registry else {}  # RegistryError names the file and line
    changes = Changes(initial=old is None)
    for m in sorted(set(was) | set(now), key=lambda u: (after.nr(u, now[u]) if u in now else before.nr(u, was[u]))):
        if m in now and m not in was:
            f = now[m]
            changes.measures.append(MeasureChange("neu", str(m), after.nr(m, f), after.label(m),
                                                  after.keys(f, "handlungsfeld"), after.keys(f, "zustaendig")))
        elif m in was and m not in now:
            f = was[m]
            entry = retired.get("/" + str(m)[len(base):])
            kind = {"gone": "zurückgezogen", "moved": "zusammengelegt"}.get(entry.status if entry else "", "entfernt")
            successor = entry.successor_path if entry else None
            changes.measures.append(MeasureChange(
                kind, str(m), before.nr(m, f), before.label(m), before.keys(f, "handlungsfeld"),
                before.keys(f, "zustaendig"), successor=base + successor.lstrip("/") if successor else None,
                reason=entry.reason if entry else ""))
        else:
            fields = _fields(before, after, was[m], now[m])
            if fields:
                f = now[m]
                changes.measures.append(MeasureChange("geändert", str(m), after.nr(m, f), after.label(m),
                                                      after.keys(f, "handlungsfeld"), after.keys(f, "zustaendig"), fields))
    if old is not None:
        changes.others = _others(before, after, set(was) | set(now))
    return changes


def _field_label(before: _View, after: _View, p: URIRef) -> str:
    if p in FIELD_LABELS:
        return FIELD_LABELS[p]
    return after.label(p) if (p, None, None) in after.g else before.label(p)


def _fields(before: _View, after: _View, old: dict, new: dict) -> list[FieldChange]:
    out = []
    for p in set(old) | set(new):
        a, b = old.get(p, set()), new.get(p, set())
        if p == DCTERMS.source:  # the editions listing it: see EDITION_FIELDS
            continue
        if a == b or p in DERIVED or str(p).rsplit("#", 1)[-1] in EDITION_FIELDS and str(p).startswith(str(after.ik)):
            continue
        copied = COPIES.get(p)
        if copied and {str(v) for v in a} == {str(v) for v in old.get(copied, ())} \
                and {str(v) for v in b} == {str(v) for v in new.get(copied, ())}:
            continue
        out.append(FieldChange(str(p), _field_label(before, after, p), _shown(before, a), _shown(after, b)))
    return sorted(out, key=lambda f: f.label.lower())


def _others(before: _View, after: _View, measures: set) -> list[OtherChange]:
    """Resources other than measures whose own statements changed (release descriptions and derived counts aside)."""
    def statements(view: _View) -> dict[URIRef, set]:
        owned = {s for p in OWNED_BY for s, m in view.g.subject_objects(p) if m in measures}
        owned |= {o for name in OWNS for m, o in view.g.subject_objects(URIRef(str(view.ik) + name)) if m in measures}
        out: dict[URIRef, set] = defaultdict(set)
        for s, p, o in view.g:
            if s in measures or s in owned or p in DERIVED or p in VERSION_PROPERTIES or not isinstance(s, URIRef):
                continue
            # The releases and the dataset's own description (its counts follow from the measures) describe the
            # publication, not the data.
            if str(s).startswith((view.base + "release/", view.base + "catalog/")):
                continue
            out[s].add((p, o))
        return out

    was, now = statements(before), statements(after)
    out = []
    for s in sorted(set(was) | set(now), key=str):
        a, b = was.get(s, set()), now.get(s, set())
        if a == b:
            continue
        view = after if s in now else before
        kind = "neu" if not a else "entfernt" if not b else "geändert"
        types = sorted(view.label(t) for t in view.g.objects(s, RDF.type) if t != PROV.Entity)
        out.append(OtherChange(kind, str(s), view.label(s), types[0] if types else ""))
    return out


def text(changes: Changes, old_name: str, new_name: str) -> str:
    """The change list as the clerk reads it in the terminal (German)."""
    lines = [f"Änderungen von {old_name} zu {new_name}:"]
    if changes.initial:
        return f"Erste Veröffentlichung ({new_name}): {len(changes.measures)} Maßnahmen, alle neu.\n"
    if not changes:
        return lines[0] + " keine.\n"
    for kind in KINDS:
        for m in changes.of(kind):
            lines.append(f"  {kind}: Maßnahme {m.nr} „{m.title}“" + _retired_note(m))
            for f in m.fields:
                if f.kept():
                    parts = [f"{word} {_values(v)}" for word, v in (("hinzu:", f.added()), ("entfällt:", f.removed())) if v]
                    lines.append(f"      {f.label}: {'; '.join(parts)}")
                else:
                    lines.append(f"      {f.label}: {_values(f.old)} → {_values(f.new)}")
    if changes.others:
        lines.append(f"  außerdem {len(changes.others)} weitere Ressource(n):")
        for o in changes.others:
            lines.append(f"      {o.kind}: {o.type} „{o.label}“ ({o.uri})")
    removed = changes.of("entfernt")
    if removed:
        lines.append("  Achtung: " + ", ".join(str(m.nr) for m in removed) + " fehlen ohne Eintrag in uri-registry.csv → "
                     "dort mit status gone oder moved eintragen (data/ANLEITUNG.md, „Eine Maßnahme zurückziehen“).")
    return "\n".join(lines) + "\n"


def _retired_note(m: MeasureChange) -> str:
    parts = [p for p in (m.reason, f"Nachfolger {m.successor}" if m.successor else "") if p]
    return f" ({'; '.join(parts)})" if parts else ""


def _values(values: list[str]) -> str:
    if not values:
        return "–"
    shown = [f"„{v if len(v) <= 120 else v[:117] + '…'}“" for v in values]
    return ", ".join(shown)
