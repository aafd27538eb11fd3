"""Where each measure stands: the rows of ``data/status.csv`` as status statements, each with its date, the words of
its source and the source; the measure's current status is that of its latest statement.

Only what a source states: a measure without a row says ``ik:nichtAngegeben ik:status``. The words are checked
against the source's text (kg/evidence.py), so a row whose quote is not in the report stops the build.

The statuses are the concepts of ``def/status`` (ontology/status.ttl): geplant, laufend, abgeschlossen, beendet,
unbekannt, matched to schema.org's ActionStatusType members where they fit.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from kg import drucksache, editions, evidence
from kg.errors import BuildError, DataError
from kg.mapping import Mapped, date_literal, de
from kg.namespaces import IK, chapter_uri, uri
from kg.sources import Record, Sources, chapter_key, parse_date, places

STATUSES = ("geplant", "laufend", "abgeschlossen", "beendet", "unbekannt")
REPORT = re.compile(r"^Bericht\s+(?P<key>[0-9A-Za-z-]+)$")


def concept(status: str) -> URIRef:
    return uri("status", status)


def _source(value: str, reports: set[str]) -> tuple[URIRef, str] | str:
    """The resource a ``quelle`` cell names and the name of its text under data/texte/, or a German problem."""
    m = REPORT.fullmatch(value.strip())
    if m:
        if m["key"] not in reports:
            return f"„{value}“: einen Bericht mit dem Schlüssel {m['key']} gibt es nicht (data/bericht.yaml: {', '.join(sorted(reports))})"
        return uri("bericht", m["key"]), f"bericht-{m['key']}"
    try:
        d = drucksache.parse(value)
    except drucksache.CitationError:
        return f"„{value}“ ist weder „Bericht JJJJ“ noch eine lesbare Drucksachenangabe"
    return uri("drucksache", d.key), f"drucksache-{d.key}"


def _order(row: tuple[int, Record]) -> tuple:
    """Statements in time order; undated ones after the dated ones of the same source, in file order."""
    i, rec = row
    return (rec.get("datum") or "9999", i)


def add(mapped: Mapped, sources: Sources, data_dir: Path) -> None:
    """Check the status rows and add them to ``mapped``; raise :class:`BuildError` naming every bad row."""
    g, problems = mapped.graph, []
    texts = evidence.Texts(Path(data_dir))
    measures = {str(m["nr"]): m for m in sources.massnahmen}
    reports = editions.keys(sources)
    parts = {chapter_key(ch) for ch in sources.bericht.get("kapitel", [])}
    by_measure: dict[str, list[tuple[int, Record]]] = {}
    for i, rec in enumerate(sources.status):
        origin = rec["_origin"]

        def fail(column: str, message: str, fix: str, rule: str = "D04", origin=origin) -> None:
            problems.append(DataError(origin, rule, message, column, fix))

        nr = str(rec.get("massnahme") or "")
        if nr not in measures:
            fail("massnahme", f"„{nr}“ ist keine Maßnahme in data/massnahmen.csv", "Die Nummer aus Spalte nr eintragen.", "D06")
            continue
        if rec.get("status") not in STATUSES:
            fail("status", f"„{rec.get('status')}“ ist kein Stand", f"Eines von: {', '.join(STATUSES)}.")
            continue
        if rec.get("datum"):
            iso = parse_date(rec["datum"])
            if iso is None:
                fail("datum", f"„{rec['datum']}“ ist kein Datum", "JJJJ, JJJJ-MM oder JJJJ-MM-TT (auch TT.MM.JJJJ).")
                continue
            rec["datum"] = iso
        source = _source(rec.get("quelle") or "", reports)
        if isinstance(source, str):
            fail("quelle", source, "„Bericht 2020“ schreiben oder die Drucksache so, wie sie zitiert wird, z. B. 0604 (IV) BDs.")
            continue
        try:
            rec["_places"] = places(rec.get("fundstelle") or "")
        except ValueError as exc:
            fail("fundstelle", f"„{exc}“ ist keine Stelle im Bericht", "z. B. „Anhang 6.1“ oder „Kapitel 3.3“.")
            continue
        unknown = [k for k in rec["_places"] if k not in parts]
        if unknown:
            fail("fundstelle", f"„{unknown[0]}“ ist kein Teil des Berichts in data/bericht.yaml (kapitel)",
                 "Die Nummer wie im Inhaltsverzeichnis schreiben, z. B. „Kapitel 3.4“.", "D06")
            continue
        found = evidence.check(rec.get("zitat") or "", source[1], texts, rec["quelle"].strip())
        if not found.ok:
            fail("zitat", found.problem, found.fix, "D13")
            continue
        rec["_source"] = source[0]
        by_measure.setdefault(nr, []).append((i, rec))
    if problems:
        raise BuildError(problems)
    _map(g, mapped, sources, by_measure)


def _map(g: Graph, mapped: Mapped, sources: Sources, by_measure: dict[str, list[tuple[int, Record]]]) -> None:
    report_key = str(sources.bericht.get("key"))
    for m in sources.massnahmen:
        measure = uri("massnahme", m["nr"])
        rows = sorted(by_measure.get(str(m["nr"]), []), key=_order)
        if not rows:
            g.add((measure, IK.nichtAngegeben, IK.status))
            continue
        for n, (_, rec) in enumerate(rows, start=1):
            node = uri("statusangabe", f"{m['nr']}-{n}")
            mapped.origins.setdefault(node, rec["_origin"])
            for cls in (IK.Statusangabe, PROV.Entity):
                g.add((node, RDF.type, cls))
            g.add((measure, IK.statusangabe, node))
            g.add((node, IK.status, concept(rec["status"])))
            when = rec.get("datum")
            label = f"{rec['status']}{' seit ' + when if when and rec['status'] != 'abgeschlossen' else ''}" \
                    f"{' am ' + when if when and rec['status'] == 'abgeschlossen' else ''} ({rec['quelle'].strip()})"
            g.add((node, RDFS.label, de(f"Maßnahme {m['nr']}: {label}")))
            if when:
                g.add((node, IK.statusSeit, date_literal(when)))
            else:
                g.add((node, IK.nichtAngegeben, IK.statusSeit))
            g.add((node, IK.wortlaut, de(" ".join(rec["zitat"].split()))))
            g.add((node, DCTERMS.source, rec["_source"]))
            for key in rec["_places"]:
                g.add((node, IK.fundstelle, chapter_uri(report_key, key)))
            if rec.get("notiz"):
                g.add((node, SKOS.editorialNote, de(rec["notiz"].strip())))
        latest = rows[-1][1]
        g.add((measure, IK.status, concept(latest["status"])))
