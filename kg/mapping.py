"""Map the checked source records onto RDF. The one place that says which term means what.

Returns the graph and, for every subject, the :class:`~kg.errors.Origin` it was made from, so that
SHACL findings can name the row to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from kg import drucksache as ds
from kg.errors import BuildError, DataError, Origin
from kg.namespaces import IK, SCHEMA, bind_prefixes, chapter_uri, scheme, uri
from kg.sources import Sources, chapter_key, places, split

GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/districtKey/"
ART_CONCEPT = {"BDs": IK.Beschlussdrucksache, "IDs": IK.Informationsdrucksache}
SCHEMES = {
    "handlungsfelder": ("Handlungsfelder des Integrationskonzeptes", "Fields of action of the integration concept"),
    "ziele": ("Überarbeitete Ziele", "Revised goals"),
    "zielgruppen": ("Zielgruppen der Maßnahmen", "Target groups of the measures"),
    "oe-arten": ("Arten von Organisationseinheiten", "Kinds of organisational units"),
}


def de(text: str) -> Literal:
    return Literal(text, lang="de")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def date_literal(value: str) -> Literal:
    """A date as precise as the report states it: year, year-month or full date."""
    kind = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(value)]
    return Literal(value, datatype=kind)


def slugify(text: str) -> str:
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return "-".join(re.findall(r"[a-z0-9]+", text))


# The column of massnahmen.csv a row of belege.csv backs -> (the property it maps to, the key part of the Beleg's URI).
EVIDENCE = {
    "zielgruppen": (IK.zielgruppe, "zielgruppe"), "alter_von": (IK.mindestalter, "mindestalter"),
    "alter_bis": (IK.hoechstalter, "hoechstalter"), "beginn": (SCHEMA.startDate, "beginn"),
    "ende": (SCHEMA.endDate, "ende"), "dauer": (SCHEMA.duration, "dauer"),
}

# Where a measure names another resource, and the classes whose members get a measure count (0 included).
COUNTED = {IK.handlungsfeld: IK.Handlungsfeld, IK.verfolgtZiel: IK.Ziel, IK.zustaendig: ORG.OrganizationalUnit,
           IK.zielgruppe: IK.Zielgruppe, DCTERMS.references: IK.Drucksache}


@dataclass
class Mapped:
    graph: Graph
    origins: dict[URIRef, Origin] = field(default_factory=dict)


class _Mapper:
    def __init__(self, sources: Sources) -> None:
        self.s = sources
        self.g = bind_prefixes(Graph())
        self.origins: dict[URIRef, Origin] = {}
        self.problems: list[DataError] = []
        self.report = uri("bericht", sources.bericht["key"])
        self.region = uri("organisation", sources.region["key"])

    def add(self, s, p, o) -> None:
        self.g.add((s, p, o))

    def node(self, subject: URIRef, origin: Origin, *types: URIRef) -> URIRef:
        self.origins.setdefault(subject, origin)
        for t in types:
            self.add(subject, RDF.type, t)
        return subject

    def unknown(self, subject: URIRef, *properties: URIRef) -> None:
        """Say explicitly that the report does not state these values."""
        for p in properties:
            self.add(subject, IK.nichtAngegeben, p)

    def note(self, subject: URIRef, text: str | None) -> None:
        if text:
            self.add(subject, SKOS.editorialNote, de(str(text).strip()))

    # -------------------------------------------------------------- report and organisation

    def map_report(self) -> None:
        b, o = self.s.bericht, self.s.bericht["_origin"]
        r = self.node(self.report, o, IK.Bericht, FOAF.Document, SCHEMA.Report)
        title = f"{b['titel']} – {b['untertitel']}"
        self.add(r, DCTERMS.title, de(title))
        self.add(r, RDFS.label, de(title))
        self.add(r, DCTERMS.alternative, de(b["titel"]))
        self.add(r, DCTERMS.identifier, Literal(str(b["key"])))
        self.add(r, DCTERMS.publisher, self.region)
        self.add(r, DCTERMS.creator, uri("oe", b["redaktion"]))
        self.add(r, DCTERMS.language, URIRef(b["sprache"]))
        self.add(r, SCHEMA.temporalCoverage, Literal(f"{b['berichtszeitraum_von']}/{b['berichtszeitraum_bis']}"))
        for key in b.get("mitwirkende", []) + b.get("beteiligte", []):
            self.add(r, DCTERMS.contributor, uri("oe", key))
        if b.get("erscheinungsdatum"):
            self.add(r, DCTERMS.issued, date_literal(str(b["erscheinungsdatum"])))
        else:
            self.unknown(r, DCTERMS.issued)
        self.note(r, b.get("notiz"))
        for ch in b.get("kapitel", []):
            number = str(ch["nummer"] or "")
            k = self.node(self.chapter(chapter_key(ch)), o, IK.Kapitel)
            self.add(k, DCTERMS.title, de(ch["titel"]))
            self.add(k, RDFS.label, de(f"{number} {ch['titel']}" if number else ch["titel"]))
            if number:
                self.add(k, SKOS.notation, Literal(number))
            if str(ch.get("seite") or ""):
                self.add(k, IK.seite, Literal(int(ch["seite"]), datatype=XSD.integer))
            else:
                self.unknown(k, IK.seite)
            self.add(k, DCTERMS.isPartOf, r)
            self.add(r, DCTERMS.hasPart, k)
            if "." in number:
                self.add(k, SCHEMA.isPartOf, self.chapter(number.rsplit(".", 1)[0]))

    def chapter(self, key: str) -> URIRef:
        """A part of the report by its number ("6.1") or title key ("impressum")."""
        return chapter_uri(self.s.bericht["key"], key)

    def places(self, subject: URIRef, text: str, origin: Origin) -> None:
        """ik:fundstelle: links to the parts of the report a cell names (checked by kg.sources)."""
        try:
            for key in places(text):
                self.add(subject, IK.fundstelle, self.chapter(key))
        except ValueError as exc:
            self.problems.append(DataError(origin, "D04", f"„{exc}“ ist keine Stelle im Bericht"))

    def head(self, name: str, origin: Origin, unit: URIRef, unit_key: str, title: str, place: str) -> None:
        """The head of a unit as the report shows it: an org:Membership with the role ik:Leitung, sourced from the
        report and its chapter, not a timeless org:headOf. Since when and until when the report does not say."""
        p = self.node(uri("person", slugify(name)), origin, FOAF.Person, SCHEMA.Person)
        self.add(p, FOAF.name, Literal(name))
        self.add(p, RDFS.label, Literal(name))
        m = self.node(uri("mitgliedschaft", f"{unit_key}-leitung"), origin, ORG.Membership)
        self.add(m, ORG.member, p)
        self.add(m, ORG.organization, unit)
        self.add(m, ORG.role, IK.Leitung)
        self.add(m, RDFS.label, de(f"{title}: {name} (Bericht {self.s.bericht['key']})"))
        self.add(m, DCTERMS.source, self.report)
        self.places(m, place, origin)
        self.unknown(m, ORG.memberDuring)

    def map_organisation(self) -> None:
        reg, o = self.s.region, self.s.region["_origin"]
        r = self.node(self.region, o, ORG.FormalOrganization, FOAF.Organization, SCHEMA.GovernmentOrganization)
        for p in (SKOS.prefLabel, RDFS.label):
            self.add(r, p, de(reg["name"]))
        self.add(r, FOAF.name, Literal(reg["name"]))
        if reg.get("regionalschluessel"):
            self.add(r, IK.regionalschluessel, Literal(str(reg["regionalschluessel"])))
            self.add(r, DCTERMS.spatial, URIRef(GEOCODING + str(reg["regionalschluessel"])))
        self.note(r, reg.get("notiz"))
        if reg.get("leitung"):
            self.head(reg["leitung"], o, r, reg["key"], reg.get("leitung_titel") or "Leitung", reg.get("leitung_fundstelle") or "")
        for d in self.s.dezernate:
            key = f"dezernat-{d['key'].lower()}"
            u = self.node(uri("oe", key), d["_origin"], IK.Dezernat, ORG.OrganizationalUnit)
            self.add(u, ORG.classification, uri("oe-art", "dezernat"))
            self.add(u, SKOS.notation, Literal(d["key"]))
            self.add(u, ORG.identifier, Literal(d["key"]))
            self.add(u, SKOS.prefLabel, de(f"Dezernat {d['key']} – {d['name']}"))
            self.add(u, RDFS.label, de(f"Dezernat {d['key']} – {d['name']}"))
            for alt in split(d.get("schreibweisen", "")):
                self.add(u, SKOS.hiddenLabel, de(alt))
            self.add(u, ORG.unitOf, r)
            self.add(u, ORG.subOrganizationOf, r)
            self.add(u, IK.fundstelle, self.chapter("6.2"))
            self.note(u, d.get("notiz"))
            if d.get("leitung"):
                self.head(d["leitung"], d["_origin"], u, key, f"Leitung Dezernat {d['key']}", "Kapitel 6.2")
        for e in self.s.oe:
            u = self.node(uri("oe", e["key"]), e["_origin"], ORG.OrganizationalUnit)
            if e["notation"]:
                self.add(u, ORG.identifier, Literal(e["notation"]))
                self.add(u, SKOS.notation, Literal(e["notation"]))
            else:
                self.unknown(u, ORG.identifier)
            if e["name"]:
                self.add(u, SKOS.prefLabel, de(e["name"]))
                label = f"{e['name']} ({e['notation']})" if e["notation"] else e["name"]
            else:
                self.unknown(u, SKOS.prefLabel)
                label = f"OE {e['notation']} (Name im Bericht nicht angegeben)"
            self.add(u, RDFS.label, de(label))
            for alt in split(e["schreibweisen"]):
                self.add(u, SKOS.altLabel, de(alt))
            if e["typ"]:
                self.add(u, ORG.classification, uri("oe-art", e["typ"]))
            else:
                self.unknown(u, ORG.classification)
            # ORG: org:unitOf points at the legal entity only (the Region); the place in the hierarchy – Dezernat
            # or parent unit – is org:subOrganizationOf.
            if e["teil_von"]:
                self.add(u, ORG.subOrganizationOf, uri("oe", e["teil_von"]))
            if e["dezernat"]:
                self.add(u, ORG.subOrganizationOf, uri("oe", f"dezernat-{e['dezernat'].lower()}"))
            if not (e["teil_von"] or e["dezernat"]):
                self.unknown(u, ORG.subOrganizationOf)
            if e["key"] != "jobcenter-region-hannover":  # its legal form the report does not state
                self.add(u, ORG.unitOf, r)
            self.places(u, e["quelle"], e["_origin"])
            self.note(u, e["notiz"])

    # -------------------------------------------------------------- concept schemes

    def map_schemes(self) -> None:
        for name, (label_de, label_en) in SCHEMES.items():
            sc = self.node(scheme(name), self.s.bericht["_origin"], SKOS.ConceptScheme)
            self.add(sc, SKOS.prefLabel, de(label_de))
            self.add(sc, SKOS.prefLabel, en(label_en))
            self.add(sc, RDFS.label, de(label_de))
            self.add(sc, DCTERMS.source, self.report)

    def concept(self, subject: URIRef, scheme_name: str, top: bool) -> None:
        sc = scheme(scheme_name)
        self.add(subject, RDF.type, SKOS.Concept)
        self.add(subject, SKOS.inScheme, sc)
        if top:
            self.add(subject, SKOS.topConceptOf, sc)
            self.add(sc, SKOS.hasTopConcept, subject)

    def map_oe_arten(self) -> None:
        for a in self.s.oe_arten:
            u = self.node(uri("oe-art", a["slug"]), a["_origin"])
            self.concept(u, "oe-arten", top=True)
            self.add(u, SKOS.prefLabel, de(a["label"]))
            self.add(u, RDFS.label, de(a["label"]))
            self.add(u, SKOS.prefLabel, en(a["label_en"]))
            self.add(u, RDFS.label, en(a["label_en"]))
            if a["definition"]:
                self.add(u, SKOS.definition, de(a["definition"]))
            self.note(u, a["notiz"])

    def map_handlungsfelder(self) -> None:
        for h in self.s.handlungsfelder:
            u = self.node(uri("handlungsfeld", h["slug"]), h["_origin"], IK.Handlungsfeld)
            self.concept(u, "handlungsfelder", top=True)
            self.add(u, SKOS.prefLabel, de(h["label"]))
            self.add(u, RDFS.label, de(h["label"]))
            if h.get("label_en"):
                self.add(u, SKOS.prefLabel, en(h["label_en"]))
                self.add(u, RDFS.label, en(h["label_en"]))
            self.add(u, SKOS.notation, Literal(str(h["abschnitt"])))
            self.add(u, IK.kapitel, self.chapter(str(h["abschnitt"])))
            if h.get("einleitung"):
                self.add(u, IK.einleitung, de(h["einleitung"].strip()))
            if h.get("integrationskonzept_seite"):
                self.add(u, IK.integrationskonzeptSeite, Literal(int(h["integrationskonzept_seite"]), datatype=XSD.integer))
            else:
                self.unknown(u, IK.integrationskonzeptSeite)
            if h.get("quelle"):
                self.add(u, DCTERMS.source, URIRef(h["quelle"]))
            for nr in h.get("beispiele") or []:
                self.add(u, IK.beispiel, uri("massnahme", nr))
            self.note(u, h.get("notiz"))

    def map_ziele(self) -> None:
        for z in self.s.ziele:
            u = self.node(uri("ziel", z["slug"]), z["_origin"], IK.Ziel)
            self.concept(u, "ziele", top=True)
            self.add(u, SKOS.prefLabel, de(z["label"]))
            self.add(u, RDFS.label, de(z["label"]))
            self.add(u, IK.handlungsfeld, uri("handlungsfeld", z["handlungsfeld"]))
            self.add(u, DCTERMS.source, self.report)
            self.note(u, z.get("notiz"))

    def map_zielgruppen(self) -> None:
        for z in self.s.zielgruppen:
            u = self.node(uri("zielgruppe", z["slug"]), z["_origin"], IK.Zielgruppe)
            self.concept(u, "zielgruppen", top=not z["oberbegriff"])
            if z["oberbegriff"]:
                parent = uri("zielgruppe", z["oberbegriff"])
                self.add(u, SKOS.broader, parent)
                self.add(parent, SKOS.narrower, u)
            self.add(u, SKOS.prefLabel, de(z["label"]))
            self.add(u, RDFS.label, de(z["label"]))
            if z["label_en"]:
                self.add(u, SKOS.prefLabel, en(z["label_en"]))
                self.add(u, RDFS.label, en(z["label_en"]))
            if z.get("definition"):
                self.add(u, SKOS.definition, de(z["definition"]))
            self.ages(u, z)
            self.note(u, z.get("notiz"))

    def ages(self, subject: URIRef, rec: dict) -> None:
        for column, prop in (("alter_von", IK.mindestalter), ("alter_bis", IK.hoechstalter)):
            if str(rec.get(column) or ""):
                self.add(subject, prop, Literal(int(rec[column]), datatype=XSD.integer))

    # -------------------------------------------------------------- council documents

    def drucksache(self, citation: str, origin: Origin) -> URIRef:
        d = ds.parse(citation)
        u = uri("drucksache", d.key)
        first = u not in self.origins
        self.node(u, origin, IK.Drucksache, FOAF.Document)
        self.add(u, IK.zitiertAls, Literal(citation))
        if first:
            self.add(u, DCTERMS.identifier, Literal(d.key))
            self.add(u, IK.drucksachennummer, Literal(d.nummer, datatype=XSD.integer))
            if d.wahlperiode:
                self.add(u, IK.wahlperiode, Literal(d.wahlperiode))
            if d.jahr:
                self.add(u, IK.jahr, Literal(str(d.jahr), datatype=XSD.gYear))
        if d.art:
            known = set(self.g.objects(u, IK.drucksachenart))
            if known and ART_CONCEPT[d.art] not in known:
                self.problems.append(DataError(origin, "D08", f"„{citation}“ nennt eine andere Drucksachenart als eine frühere Angabe zu {d.key}"))
            self.add(u, IK.drucksachenart, ART_CONCEPT[d.art])
        return u

    def finish_drucksachen(self, extra: dict[URIRef, dict]) -> None:
        for u in set(self.g.subjects(RDF.type, IK.Drucksache)):
            key = str(self.g.value(u, DCTERMS.identifier))
            art = self.g.value(u, IK.drucksachenart)
            wahlperiode = self.g.value(u, IK.wahlperiode)
            d = replace(ds.parse_key(key), wahlperiode=str(wahlperiode) if wahlperiode else None,
                        art={IK.Beschlussdrucksache: "BDs", IK.Informationsdrucksache: "IDs"}.get(art))
            citation = d.zitierform
            self.add(u, SKOS.notation, Literal(citation))
            self.add(u, RDFS.label, de(f"Drucksache {citation}"))
            if art is None:
                self.unknown(u, IK.drucksachenart)
            info = extra.get(u)
            if info and info["titel"]:
                self.add(u, DCTERMS.title, de(info["titel"]))
            else:
                self.unknown(u, DCTERMS.title)
            if info and info["datum"]:
                self.add(u, DCTERMS.date, date_literal(info["datum"]))
            else:
                self.unknown(u, DCTERMS.date)
            if info:
                self.places(u, info["fundstelle"], info["_origin"])
                self.note(u, info.get("notiz"))
                self.add(self.report, DCTERMS.references, u)

    # -------------------------------------------------------------- measures

    def map_massnahmen(self) -> None:
        for m in self.s.massnahmen:
            o = m["_origin"]
            u = self.node(uri("massnahme", m["nr"]), o, IK.Massnahme, PROV.Activity)
            self.add(u, DCTERMS.identifier, Literal(m["nr"]))
            self.add(u, SKOS.notation, Literal(int(m["nr"]), datatype=XSD.integer))
            self.add(u, DCTERMS.title, de(m["titel"]))
            self.add(u, RDFS.label, de(m["titel"]))
            self.add(u, DCTERMS.description, de(m["beschreibung"]))
            self.add(u, IK.handlungsfeld, uri("handlungsfeld", m["handlungsfeld"]))
            self.add(u, IK.verfolgtZiel, uri("ziel", m["ziel"]))
            self.add(u, DCTERMS.source, self.report)
            self.record(u, m)
            oes = split(m["oe"])
            for key in oes:
                self.add(u, IK.zustaendig, uri("oe", key))
            if not oes:
                self.unknown(u, IK.zustaendig)
            for slug in split(m["zielgruppen"]):
                self.add(u, IK.zielgruppe, uri("zielgruppe", slug))
            for citation in split(m["drucksachen"]):
                self.add(u, IK.drucksachenangabe, Literal(citation))
                self.add(u, DCTERMS.references, self.drucksache(citation, o))
            for info in split(m["weitere_infos"]):
                if re.match(r"https?://", info):
                    self.add(u, RDFS.seeAlso, URIRef(info))
                else:
                    self.add(u, IK.weitereInfo, de(info))
            self.ages(u, m)
            if m["beginn"]:
                self.add(u, SCHEMA.startDate, date_literal(m["beginn"]))
            if m["ende"]:
                self.add(u, SCHEMA.endDate, date_literal(m["ende"]))
            if m["dauer"]:
                self.add(u, SCHEMA.duration, Literal(m["dauer"], datatype=XSD.duration))
            for rec in m.get("_belege", []):
                self.add(u, IK.beleg, self.evidence(m, rec))
            self.note(u, m["notiz"])

    def evidence(self, m: dict, rec: dict) -> URIRef:
        """One soft fact of a measure with the report's words that state it: a qualified statement (measure,
        property, value) that is itself a prov:Entity quoted from chapter 6.1 – from the measure's text, or marked
        with ik:zitiertAusZiel when the words are its goal's."""
        prop, name = EVIDENCE[rec["angabe"]]
        wert = m[rec["angabe"]] if rec["angabe"] != "zielgruppen" else rec["wert"]
        key = f"{m['nr']}-{name}" + (f"-{wert}" if rec["angabe"] == "zielgruppen" else "")
        b = self.node(uri("beleg", key), rec["_origin"], IK.Beleg, PROV.Entity)
        from_goal = rec.get("stelle") == "ziel"
        self.add(b, RDFS.label, de(f"„{rec['zitat']}“" + (" (Wortlaut des Ziels)" if from_goal else "")))
        self.add(b, IK.eigenschaft, prop)
        if rec["angabe"] == "zielgruppen":
            self.add(b, IK.wert, uri("zielgruppe", wert))
        elif rec["angabe"] in ("alter_von", "alter_bis"):
            self.add(b, IK.wertLiteral, Literal(int(wert), datatype=XSD.integer))
        elif rec["angabe"] == "dauer":
            self.add(b, IK.wertLiteral, Literal(wert, datatype=XSD.duration))
        else:
            self.add(b, IK.wertLiteral, date_literal(wert))
        self.add(b, PROV.value, de(rec["zitat"]))
        self.add(b, PROV.wasQuotedFrom, self.chapter("6.1"))
        if from_goal:
            self.add(b, IK.zitiertAusZiel, uri("ziel", m["ziel"]))
        self.note(b, rec.get("notiz"))
        return b

    def record(self, measure: URIRef, m: dict) -> URIRef:
        """The appendix entry a measure is read from. The measure is an activity (prov:Activity, carried out by its
        units); what the graph states about it is derived from the report, so the derivation sits on this entity."""
        rec = self.node(uri("eintrag", m["nr"]), m["_origin"], IK.Eintrag, PROV.Entity)
        appendix = self.chapter("6.1")
        self.add(rec, RDFS.label, de(f"Anhang 6.1, Nr. {m['nr']}"))
        self.add(rec, FOAF.primaryTopic, measure)
        self.add(measure, FOAF.isPrimaryTopicOf, rec)
        self.add(rec, PROV.wasDerivedFrom, appendix)
        self.add(rec, IK.fundstelle, appendix)
        # The headings the row stands under in the appendix table: field of action and revised goal.
        self.add(rec, IK.unterUeberschrift, uri("handlungsfeld", m["handlungsfeld"]))
        self.add(rec, IK.unterUeberschrift, uri("ziel", m["ziel"]))
        self.unknown(rec, IK.seite)  # the text version gives no page per row (6.1 starts on p. 30, 6.2 on p. 48)
        return rec

    # -------------------------------------------------------------- chapter 4

    def map_schwerpunkte(self) -> None:
        chapter = self.chapter("4")
        for sp in self.s.schwerpunkte:
            u = self.node(uri("schwerpunkt", sp["slug"]), sp["_origin"], IK.Schwerpunkt)
            self.add(u, DCTERMS.title, de(sp["label"]))
            self.add(u, RDFS.label, de(sp["label"]))
            self.add(u, IK.schwerpunktZiel, de(sp["ziel"]))
            self.add(u, DCTERMS.description, de(sp["beschreibung"].strip()))
            self.add(u, IK.kapitel, chapter)
            self.add(u, DCTERMS.source, self.report)
            if sp.get("handlungsfeld"):
                self.add(u, IK.handlungsfeld, uri("handlungsfeld", sp["handlungsfeld"]))
            for nr in sp.get("massnahmen") or []:
                self.add(u, IK.betrifftMassnahme, uri("massnahme", nr))
            self.note(u, sp.get("notiz"))
            for i, step in enumerate(sp.get("schritte") or [], start=1):
                s = self.node(uri("schritt", f"{sp['slug']}-{i}"), sp["_origin"], IK.GeplanterSchritt)
                self.add(s, RDFS.label, de(step["text"]))
                self.add(s, SCHEMA.position, Literal(i, datatype=XSD.integer))
                if step.get("gruppe"):
                    self.add(s, IK.gruppe, de(step["gruppe"]))
                self.add(s, DCTERMS.isPartOf, u)
                self.add(u, IK.geplanterSchritt, s)


    # -------------------------------------------------------------- summaries

    def count_measures(self) -> None:
        """ik:anzahlMassnahmen on every field, goal, unit, target group and Drucksache (see the ontology)."""
        counts: dict[URIRef, int] = {}
        for cls in COUNTED.values():
            for u in self.g.subjects(RDF.type, cls):
                counts.setdefault(u, 0)
        for m in self.g.subjects(RDF.type, IK.Massnahme):
            for prop in COUNTED:
                for target in set(self.g.objects(m, prop)):
                    if target in counts:
                        counts[target] += 1
        for u, n in counts.items():
            self.add(u, IK.anzahlMassnahmen, Literal(n, datatype=XSD.integer))


def to_graph(sources: Sources) -> Mapped:
    """Map all sources; raise :class:`BuildError` if the records contradict each other."""
    m = _Mapper(sources)
    m.map_report()
    m.map_organisation()
    m.map_schemes()
    m.map_oe_arten()
    m.map_handlungsfelder()
    m.map_ziele()
    m.map_zielgruppen()
    m.map_massnahmen()
    extra = {}
    for rec in sources.drucksachen:
        extra[m.drucksache(rec["zitat"], rec["_origin"])] = rec
    m.finish_drucksachen(extra)
    m.map_schwerpunkte()
    m.count_measures()
    if m.problems:
        raise BuildError(m.problems)
    return Mapped(m.g, m.origins)
