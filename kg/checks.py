"""Rules over the whole graph that SHACL Core cannot state, or only per focus node at a cost that grows with the
graph: cycles, dates of differing precision, counts, the type a URI promises, the SKOS integrity of the schemes.

Each rule walks the graph once (linear in its size) and returns :class:`~kg.validate.Finding` objects like the
SHACL shapes do, with a rule id (``IK-X..``), a German/English message naming the problem, and the source row of
the offending resource. Violations stop the build like a SHACL violation.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, SKOS

from kg.errors import Origin
from kg.evidence import quoted_in
from kg.mapping import COUNTED, EVIDENCE
from kg.namespaces import DEFAULT_BASE, IK, SCHEMA
from kg.validate import Finding

# The class a resource must have, by the type segment of its URI (id/{type}/{key}).
CLASS_OF_KIND = {
    "massnahme": IK.Massnahme, "handlungsfeld": IK.Handlungsfeld, "ziel": IK.Ziel, "oe": ORG.OrganizationalUnit,
    "organisation": ORG.FormalOrganization, "person": FOAF.Person, "drucksache": IK.Drucksache,
    "zielgruppe": IK.Zielgruppe, "bericht": IK.Bericht, "kapitel": IK.Kapitel, "schwerpunkt": IK.Schwerpunkt,
    "schritt": IK.GeplanterSchritt, "eintrag": IK.Eintrag, "beleg": IK.Beleg, "mitgliedschaft": ORG.Membership,
    "oe-art": SKOS.Concept,
}
HIERARCHIES = {SKOS.broader: "IK-X02 Oberbegriff im Kreis", ORG.subOrganizationOf: "IK-X03 Unterorganisation im Kreis"}

Rule = Callable[[Graph, dict[URIRef, Origin]], Iterator[Finding]]


def _finding(rule: str, focus: URIRef, message: str, origins: dict[URIRef, Origin], path: URIRef | None = None) -> Finding:
    return Finding("Violation", str(focus), str(path) if path is not None else None, rule, message, origins.get(focus))


def _short(node: URIRef) -> str:
    text = str(node)
    return text[len(DEFAULT_BASE):] if text.startswith(DEFAULT_BASE) else text


# ------------------------------------------------------------------ types

def typed_as_their_uri_says(graph: Graph, origins: dict[URIRef, Origin]) -> Iterator[Finding]:
    """``id/massnahme/5`` must be an ik:Massnahme, and so on: a removed or misspelt rdf:type would otherwise hide the
    resource from every shape that targets its class."""
    prefix = DEFAULT_BASE + "id/"
    for subject in set(graph.subjects()):
        if not isinstance(subject, URIRef) or not str(subject).startswith(prefix):
            continue
        kind = str(subject)[len(prefix):].split("/", 1)[0]
        expected = CLASS_OF_KIND.get(kind)
        if expected is not None and (subject, RDF.type, expected) not in graph:
            found = ", ".join(sorted(_short(t) for t in graph.objects(subject, RDF.type))) or "keinen / none"
            yield _finding("IK-X01 Typ fehlt oder falsch", subject,
                           f"{_short(subject)} hat nicht den Typ {graph.namespace_manager.normalizeUri(expected)} "
                           f"(Typ fehlt oder ist falsch geschrieben; gefunden: {found}) / lacks its type. "
                           "Den rdf:type ergänzen oder berichtigen.", origins, RDF.type)


def classes_are_declared(graph: Graph, origins: dict[URIRef, Origin]) -> Iterator[Finding]:
    """Every ik: class a resource is typed with is declared in the ontology (catches ik:Masnahme)."""
    declared = set(graph.subjects(RDF.type, OWL.Class))
    for subject, cls in graph.subject_objects(RDF.type):
        if str(cls).startswith(str(IK)) and cls not in declared:
            yield _finding("IK-X01 Typ fehlt oder falsch", subject,
                           f"Klasse {_short(cls)} gibt es in der Ontologie nicht (falsch geschrieben?) / "
                           "class not in the ontology", origins, RDF.type)


# ------------------------------------------------------------------ hierarchies

def hierarchies_without_cycles(graph: Graph, origins: dict[URIRef, Origin]) -> Iterator[Finding]:
    """skos:broader and org:subOrganizationOf must not lead back to where they started."""
    for prop, rule in HIERARCHIES.items():
        parents: dict[URIRef, list[URIRef]] = defaultdict(list)
        for child, parent in graph.subject_objects(prop):
            parents[child].append(parent)
        state: dict[URIRef, int] = {}  # 1 = on the current path, 2 = done
        for start in sorted(parents):
            if start in state:
                continue
            path, stack = [], [(start, iter(parents.get(start, ())))]
            state[start] = 1
            path.append(start)
            while stack:
                node, todo = stack[-1]
                nxt = next(todo, None)
                if nxt is None:
                    stack.pop()
                    path.pop()
                    state[node] = 2
                elif state.get(nxt) == 1:
                    cycle = path[path.index(nxt):] + [nxt]
                    yield _finding(rule, nxt, "Kreis: " + " → ".join(_short(n) for n in cycle) +
                                   f" ({graph.namespace_manager.normalizeUri(prop)} führt zum Ausgangspunkt zurück / leads back to itself). "
                                   "In einer dieser Zeilen den Oberbegriff bzw. die übergeordnete Einheit ändern.",
                                   origins, prop)
                elif nxt not in state:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append((nxt, iter(parents.get(nxt, ()))))


# ------------------------------------------------------------------ dates

def _earliest_latest(value: Literal) -> tuple[str, str] | None:
    """The first and last day a date of any stated precision (year, year-month, day) can mean, as ISO strings."""
    text = str(value)
    parts = text.split("-")
    try:
        if len(parts) == 1:
            return f"{text}-01-01", f"{text}-12-31"
        if len(parts) == 2:
            last = calendar.monthrange(int(parts[0]), int(parts[1]))[1]
            return f"{text}-01", f"{text}-{last:02d}"
        return text, text
    except ValueError:
        return None


def ends_not_before_start(graph: Graph, origins: dict[URIRef, Origin]) -> Iterator[Finding]:
    """schema:endDate not before schema:startDate, at the precision each is stated in: „2017“ may end a measure
    begun in July 2017, „2016“ may not."""
    for subject, start in graph.subject_objects(SCHEMA.startDate):
        for end in graph.objects(subject, SCHEMA.endDate):
            s, e = _earliest_latest(start), _earliest_latest(end)
            if s and e and e[1] < s[0]:
                yield _finding("IK-X04 Ende vor Beginn", subject,
                               f"Ende {end} liegt vor Beginn {start} / end date before start date. „beginn“ und „ende“ "
                               "mit dem Bericht vergleichen.", origins, SCHEMA.endDate)


# ------------------------------------------------------------------ counts

def counts_match_the_measures(graph: Graph, origins: dict[URIRef, Origin]) -> Iterator[Finding]:
    """ik:anzahlMassnahmen equals the number of measures that name the resource (see the ontology)."""
    live: dict[URIRef, set] = defaultdict(set)
    for measure in graph.subjects(RDF.type, IK.Massnahme):
        for prop in COUNTED:
            for target in graph.objects(measure, prop):
                live[target].add(measure)
    for subject, stored in graph.subject_objects(IK.anzahlMassnahmen):
        try:
            n = int(stored)
        except ValueError:
            continue  # not a number: the SHACL shape IK-A01 says so
        if n != len(live.get(subject, ())):
            yield _finding("IK-X05 Anzahl Maßnahmen falsch", subject,
                           f"ik:anzahlMassnahmen ist {n}, aber {len(live.get(subject, ()))} Maßnahmen nennen diese Ressource "
                           "/ stored count differs from the measures. Die Zahl zählt der Build; nicht von Hand setzen.",
                           origins, IK.anzahlMassnahmen)


# ------------------------------------------------------------------ evidence

EVIDENCED = tuple(prop for prop, _ in EVIDENCE.values())


def soft_facts_have_evidence(graph: Graph, origins: dict[URIRef, Origin]) -> Iterator[Finding]:
    """Every target group, age, start, end and duration of a measure has its ik:Beleg, and every Beleg states a
    value its measure has; the quotation occurs in the measure's description or, marked ik:zitiertAusZiel, in the
    wording of its goal."""
    for measure in graph.subjects(RDF.type, IK.Massnahme):
        backed = set()
        for beleg in graph.objects(measure, IK.beleg):
            prop = graph.value(beleg, IK.eigenschaft)
            value = graph.value(beleg, IK.wert) or graph.value(beleg, IK.wertLiteral)
            backed.add((prop, value))
            if (measure, prop, value) not in graph:
                yield _finding("IK-X07 Angabe ohne Beleg", beleg, f"{_short(beleg)} belegt {_short(prop)} „{value}“, das "
                               f"{_short(measure)} nicht hat / evidence for a value the measure lacks", origins, IK.beleg)
            quote = graph.value(beleg, PROV.value)
            goal = graph.value(beleg, IK.zitiertAusZiel)
            text = graph.value(goal, SKOS.prefLabel) if goal is not None else graph.value(measure, DCTERMS.description)
            if quote is not None and not quoted_in(str(quote), str(text or "")):
                where = f"im Wortlaut des Ziels {_short(goal)}" if goal is not None else f"in der Beschreibung von {_short(measure)}"
                yield _finding("IK-X08 Zitat nicht im Text", beleg, f"„{quote}“ steht nicht {where} / quotation not in the "
                               "text. Die Worte genau aus dem Bericht übernehmen.", origins, PROV.value)
        for prop in EVIDENCED:
            for value in graph.objects(measure, prop):
                if (prop, value) not in backed:
                    yield _finding("IK-X07 Angabe ohne Beleg", measure, f"{_short(measure)}: {_short(prop)} „{_short(value)}“ "
                                   "hat keinen Beleg (ik:beleg mit dem Wortlaut des Berichts) / no evidence. In belege.csv "
                                   "die Zeile mit dem Zitat ergänzen.", origins, prop)


# ------------------------------------------------------------------ SKOS

def schemes_are_consistent(graph: Graph, origins: dict[URIRef, Origin]) -> Iterator[Finding]:
    """SKOS integrity of every concept scheme: one prefLabel per language (S14), German always, no label twice in a
    scheme, hasTopConcept exactly where topConceptOf, every concept either a top concept or below one in its scheme."""
    rule = "IK-X06 Begriffssystem"
    for scheme in sorted(graph.subjects(RDF.type, SKOS.ConceptScheme)):
        members = set(graph.subjects(SKOS.inScheme, scheme))
        tops = set(graph.objects(scheme, SKOS.hasTopConcept))
        declared_tops = set(graph.subjects(SKOS.topConceptOf, scheme))
        for c in sorted(tops ^ declared_tops):
            yield _finding(rule, c, f"{_short(c)}: skos:hasTopConcept und skos:topConceptOf von {_short(scheme)} stimmen "
                                    "nicht überein / hasTopConcept and topConceptOf disagree", origins, SKOS.topConceptOf)
        seen: dict[tuple[str, str], URIRef] = {}
        languages = {lbl.language for c in members for lbl in graph.objects(c, SKOS.prefLabel)}
        for c in sorted(members | declared_tops):
            labels: dict[str, list[str]] = defaultdict(list)
            for lbl in graph.objects(c, SKOS.prefLabel):
                labels[lbl.language or ""].append(str(lbl))
            for lang in sorted(languages | {"de"}):
                if not labels.get(lang):
                    yield _finding(rule, c, f"{_short(c)} hat keinen skos:prefLabel in „{lang}“ (die anderen Begriffe von "
                                            f"{_short(scheme)} haben einen) / missing prefLabel", origins, SKOS.prefLabel)
            for lang, values in sorted(labels.items()):
                if len(values) > 1:
                    yield _finding(rule, c, f"{_short(c)} hat {len(values)} skos:prefLabel in „{lang}“: "
                                            f"{' | '.join(sorted(values))} / more than one prefLabel per language", origins, SKOS.prefLabel)
                for value in values:
                    other = seen.setdefault((lang, value.casefold()), c)
                    if other != c:
                        yield _finding(rule, c, f"„{value}“@{lang} ist auch der Name von {_short(other)} in "
                                                f"{_short(scheme)} / prefLabel used twice in a scheme", origins, SKOS.prefLabel)
            broader = set(graph.objects(c, SKOS.broader))
            if c in tops and broader & members:
                yield _finding(rule, c, f"{_short(c)} ist oberster Begriff und hat doch einen Oberbegriff / top concept "
                                        "with a broader concept", origins, SKOS.broader)
            if c not in tops and not broader & members:
                yield _finding(rule, c, f"{_short(c)} ist weder oberster Begriff noch unter einem Begriff von {_short(scheme)} "
                                        "/ neither top concept nor below one", origins, SKOS.topConceptOf)


RULES: tuple[Rule, ...] = (typed_as_their_uri_says, classes_are_declared, hierarchies_without_cycles,
                           ends_not_before_start, counts_match_the_measures, soft_facts_have_evidence,
                           schemes_are_consistent)


def run(graph: Graph, origins: dict[URIRef, Origin] | None = None) -> list[Finding]:
    origins = origins or {}
    return [finding for rule in RULES for finding in rule(graph, origins)]
