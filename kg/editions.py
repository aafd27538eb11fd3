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

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS

from kg.mapping import Mapped, date_literal, de
from kg.namespaces import IK, SCHEMA, chapter_uri, uri
from kg.sources import EDITION_CHAPTER, Record, Sources, parse_date


def add(mapped: Mapped, sources: Sources) -> None:
    """Add the editions, and each measure's membership, to ``mapped``; their rows were checked by kg/sources.py."""
    main = str(sources.bericht.get("key"))
    measures = {int(m["nr"]) for m in sources.massnahmen}
    rows = {str(rec.get("bericht") or "").strip(): rec for rec in sources.ausgaben}
    listing = {key: rec["_numbers"] for key, rec in rows.items()} or {main: set()}
    # A measure no row lists (one the clerk added since the last edition) belongs to the newest edition, as before
    # there were editions: the data holds it, and the newest edition is the one it will be published in.
    newest = max(listing)
    listing[newest] = listing[newest] | (measures - set().union(*listing.values()))
    _map(mapped.graph, sources, rows, listing)


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
            m = EDITION_CHAPTER.fullmatch(rec["kapitel"].strip())
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
            listed_in = EDITION_CHAPTER.fullmatch(rows[editions[-1]]["kapitel"].strip())["number"]
            for p in (PROV.wasDerivedFrom, IK.fundstelle):
                g.add((record, p, chapter_uri(editions[-1], listed_in)))
        for key in editions:
            g.add((measure, DCTERMS.source, uri("bericht", key)))
        if len(order) > 1:  # with one edition dct:source says it all, and the report's page lists each measure once
            for key in editions:
                g.add((measure, IK.gelistetIn, uri("bericht", key)))
            g.add((measure, IK.erstmalsIn, uri("bericht", editions[0])))
            g.add((measure, IK.zuletztIn, uri("bericht", editions[-1])))

