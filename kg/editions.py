"""Editions of the report: which edition lists which measure (``data/ausgaben.csv``).

A measure belongs to every edition that lists it (``dct:source``, and ``ik:gelistetIn`` once there is more than one
edition); ``ik:erstmalsIn`` names the edition it was first published in and ``ik:zuletztIn`` the latest one that
lists it, which is what a citation names. The edition of
``data/bericht.yaml`` keeps its full description there; a further edition (the next report, or the concept of another
Kreis) is a row here with its title and year – new data, no new code. Editions are ordered by key (their year), and
each names the one before it (``prov:wasRevisionOf``, ``dct:replaces``).

Without rows every measure belongs to the edition of ``data/bericht.yaml``; a measure no row lists belongs to the
newest edition (a measure the clerk added since).
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS

from kg.errors import BuildError, DataError
from kg.mapping import Mapped, date_literal, de
from kg.namespaces import IK, SCHEMA, chapter_uri, uri
from kg.sources import Record, Sources, parse_date, split

KEY = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,39}$")
CHAPTER = re.compile(r"^(?P<number>[0-9](?:\.[0-9])?)\s+(?P<title>\S.*)$")  # „6.1 Auflistung Maßnahmen und Projekte“
RANGE = re.compile(r"^(?P<a>[1-9][0-9]*)(?:\s*-\s*(?P<b>[1-9][0-9]*))?$")


def keys(sources: Sources) -> set[str]:
    """Every edition's key: that of bericht.yaml and those of ausgaben.csv."""
    return {str(sources.bericht.get("key"))} | {str(r.get("bericht") or "").strip() for r in sources.ausgaben}


def _numbers(cell: str) -> set[int] | str:
    out: set[int] = set()
    for part in split(cell):
        m = RANGE.fullmatch(part)
        if not m or (m["b"] and int(m["b"]) < int(m["a"])):
            return part
        out |= set(range(int(m["a"]), int(m["b"] or m["a"]) + 1))
    return out


def add(mapped: Mapped, sources: Sources) -> None:
    """Check the editions and add them, and each measure's membership, to ``mapped``."""
    g, problems = mapped.graph, []
    main = str(sources.bericht.get("key"))
    measures = {int(m["nr"]) for m in sources.massnahmen}
    listing: dict[str, set[int]] = {}
    rows: dict[str, Record] = {}
    for rec in sources.ausgaben:
        key, origin = str(rec.get("bericht") or "").strip(), rec["_origin"]

        def fail(column: str, message: str, fix: str, rule: str = "D04", origin=origin) -> None:
            problems.append(DataError(origin, rule, message, column, fix))

        if not KEY.fullmatch(key):
            fail("bericht", f"„{key}“ taugt nicht als Schlüssel einer Ausgabe", "Das Jahr der Ausgabe eintragen, z. B. 2024.")
            continue
        if key in rows:
            fail("bericht", f"Ausgabe {key} steht schon in {rows[key]['_origin']}", "Die doppelte Zeile löschen.", "D05")
            continue
        numbers = _numbers(rec.get("massnahmen") or "")
        if isinstance(numbers, str):
            fail("massnahmen", f"„{numbers}“ ist keine Nummer und kein Bereich", "Nummern und Bereiche mit | trennen, z. B. 1-128|130.")
            continue
        unknown = sorted(numbers - measures)
        if unknown:
            fail("massnahmen", f"Maßnahme {unknown[0]} steht nicht in data/massnahmen.csv"
                 + (f" (und {len(unknown) - 1} weitere)" if len(unknown) > 1 else ""),
                 "Nur Nummern aus Spalte nr eintragen, oder die Maßnahme dort anlegen.", "D06")
            continue
        if rec.get("jahr") and parse_date(rec["jahr"]) is None:
            fail("jahr", f"„{rec['jahr']}“ ist kein Jahr", "Vierstellig eintragen, z. B. 2024.")
            continue
        if key != main and not (rec.get("titel") or "").strip():
            fail("titel", f"Ausgabe {key} hat keinen Titel", "Den Titel der Ausgabe eintragen, wie sie ihn nennt.", "D03")
            continue
        if key != main and not CHAPTER.fullmatch((rec.get("kapitel") or "").strip()):
            fail("kapitel", f"Ausgabe {key}: „{rec.get('kapitel') or ''}“ nennt nicht Nummer und Titel des Kapitels mit den Maßnahmen",
                 "z. B. „6.1 Auflistung Maßnahmen und Projekte“.", "D03" if not rec.get("kapitel") else "D04")
            continue
        rows[key], listing[key] = rec, numbers
    for key, rec in rows.items():
        previous = (rec.get("vorgaenger") or "").strip()
        if previous and (previous not in rows and previous != main or previous >= key):
            problems.append(DataError(rec["_origin"], "D06", f"Vorgänger „{previous}“ ist keine frühere Ausgabe", "vorgaenger",
                                      "Den Schlüssel einer Ausgabe mit kleinerem Jahr eintragen, oder leer lassen."))
    if not rows:
        listing = {main: set()}
    # A measure no row lists (one the clerk added since the last edition) belongs to the newest edition, as before
    # there were editions: the data holds it, and the newest edition is the one it will be published in.
    newest = max(listing)
    listing[newest] = listing[newest] | (measures - set().union(*listing.values()))
    if problems:
        raise BuildError(problems)
    _map(g, sources, rows, listing)


def _map(g: Graph, sources: Sources, rows: dict[str, Record], listing: dict[str, set[int]]) -> None:
    main = str(sources.bericht.get("key"))
    main_report = uri("bericht", main)
    region = uri("organisation", sources.region["key"])
    order = sorted(listing)
    for key in order:
        report = uri("bericht", key)
        rec = rows.get(key, {})
        if key != main:
            for cls in (IK.Bericht, FOAF.Document, SCHEMA.Report):
                g.add((report, RDF.type, cls))
            g.add((report, DCTERMS.title, de(rec["titel"].strip())))
            g.add((report, RDFS.label, de(rec["titel"].strip())))
            g.add((report, DCTERMS.identifier, Literal(key)))
            g.add((report, DCTERMS.publisher, region))
            if rec.get("jahr"):
                g.add((report, DCTERMS.issued, date_literal(parse_date(rec["jahr"]))))
            else:
                g.add((report, IK.nichtAngegeben, DCTERMS.issued))
            m = CHAPTER.fullmatch(rec["kapitel"].strip())
            chapter = chapter_uri(key, m["number"])
            for cls in (IK.Kapitel,):
                g.add((chapter, RDF.type, cls))
            g.add((chapter, DCTERMS.title, de(m["title"])))
            g.add((chapter, RDFS.label, de(f"{m['number']} {m['title']}")))
            g.add((chapter, SKOS.notation, Literal(m["number"])))
            g.add((chapter, IK.nichtAngegeben, IK.seite))
            g.add((chapter, DCTERMS.isPartOf, report))
            g.add((report, DCTERMS.hasPart, chapter))
        previous = (rec.get("vorgaenger") or "").strip()
        if previous:
            for p in (PROV.wasRevisionOf, DCTERMS.replaces):
                g.add((report, p, uri("bericht", previous)))
            g.add((uri("bericht", previous), DCTERMS.isReplacedBy, report))
    for nr in sorted(set().union(*listing.values())):
        measure, record = uri("massnahme", nr), uri("eintrag", nr)
        editions = [k for k in order if nr in listing[k]]
        if main not in editions:
            # Read from a later edition only: its source and its entry's derivation are that edition, not bericht.yaml's.
            g.remove((measure, DCTERMS.source, main_report))
            for p in (PROV.wasDerivedFrom, IK.fundstelle):
                for chapter in list(g.objects(record, p)):
                    g.remove((record, p, chapter))
            listed_in = CHAPTER.fullmatch(rows[editions[-1]]["kapitel"].strip())["number"]
            for p in (PROV.wasDerivedFrom, IK.fundstelle):
                g.add((record, p, chapter_uri(editions[-1], listed_in)))
        for key in editions:
            g.add((measure, DCTERMS.source, uri("bericht", key)))
        if len(order) > 1:  # with one edition dct:source says it all, and the report's page lists each measure once
            for key in editions:
                g.add((measure, IK.gelistetIn, uri("bericht", key)))
            g.add((measure, IK.erstmalsIn, uri("bericht", editions[0])))
            g.add((measure, IK.zuletztIn, uri("bericht", editions[-1])))

