"""Store queries behind the Drucksache resolver, the reverse index, the Drucksache pages and the citation formats.

Every function takes the store and the data base URI of the build (``manifest["base_uri"]``), so it answers for
whatever base the graph was built on. Values come back as plain Python objects; nothing here knows about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.drucksache import ARTEN, Drucksache
from kg.store import Store
from server.sparql_syntax import ALL_PREFIXES, iri, literal, prefix_block

ART_BY_CONCEPT = {"Beschlussdrucksache": "BDs", "Informationsdrucksache": "IDs"}


def _prefixes(base: str) -> str:
    return prefix_block(base, ALL_PREFIXES)


def _art(concept: str | None) -> str | None:
    return ART_BY_CONCEPT.get(concept.rsplit("#", 1)[-1]) if concept else None


@dataclass(frozen=True)
class DrucksacheEntry:
    """One Drucksache as the index and the resolver see it."""

    uri: str
    key: str
    nummer: int
    wahlperiode: str | None
    jahr: int | None
    art: str | None
    titel: str | None
    measures: tuple[int, ...] = ()

    @property
    def path(self) -> str:
        return f"/id/drucksache/{self.key}"

    @property
    def parsed(self) -> Drucksache:
        return Drucksache(nummer=self.nummer, wahlperiode=self.wahlperiode, jahr=self.jahr, art=self.art)

    @property
    def zitierform(self) -> str:
        # Built from the parts rather than skos:notation, which drops the Wahlperiode of old-style numbers.
        return self.parsed.zitierform

    @property
    def art_lang(self) -> str | None:
        return ARTEN.get(self.art) if self.art else None

    def as_json(self) -> dict:
        return {
            "uri": self.uri, "path": self.path, "key": self.key, "nummer": self.nummer,
            "wahlperiode": self.wahlperiode, "jahr": self.jahr, "art": self.art, "art_lang": self.art_lang,
            "zitierform": self.zitierform, "titel": self.titel,
            "massnahmen_anzahl": len(self.measures), "massnahmen": list(self.measures),
        }


# The reverse index as one query, shown on /id/drucksache/ for reuse at /sparql (its prefixes for the data base URI).
INDEX_SPARQL = """{prefixes}# Alle Drucksachen, gruppiert nach Wahlperiode (ältere Zählung Nummer/Jahr als eigene Gruppe),
# mit der Zahl der Maßnahmen, die sie zitieren
SELECT ?gruppe ?drucksache ?key ?nummer ?wahlperiode ?jahr ?art ?titel
       (COUNT(DISTINCT ?massnahme) AS ?massnahmen) (GROUP_CONCAT(DISTINCT ?nr; separator=" ") AS ?nummern)
WHERE {{
  ?drucksache a ik:Drucksache ; dcterms:identifier ?key ; ik:drucksachennummer ?nummer .
  OPTIONAL {{ ?drucksache ik:wahlperiode ?wahlperiode }}
  OPTIONAL {{ ?drucksache ik:jahr ?jahr }}
  OPTIONAL {{ ?drucksache ik:drucksachenart ?art }}
  OPTIONAL {{ ?drucksache dcterms:title ?titel }}
  OPTIONAL {{ ?massnahme a ik:Massnahme ; dcterms:references ?drucksache ; dcterms:identifier ?nr }}
  BIND(IF(BOUND(?jahr), "{year_group}", ?wahlperiode) AS ?gruppe)
}}
GROUP BY ?gruppe ?drucksache ?key ?nummer ?wahlperiode ?jahr ?art ?titel
ORDER BY ?gruppe ?nummer"""
YEAR_GROUP = "Nummer/Jahr"


def index_sparql(base: str) -> str:
    return INDEX_SPARQL.format(prefixes=prefix_block(base, ("ik", "dcterms")), year_group=YEAR_GROUP)


def _entries(rows: list[dict]) -> list[DrucksacheEntry]:
    entries = [
        DrucksacheEntry(
            uri=r["drucksache"], key=r["key"], nummer=int(r["nummer"]), wahlperiode=r.get("wahlperiode"),
            jahr=int(r["jahr"]) if r.get("jahr") else None, art=_art(r.get("art")), titel=r.get("titel"),
            measures=tuple(sorted(int(n) for n in r.get("nummern", "").split())),
        )
        for r in rows
    ]
    return sorted(entries, key=lambda e: (e.jahr or 0, e.wahlperiode or "", e.nummer))


def drucksachen(store: Store, base: str) -> list[DrucksacheEntry]:
    """All Drucksachen with the numbers of the measures citing them (the rows of :data:`INDEX_SPARQL`)."""
    return _entries(store.select(index_sparql(base)))


def drucksache_entry(store: Store, base: str, key: str) -> DrucksacheEntry | None:
    """The index entry of the Drucksache ``key``: :data:`INDEX_SPARQL` bound to that key, so one page does not
    build the whole index."""
    query = index_sparql(base).replace("WHERE {\n", f"WHERE {{\n  VALUES ?key {{ {literal(key)} }}\n", 1)
    assert "VALUES ?key" in query
    return next(iter(_entries(store.select(query))), None)


@dataclass(frozen=True)
class Measure:
    uri: str
    nr: int
    titel: str
    handlungsfeld: str | None = None
    ziel: str | None = None
    angaben: tuple[str, ...] = field(default=())  # ik:drucksachenangabe, as written in the report

    @property
    def path(self) -> str:
        return f"/id/massnahme/{self.nr}"


_MEASURE_FIELDS = """
  ?m a ik:Massnahme ; dcterms:identifier ?nr ; dcterms:title ?titel .
  OPTIONAL { ?m ik:handlungsfeld/skos:prefLabel ?feld FILTER(lang(?feld) = "de") }
  OPTIONAL { ?m ik:verfolgtZiel/skos:prefLabel ?ziel FILTER(lang(?ziel) = "de") }
  OPTIONAL { ?m ik:drucksachenangabe ?angabe }
"""


def _measures(rows: list[dict]) -> list[Measure]:
    by_uri: dict[str, dict] = {}
    for r in rows:
        item = by_uri.setdefault(r["m"], {"row": r, "angaben": set()})
        if r.get("angabe"):
            item["angaben"].add(r["angabe"])
    measures = [
        Measure(uri=uri, nr=int(v["row"]["nr"]), titel=v["row"]["titel"], handlungsfeld=v["row"].get("feld"),
                ziel=v["row"].get("ziel"), angaben=tuple(sorted(v["angaben"])))
        for uri, v in by_uri.items()
    ]
    return sorted(measures, key=lambda m: m.nr)


def citing_measures(store: Store, base: str, drucksache_uri: str) -> list[Measure]:
    """Measures whose Drucksachen column cites this Drucksache (all their citations in ``angaben``)."""
    try:
        quoted = iri(drucksache_uri)
    except ValueError:
        return []
    return _measures(store.select(_prefixes(base) + f"SELECT * WHERE {{ ?m dcterms:references {quoted} . {_MEASURE_FIELDS} }}"))


@dataclass(frozen=True)
class CitedMeasure:
    """What a measure's citation needs: number and title, and the editions of the report that list it."""

    measure: Measure
    first: str | None   # IRI of the edition it was first published in (kg/editions.py)
    latest: str | None  # IRI of the latest edition that lists it


def cited_measures(store: Store, base: str) -> dict[str, tuple[int, str, str | None, str | None]]:
    """Every measure as a citation names it: IRI -> (Nr., title, first edition, latest edition). Meant to be kept per
    build (a measure page asks for its own at every first render; one query for all is cheaper than one per page)."""
    rows = store.select(_prefixes(base) + """
SELECT ?m ?nr ?titel ?first ?latest WHERE {
  ?m a ik:Massnahme ; dcterms:identifier ?nr ; dcterms:title ?titel .
  OPTIONAL { ?m ik:erstmalsIn ?first } OPTIONAL { ?m ik:zuletztIn ?latest }
}""")
    found: dict[str, tuple[int, str, str | None, str | None]] = {}
    for r in rows:
        found.setdefault(r["m"], (int(r["nr"]), r["titel"], r.get("first"), r.get("latest")))
    return found


def cited_measure(measures: dict[str, tuple[int, str, str | None, str | None]], uri: str) -> CitedMeasure | None:
    """The measure ``uri`` from :func:`cited_measures`."""
    found = measures.get(uri)
    if found is None:
        return None
    nr, titel, first, latest = found
    return CitedMeasure(Measure(uri=uri, nr=nr, titel=titel), first, latest)


def measure_numbers(store: Store, base: str) -> set[int]:
    rows = store.select(_prefixes(base) + "SELECT ?nr WHERE { ?m a ik:Massnahme ; dcterms:identifier ?nr }")
    return {int(r["nr"]) for r in rows}


def measure_titles(store: Store, base: str) -> dict[int, str]:
    """Nr. -> title of every measure, for lists that name the citing measures."""
    rows = store.select(_prefixes(base) + "SELECT ?nr ?titel WHERE { ?m a ik:Massnahme ; dcterms:identifier ?nr ; dcterms:title ?titel }")
    return {int(r["nr"]): r["titel"] for r in rows}


def literals(store: Store, base: str, subject: str, prop: str) -> list[str]:
    """All values of ``prop`` (a prefixed name like ``ik:zitiertAls``) on ``subject``, sorted."""
    try:
        quoted = iri(subject)
    except ValueError:
        return []
    return sorted(r["v"] for r in store.select(_prefixes(base) + f"SELECT ?v WHERE {{ {quoted} {prop} ?v }}"))


@dataclass(frozen=True)
class Report:
    """What a citation of the report needs: publisher, year (the report key) and title."""

    uri: str
    publisher: str
    year: str
    title: str


def reports(store: Store, base: str) -> dict[str, Report]:
    """Every edition of the report by IRI, newest first: a handful for the whole build, so a page's citation asks
    for them once per build (server.drucksache.documents) instead of twice per measure."""
    rows = store.select(_prefixes(base) + """
SELECT ?b ?key ?titel ?name WHERE {
  ?b a ik:Bericht ; dcterms:identifier ?key ; dcterms:title ?titel ; dcterms:publisher ?p .
  ?p foaf:name ?name .
} ORDER BY DESC(?key) ?b ?titel ?name""")
    found: dict[str, Report] = {}
    for r in rows:
        found.setdefault(r["b"], Report(uri=r["b"], publisher=r["name"], year=r["key"], title=r["titel"]))
    return found
