"""Where each measure stands: the rows of ``data/status.csv`` as status statements, each with its date, the words of
its source and the source; the measure's current status is that of its latest statement.

Only what a source states: a measure without a row says ``ik:nichtAngegeben ik:status``. The rows are checked with
every other row in kg/sources.py, the words against the source's text (kg/evidence.py): a row whose quote is not in
the report stops the build.

The statuses are the concepts of ``def/status`` (ontology/status.ttl): geplant, laufend, abgeschlossen, beendet,
unbekannt, matched to schema.org's ActionStatusType members where they fit.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from kg.mapping import Mapped, date_literal, de
from kg.namespaces import IK, chapter_uri, uri
from kg.sources import Record, Sources


def concept(status: str) -> URIRef:
    return uri("status", status)


def _order(row: tuple[int, Record]) -> tuple:
    """Statements in time order; undated ones after the dated ones of the same source, in file order."""
    i, rec = row
    return (rec.get("datum") or "9999", i)


def add(mapped: Mapped, sources: Sources) -> None:
    """Add the status rows to ``mapped``; kg/sources.py checked them (and their quotes against the source texts)."""
    by_measure: dict[str, list[tuple[int, Record]]] = {}
    for i, rec in enumerate(sources.status):
        by_measure.setdefault(str(rec.get("massnahme") or ""), []).append((i, rec))
    _map(mapped.graph, mapped, sources, by_measure)


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
