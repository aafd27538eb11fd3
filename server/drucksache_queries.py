"""Store queries behind the Drucksache resolver, the reverse index, the Drucksache pages and the citation formats.

Every function takes the store and the data base URI of the build (``manifest["base_uri"]``), so it answers for
whatever base the graph was built on. Values come back as plain Python objects; nothing here knows about HTTP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.drucksache import ARTEN, Drucksache
from kg.store import Store

ART_BY_CONCEPT = {"Beschlussdrucksache": "BDs", "Informationsdrucksache": "IDs"}
# An IRI that is safe to put between <> in a query (no spaces, quotes, brackets …).
_SAFE_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


def prefixes(base: str) -> str:
    return (
        f"PREFIX ik: <{base}def/ik#>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    )


def safe_iri(value: object) -> str | None:
    """The IRI if it can be quoted in SPARQL as is, else None (template variables are not trusted)."""
    text = str(value or "")
    return text if _SAFE_IRI.fullmatch(text) else None


def local_path(uri: str, base: str) -> str:
    """``https://…/id/massnahme/1`` → ``/id/massnahme/1``; links stay on this server whatever the base."""
    return "/" + uri[len(base):] if uri.startswith(base) else uri


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


# The reverse index as one query, shown on /id/drucksache/ for reuse at /sparql; {base} is the data base URI.
INDEX_SPARQL = """PREFIX ik: <{base}def/ik#>
PREFIX dcterms: <http://purl.org/dc/terms/>
# Alle Drucksachen, gruppiert nach Wahlperiode (ältere Zählung Nummer/Jahr als eigene Gruppe),
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
    return INDEX_SPARQL.format(base=base, year_group=YEAR_GROUP)


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


def _string_literal(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def drucksache_entry(store: Store, base: str, key: str) -> DrucksacheEntry | None:
    """The index entry of the Drucksache ``key``: :data:`INDEX_SPARQL` bound to that key, so one page does not
    build the whole index."""
    query = index_sparql(base).replace("WHERE {\n", f"WHERE {{\n  VALUES ?key {{ {_string_literal(key)} }}\n", 1)
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
    iri = safe_iri(drucksache_uri)
    if iri is None:
        return []
    return _measures(store.select(prefixes(base) + f"SELECT * WHERE {{ ?m dcterms:references <{iri}> . {_MEASURE_FIELDS} }}"))


def measure(store: Store, base: str, nr: int) -> Measure | None:
    found = _measures(store.select(prefixes(base) + f"SELECT * WHERE {{ {_MEASURE_FIELDS} FILTER(?nr = \"{int(nr)}\") }}"))
    return found[0] if found else None


def measure_numbers(store: Store, base: str) -> set[int]:
    rows = store.select(prefixes(base) + "SELECT ?nr WHERE { ?m a ik:Massnahme ; dcterms:identifier ?nr }")
    return {int(r["nr"]) for r in rows}


def literals(store: Store, base: str, subject: str, prop: str) -> list[str]:
    """All values of ``prop`` (a prefixed name like ``ik:zitiertAls``) on ``subject``, sorted."""
    iri = safe_iri(subject)
    if iri is None:
        return []
    return sorted(r["v"] for r in store.select(prefixes(base) + f"SELECT ?v WHERE {{ <{iri}> {prop} ?v }}"))


@dataclass(frozen=True)
class Report:
    """What a citation of the report needs: publisher, year (the report key) and title."""

    uri: str
    publisher: str
    year: str
    title: str


def report(store: Store, base: str) -> Report | None:
    rows = store.select(prefixes(base) + """
SELECT ?b ?key ?titel ?name WHERE {
  ?b a ik:Bericht ; dcterms:identifier ?key ; dcterms:title ?titel ; dcterms:publisher ?p .
  ?p foaf:name ?name .
} ORDER BY DESC(?key) LIMIT 1""")
    if not rows:
        return None
    r = rows[0]
    return Report(uri=r["b"], publisher=r["name"], year=r["key"], title=r["titel"])
