"""Read the human-editable sources in data/ into plain records, checking what a clerk can get wrong.

Every record carries its :class:`~kg.errors.Origin` (file and line) so that any later rule, SHACL
included, can name the row to fix. All problems are collected before the build stops.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kg import drucksache
from kg.errors import BuildError, DataError, Origin

LIST_SEP = "|"  # separator for several values in one CSV cell
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
DURATION = re.compile(r"^P(\d+Y)?(\d+M)?(\d+D)?$")
# A line-break hyphen left by the PDF extraction: "plan- nen". A suspended hyphen is followed by und/oder/sowie/bis.
HYPHEN_ARTEFACT = re.compile(r"\w- (?!und\b|oder\b|sowie\b|bis\b|bzw\.)[a-zäöüß]")

Record = dict


@dataclass
class Sources:
    massnahmen: list[Record] = field(default_factory=list)
    ziele: list[Record] = field(default_factory=list)
    handlungsfelder: list[Record] = field(default_factory=list)
    oe: list[Record] = field(default_factory=list)
    dezernate: list[Record] = field(default_factory=list)
    zielgruppen: list[Record] = field(default_factory=list)
    drucksachen: list[Record] = field(default_factory=list)
    schwerpunkte: list[Record] = field(default_factory=list)
    bericht: Record = field(default_factory=dict)
    region: Record = field(default_factory=dict)


class _Reader:
    """Collects problems while reading; one instance per load."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = data_dir
        self.problems: list[DataError] = []

    def fail(self, origin: Origin | None, rule: str, message: str) -> None:
        self.problems.append(DataError(origin, rule, message))

    def _text(self, name: str) -> str | None:
        path = self.dir / name
        try:
            raw = path.read_bytes()
        except OSError as exc:
            self.fail(Origin(f"data/{name}", 0), "D01", str(exc))
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.fail(Origin(f"data/{name}", line), "D01", f"Byte {raw[exc.start]:#x} ist kein UTF-8; Datei als UTF-8 speichern.")
            return None

    def csv(self, name: str, required: tuple[str, ...]) -> list[Record]:
        text = self._text(name)
        if text is None:
            return []
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            self.fail(Origin(f"data/{name}", 1), "D02", f"Spalten fehlen: {', '.join(missing)}")
            return []
        records = []
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.fail(Origin(f"data/{name}", start), "D04", f"CSV-Fehler: {exc}")
                break
            if not any((v or "").strip() for v in row.values()):
                continue
            rec = {k: (v or "").strip() for k, v in row.items() if k is not None}
            rec["_origin"] = Origin(f"data/{name}", start)
            records.append(rec)
        return records

    def yaml(self, name: str) -> tuple[object, dict[int, int]]:
        """Parsed YAML plus the start line of each top-level list entry."""
        text = self._text(name)
        if text is None:
            return None, {}
        try:
            node = yaml.compose(text)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            self.fail(Origin(f"data/{name}", mark.line + 1 if mark else 0), "D04", f"YAML-Fehler: {exc}")
            return None, {}
        lines = {}
        if isinstance(node, yaml.SequenceNode):
            lines = {i: item.start_mark.line + 1 for i, item in enumerate(node.value)}
        return data, lines

    def entries(self, name: str, required: tuple[str, ...]) -> list[Record]:
        data, lines = self.yaml(name)
        if data is None:
            return []
        if not isinstance(data, list):
            self.fail(Origin(f"data/{name}", 1), "D04", "erwartet wird eine Liste von Einträgen")
            return []
        out = []
        for i, entry in enumerate(data):
            origin = Origin(f"data/{name}", lines.get(i, 0))
            if not isinstance(entry, dict):
                self.fail(origin, "D04", "Eintrag ist keine Zuordnung (key: value)")
                continue
            for key in required:
                if entry.get(key) in (None, ""):
                    self.fail(origin, "D03", f"„{key}“ fehlt")
            rec = dict(entry)
            rec["_origin"] = origin
            out.append(rec)
        return out


def split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(LIST_SEP) if v.strip()]


def load(data_dir: Path) -> Sources:
    """Read and check every source; raise :class:`BuildError` listing all problems."""
    r = _Reader(Path(data_dir))
    s = Sources()
    s.handlungsfelder = r.entries("handlungsfelder.yaml", ("slug", "label", "abschnitt"))
    s.ziele = r.csv("ziele.csv", ("slug", "handlungsfeld", "label"))
    s.oe = r.csv("oe.csv", ("key", "notation", "name", "typ", "dezernat", "teil_von", "schreibweisen", "quelle", "notiz"))
    s.dezernate = r.csv("dezernate.csv", ("key", "name", "leitung"))
    s.zielgruppen = r.csv("zielgruppen.csv", ("slug", "label", "label_en", "oberbegriff", "alter_von", "alter_bis"))
    s.drucksachen = r.csv("drucksachen.csv", ("zitat", "fundstelle", "titel", "datum", "notiz"))
    s.massnahmen = r.csv("massnahmen.csv", (
        "nr", "handlungsfeld", "ziel", "titel", "beschreibung", "oe", "drucksachen", "weitere_infos",
        "zielgruppen", "alter_von", "alter_bis", "beginn", "ende", "dauer", "notiz"))
    s.schwerpunkte = r.entries("schwerpunkte.yaml", ("slug", "label", "ziel", "beschreibung"))
    meta, _ = r.yaml("bericht.yaml")
    if isinstance(meta, dict):
        s.bericht, s.region = meta.get("bericht") or {}, meta.get("region") or {}
        for part, rec in (("bericht", s.bericht), ("region", s.region)):
            rec["_origin"] = Origin("data/bericht.yaml", 1)
            if not rec.get("key"):
                r.fail(rec["_origin"], "D03", f"„{part}.key“ fehlt")
    elif meta is not None:
        r.fail(Origin("data/bericht.yaml", 1), "D04", "erwartet werden die Abschnitte „bericht“ und „region“")
    if not r.problems:
        _check(r, s)
    if r.problems:
        raise BuildError(r.problems)
    return s


def _unique(r: _Reader, records: list[Record], key: str, pattern: re.Pattern | None = SLUG) -> dict[str, Record]:
    seen: dict[str, Record] = {}
    for rec in records:
        value = str(rec.get(key) or "").strip()
        origin = rec["_origin"]
        if not value:
            r.fail(origin, "D03", f"„{key}“ fehlt")
            continue
        if pattern and not pattern.fullmatch(value):
            r.fail(origin, "D04", f"„{key}“ = „{value}“: nur Kleinbuchstaben, Ziffern und Bindestriche erlaubt")
        if value in seen:
            r.fail(origin, "D05", f"„{key}“ = „{value}“ steht schon in {seen[value]['_origin']}")
            continue
        seen[value] = rec
    return seen


def _check(r: _Reader, s: Sources) -> None:
    felder = _unique(r, s.handlungsfelder, "slug")
    ziele = _unique(r, s.ziele, "slug")
    oes = _unique(r, s.oe, "key", re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$"))
    dezernate = _unique(r, s.dezernate, "key", re.compile(r"^[IVX]+$"))
    gruppen = _unique(r, s.zielgruppen, "slug")
    _unique(r, s.schwerpunkte, "slug")

    def known(rec: Record, column: str, value: str, table: dict, what: str) -> None:
        if value and value not in table:
            r.fail(rec["_origin"], "D06", f"„{column}“ = „{value}“: kein {what} mit diesem Schlüssel")

    for rec in s.ziele:
        known(rec, "handlungsfeld", rec["handlungsfeld"], felder, "Handlungsfeld (data/handlungsfelder.yaml)")
    for rec in s.oe:
        known(rec, "dezernat", rec["dezernat"], dezernate, "Dezernat (data/dezernate.csv)")
        known(rec, "teil_von", rec["teil_von"], oes, "OE (data/oe.csv)")
    for rec in s.zielgruppen:
        known(rec, "oberbegriff", rec["oberbegriff"], gruppen, "Zielgruppe")
        _ages(r, rec)
    for rec in s.handlungsfelder:
        if not isinstance(rec.get("beispiele", []), list):
            r.fail(rec["_origin"], "D04", "„beispiele“ muss eine Liste von Maßnahmennummern sein")
    for rec in s.drucksachen:
        _citation(r, rec, rec["zitat"], "zitat")
        if rec["datum"] and not DATE.fullmatch(rec["datum"]):
            r.fail(rec["_origin"], "D04", f"„datum“ = „{rec['datum']}“: erwartet JJJJ, JJJJ-MM oder JJJJ-MM-TT")

    numbers: dict[int, Record] = {}
    for rec in s.massnahmen:
        origin = rec["_origin"]
        nr = rec["nr"]
        if not nr:
            r.fail(origin, "D03", "„nr“ fehlt: jede Maßnahme braucht ihre Nummer aus Anhang 6.1")
        elif not re.fullmatch(r"[1-9]\d{0,6}", nr):
            r.fail(origin, "D04", f"„nr“ = „{nr}“: erwartet eine ganze Zahl ab 1")
        elif int(nr) in numbers:
            r.fail(origin, "D05", f"Maßnahme Nr. {nr} steht schon in {numbers[int(nr)]['_origin']}")
        else:
            numbers[int(nr)] = rec
        for column in ("handlungsfeld", "ziel", "titel", "beschreibung"):
            if not rec[column]:
                r.fail(origin, "D03", f"„{column}“ fehlt")
        known(rec, "handlungsfeld", rec["handlungsfeld"], felder, "Handlungsfeld (data/handlungsfelder.yaml)")
        known(rec, "ziel", rec["ziel"], ziele, "Ziel (data/ziele.csv)")
        for key in split(rec["oe"]):
            known(rec, "oe", key, oes, "OE (data/oe.csv)")
        for slug in split(rec["zielgruppen"]):
            known(rec, "zielgruppen", slug, gruppen, "Zielgruppe (data/zielgruppen.csv)")
        for text in split(rec["drucksachen"]):
            _citation(r, rec, text, "drucksachen")
        for column in ("beginn", "ende"):
            if rec[column] and not DATE.fullmatch(rec[column]):
                r.fail(origin, "D04", f"„{column}“ = „{rec[column]}“: erwartet JJJJ, JJJJ-MM oder JJJJ-MM-TT")
        if rec["dauer"] and not DURATION.fullmatch(rec["dauer"]):
            r.fail(origin, "D04", f"„dauer“ = „{rec['dauer']}“: erwartet eine ISO-8601-Dauer wie P3Y")
        _ages(r, rec)
        stray = title_words_not_in_text(rec["titel"], rec["beschreibung"])
        if stray:
            r.fail(origin, "D08", f"„titel“ enthält Wörter, die in der Beschreibung nicht vorkommen: {', '.join(stray)} "
                                  "(Titel nur aus dem Wortlaut des Berichts bilden)")
        for column in ("titel", "beschreibung"):
            m = HYPHEN_ARTEFACT.search(rec[column])
            if m:
                r.fail(origin, "D04", f"„{column}“ enthält ein Trennungsartefakt „{m.group(0)}“; Wort zusammenschreiben")
    for rec in s.schwerpunkte:
        known(rec, "handlungsfeld", rec.get("handlungsfeld") or "", felder, "Handlungsfeld")
        for nr in rec.get("massnahmen") or []:
            if nr not in numbers:
                r.fail(rec["_origin"], "D06", f"„massnahmen“ nennt Nr. {nr}, die es nicht gibt")
    for rec in s.handlungsfelder:
        for nr in rec.get("beispiele") or []:
            if nr not in numbers:
                r.fail(rec["_origin"], "D06", f"„beispiele“ nennt Nr. {nr}, die es nicht gibt")


def title_words_not_in_text(title: str, text: str) -> list[str]:
    """Words of a title that the description does not contain (allowing for inflection: the stem must occur)."""
    lowered = text.lower()
    return [w for w in re.findall(r"\w{4,}", title) if w.lower()[: max(4, len(w) - 2)] not in lowered]


def _ages(r: _Reader, rec: Record) -> None:
    values = []
    for column in ("alter_von", "alter_bis"):
        v = str(rec.get(column) or "")
        if v and not re.fullmatch(r"\d{1,3}", v):
            r.fail(rec["_origin"], "D04", f"„{column}“ = „{v}“: erwartet eine ganze Zahl (Jahre)")
            return
        values.append(int(v) if v else None)
    if None not in values and values[0] > values[1]:
        r.fail(rec["_origin"], "D08", f"„alter_von“ {values[0]} ist größer als „alter_bis“ {values[1]}")


def _citation(r: _Reader, rec: Record, text: str, column: str) -> None:
    try:
        drucksache.parse(text)
    except drucksache.CitationError as exc:
        r.fail(rec["_origin"], "D07", f"„{column}“: {exc}")
