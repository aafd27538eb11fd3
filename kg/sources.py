"""Read the human-editable sources in data/ into plain records, checking what a clerk can get wrong.

Every record carries its :class:`~kg.errors.Origin` (file and line) so that any later rule, SHACL
included, can name the row to fix. All problems are collected before the build stops.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

import yaml

from kg import drucksache, evidence, messages, schema, tabular
from kg.errors import BuildError, DataError, Origin
from kg.messages import Keys
from kg.namespaces import uri
from kg.schema import LIST_SEP

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
DURATION = re.compile(r"^P(\d+Y)?(\d+M)?(\d+D)?$")
# A line-break hyphen left by the PDF extraction: "plan- nen". A suspended hyphen is followed by und/oder/sowie/bis.
HYPHEN_ARTEFACT = re.compile(r"\w- (?!und\b|oder\b|sowie\b|bis\b|bzw\.)[a-zäöüß]")
# A place in the report as a clerk writes it: "Kapitel 6.2", "Anhang 6.1", "Impressum"; several separated by ";".
PLACE = re.compile(r"^(?:(?:Kapitel|Anhang)\s+(?P<number>\d(?:\.\d)?)|(?P<title>Impressum))$")
# data/ausgaben.csv (kg/editions.py): an edition's key, the chapter listing its measures, the measures it lists.
EDITION_KEY = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,39}$")
EDITION_CHAPTER = re.compile(r"^(?P<number>[0-9](?:\.[0-9])?)\s+(?P<title>\S.*)$")  # „6.1 Auflistung Maßnahmen und Projekte“
NUMBER_RANGE = re.compile(r"^(?P<a>[1-9][0-9]*)(?:\s*-\s*(?P<b>[1-9][0-9]*))?$")
# data/status.csv (kg/status.py): the statuses of def/status, and a source named as „Bericht 2020“.
STATUSES = ("geplant", "laufend", "abgeschlossen", "beendet", "unbekannt")
REPORT = re.compile(r"^Bericht\s+(?P<key>[0-9A-Za-z-]+)$")

Record = dict


@dataclass
class Sources:
    massnahmen: list[Record] = field(default_factory=list)
    belege: list[Record] = field(default_factory=list)  # the report's words for each soft fact of a measure
    ziele: list[Record] = field(default_factory=list)
    handlungsfelder: list[Record] = field(default_factory=list)
    oe: list[Record] = field(default_factory=list)
    oe_arten: list[Record] = field(default_factory=list)
    dezernate: list[Record] = field(default_factory=list)
    zielgruppen: list[Record] = field(default_factory=list)
    drucksachen: list[Record] = field(default_factory=list)
    schwerpunkte: list[Record] = field(default_factory=list)
    status: list[Record] = field(default_factory=list)  # mapped by kg/status.py
    ausgaben: list[Record] = field(default_factory=list)  # editions of the report, mapped by kg/editions.py
    bericht: Record = field(default_factory=dict)
    region: Record = field(default_factory=dict)


class _Reader:
    """Collects problems while reading; one instance per load."""

    def __init__(self, data_dir: Path, tables: TableSource | None = None) -> None:
        self.dir = data_dir
        self.tables = tables or CsvFiles(data_dir)
        self.problems: list[DataError] = []
        self.fatal = False  # a whole file could not be read: reference checks against it would only mislead
        self.misfits: dict[str, tuple[schema.Table, tabular.Parsed]] = {}

    def fail(self, origin: Origin | None, rule: str, message: str, column: str | None = None, fix: str | None = None) -> None:
        self.problems.append(DataError(origin, rule, message, column, fix))

    def _text(self, name: str) -> str | None:
        path = self.dir / name
        try:
            raw = path.read_bytes()
        except OSError as exc:
            self.fail(Origin(f"data/{name}", 0), "D01", str(exc))
            self.fatal = True
            return None
        text = tabular_text(raw, f"data/{name}", None)
        if isinstance(text, DataError):
            self.problems.append(text)
            self.fatal = True
            return None
        return text

    def table(self, name: str) -> list[Record]:
        table = schema.TABLES[name]
        parsed = self.tables.parsed(table)
        if isinstance(parsed, DataError):
            self.problems.append(parsed)
            self.fatal = True
            return []
        where = self.tables.where(table)
        missing = [c for c in table.required_columns if c not in parsed.header]
        if missing:
            self.fail(Origin(where, 1), "D02", f"Spalten fehlen: {', '.join(missing)}", fix=_header_fix(parsed, missing))
            self.fatal = True
            return []
        records = []
        for row, values in parsed.records():
            rec = {k: v.strip() for k, v in values.items() if k}
            rec["_origin"] = row_origin(table, where, row, rec)
            records.append(rec)
        if parsed.misfits:
            self.misfits[name] = (table, parsed)
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
            self.fail(Origin(f"data/{name}", mark.line + 1 if mark else 0, table=False), "D04", f"YAML-Fehler: {exc}")
            self.fatal = True
            return None, {}
        lines = {}
        if isinstance(node, yaml.SequenceNode):
            lines = {i: item.start_mark.line + 1 for i, item in enumerate(node.value)}
        return data, lines

    def entries(self, name: str) -> list[Record]:
        spec = schema.YAML_FILES[name]
        data, lines = self.yaml(spec.file)
        if data is None:
            return []
        if not isinstance(data, list):
            self.fail(Origin(f"data/{spec.file}", 1, table=False), "D04", "erwartet wird eine Liste von Einträgen")
            self.fatal = True
            return []
        out = []
        for i, entry in enumerate(data):
            origin = Origin(f"data/{spec.file}", lines.get(i, 0), table=False)
            if not isinstance(entry, dict):
                self.fail(origin, "D04", "Eintrag ist keine Zuordnung (key: value)")
                continue
            if spec.key and entry.get(spec.key):
                origin = Origin(origin.file, origin.row, record=_format(spec.record, entry), table=False)
            for key in spec.required:
                if entry.get(key) in (None, ""):
                    self.fail(origin, "D03", f"„{key}“ fehlt")
            rec = dict(entry)
            rec["_origin"] = origin
            out.append(rec)
        return out


class TableSource(Protocol):
    """Where the tables come from: the CSV files in data/ or the sheets of a workbook (kg/workbook.py)."""

    def parsed(self, table: schema.Table) -> tabular.Parsed | DataError: ...

    def where(self, table: schema.Table) -> str: ...


class CsvFiles:
    def __init__(self, data_dir: Path) -> None:
        self.dir = Path(data_dir)

    def where(self, table: schema.Table) -> str:
        return f"data/{table.file}"

    def parsed(self, table: schema.Table) -> tabular.Parsed | DataError:
        try:
            raw = (self.dir / table.file).read_bytes()
        except OSError as exc:
            return DataError(Origin(self.where(table), 0), "D01", str(exc))
        text = tabular_text(raw, self.where(table), table)
        return text if isinstance(text, DataError) else tabular.parse(text, table.required_columns)


def _format(template: str, values: dict) -> str | None:
    try:
        return template.format_map({k: str(v) for k, v in values.items()})
    except (KeyError, ValueError):
        return None


def row_origin(table: schema.Table, where: str, row: tabular.Row, values: dict) -> Origin:
    label = _format(table.record, values) if str(values.get(table.key) or "").strip() else None
    return Origin(where, row.number, row.line, label)


def tabular_text(raw: bytes, where: str, table: schema.Table | None) -> str | DataError:
    """The file as text, or a finding naming the first row and column that is not UTF-8 – typically a file
    saved by Excel as „CSV (Trennzeichen-getrennt)“, i.e. Windows-1252, instead of „CSV UTF-8“."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    fix = ("Datei als UTF-8 speichern: in Excel „Speichern unter“ → Dateityp „CSV UTF-8 (durch Trennzeichen getrennt)“, "
           "in LibreOffice Zeichensatz „Unicode (UTF-8)“ – oder in der Arbeitsmappe bearbeiten (kg workbook).")
    sample = raw[max(0, bad_at - 20): bad_at + 20].decode("cp1252", errors="replace").split("\n")[-1]
    message = (f"Die Datei ist nicht als UTF-8 gespeichert, sondern vermutlich als Windows-1252 („ANSI“): "
               f"Byte {raw[bad_at]:#x} in „{sample.strip()}“")
    if table is None:
        return DataError(Origin(where, raw[:bad_at].count(b"\n") + 1, table=False), "D01", message, fix=fix)
    # Latin-1 maps every byte to one character, so the records and their byte offsets line up.
    parsed = tabular.parse(raw.decode("latin-1"), table.required_columns)
    for row in parsed.rows + parsed.misfits:
        for i, value in enumerate(row.fields):
            try:
                value.encode("latin-1").decode("utf-8")
            except UnicodeDecodeError:
                column = parsed.header[i] if i < len(parsed.header) else None
                values = dict(zip(parsed.header, row.fields, strict=False))
                text = value.encode("latin-1").decode("cp1252", errors="replace")
                message = (f"Die Datei ist nicht als UTF-8 gespeichert, sondern vermutlich als Windows-1252 („ANSI“): "
                           f"„{_excerpt(text)}“")
                return DataError(row_origin(table, where, row, values), "D01", message, column, fix)
    return DataError(Origin(where, 0), "D01", message, fix=fix)


def _excerpt(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _header_fix(parsed: tabular.Parsed, missing: list[str]) -> str:
    """Misspelt column names get their closest match; otherwise say that the first row must be the header."""
    hints = []
    for name in missing:
        close = difflib.get_close_matches(name, parsed.header, n=1, cutoff=0.6)
        if close:
            hints.append(f"„{close[0]}“ in „{name}“ umbenennen")
    if hints:
        return "; ".join(hints) + "."
    return ("Die erste Zeile muss die Spaltennamen enthalten (wie in der Vorlage, Kleinbuchstaben); "
            "Zeilen darüber löschen.")


def split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(LIST_SEP) if v.strip()]


def load(data_dir: Path, tables: TableSource | None = None) -> Sources:
    """Read and check every source; raise :class:`BuildError` listing all problems. ``tables`` reads the
    tables from elsewhere (a workbook); the YAML files always come from ``data_dir``."""
    r = _Reader(Path(data_dir), tables)
    s = Sources()
    s.handlungsfelder = r.entries("handlungsfelder")
    s.ziele = r.table("ziele")
    s.oe = r.table("oe")
    s.oe_arten = r.table("oe-arten")
    s.dezernate = r.table("dezernate")
    s.zielgruppen = r.table("zielgruppen")
    s.drucksachen = r.table("drucksachen")
    s.massnahmen = r.table("massnahmen")
    s.belege = r.table("belege")
    s.status = r.table("status")
    s.ausgaben = r.table("ausgaben")
    s.schwerpunkte = r.entries("schwerpunkte")
    meta, _ = r.yaml("bericht.yaml")
    if isinstance(meta, dict):
        s.bericht, s.region = meta.get("bericht") or {}, meta.get("region") or {}
        for part, rec in (("bericht", s.bericht), ("region", s.region)):
            rec["_origin"] = Origin("data/bericht.yaml", 1, table=False)
            if not rec.get("key"):
                r.fail(rec["_origin"], "D03", f"„{part}.key“ fehlt")
    elif meta is not None:
        r.fail(Origin("data/bericht.yaml", 1, table=False), "D04", "erwartet werden die Abschnitte „bericht“ und „region“")
    if not r.fatal:
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
            r.fail(origin, "D03", f"„{key}“ fehlt", key)
            continue
        if pattern and not pattern.fullmatch(value):
            r.fail(origin, "D04", f"„{key}“ = „{value}“: nur Kleinbuchstaben, Ziffern und Bindestriche erlaubt", key,
                   f"z. B. „{messages.slug(value)}“")
        if value in seen:
            r.fail(origin, "D05", f"„{key}“ = „{value}“ steht schon in {seen[value]['_origin']}", key,
                   "Einen eigenen Schlüssel vergeben oder die doppelte Zeile löschen.")
            continue
        seen[value] = rec
    return seen


def _keys(name: str, records: list[Record]) -> Keys:
    spec = schema.keyed(name)
    what = spec.record.split(" ", 1)[0] if spec.record else spec.title
    where = f"Tabelle „{name}“ (data/{spec.file})" if isinstance(spec, schema.Table) else f"data/{spec.file}"
    keys = Keys(what, where)
    for rec in records:
        key = str(rec.get(spec.key) or "").strip()
        if key:
            keys.names.setdefault(key, [])
            for column in spec.labels:
                keys.names[key] += split(str(rec.get(column) or ""))
    return keys


def _check(r: _Reader, s: Sources) -> None:
    felder = _unique(r, s.handlungsfelder, "slug")
    ziele = _unique(r, s.ziele, "slug")
    _unique(r, s.oe, "key", re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$"))
    _unique(r, s.dezernate, "key", re.compile(r"^[IVX]+$"))
    _unique(r, s.zielgruppen, "slug")
    _unique(r, s.oe_arten, "slug")
    _unique(r, s.schwerpunkte, "slug")
    parts = {chapter_key(ch) for ch in s.bericht.get("kapitel") or []}
    keys = {"handlungsfelder": _keys("handlungsfelder", s.handlungsfelder), "ziele": _keys("ziele", s.ziele),
            "oe": _keys("oe", s.oe), "dezernate": _keys("dezernate", s.dezernate),
            "zielgruppen": _keys("zielgruppen", s.zielgruppen), "oe-arten": _keys("oe-arten", s.oe_arten)}

    def known(rec: Record, column: str, value: str, target: str, whole: str | None = None) -> bool:
        """Is ``value`` a key of table ``target``? If not, say what was probably meant."""
        table = keys[target]
        if not value or value in table:
            return True
        others = {c.name: keys[c.ref] for c in schema.TABLES["massnahmen"].columns
                  if c.ref and c.ref != target and c.name != column}
        fix = messages.unknown_key(whole or value, table, others)
        r.fail(rec["_origin"], "D06", f"„{whole or value}“ ist kein Schlüssel aus {table.where}", column, fix)
        return False

    def references(rec: Record, column: str, target: str, many: bool = False) -> None:
        value = rec.get(column) or ""
        if not many:
            known(rec, column, value, target)
            return
        parts = split(value)
        if len(parts) == 1 and parts[0] not in keys[target] and messages.separator_fix(parts[0], keys[target]):
            known(rec, column, parts[0], target)  # "51;50": one finding with the separator hint
            return
        for part in parts:
            known(rec, column, part, target)

    for rec in s.ziele:
        references(rec, "handlungsfeld", "handlungsfelder")
    for rec in s.oe:
        references(rec, "dezernat", "dezernate")
        references(rec, "teil_von", "oe")
        references(rec, "typ", "oe-arten")
        _places(r, rec, "quelle", parts)
    for rec in s.zielgruppen:
        references(rec, "oberbegriff", "zielgruppen")
        _ages(r, rec)
    for rec in s.handlungsfelder:
        if not isinstance(rec.get("beispiele", []), list):
            r.fail(rec["_origin"], "D04", "„beispiele“ muss eine Liste von Maßnahmennummern sein")
    for rec in s.drucksachen:
        _citation(r, rec, rec["zitat"], "zitat")
        _date(r, rec, "datum")
        _places(r, rec, "fundstelle", parts)

    numbers: dict[int, Record] = {}
    taken = {int(rec["nr"]) for rec in s.massnahmen if re.fullmatch(r"[1-9]\d{0,6}", rec["nr"])}
    for rec in s.massnahmen:
        origin = rec["_origin"]
        nr = rec["nr"]
        if not nr:
            r.fail(origin, "D03", "„nr“ fehlt: jede Maßnahme braucht ihre Nummer aus Anhang 6.1", "nr",
                   f"Nummer eintragen; die nächste freie ist {_next_free(taken)}.")
        elif not re.fullmatch(r"[1-9]\d{0,6}", nr):
            r.fail(origin, "D04", f"„nr“ = „{nr}“: erwartet eine ganze Zahl ab 1", "nr",
                   f"Nur die Nummer eintragen, z. B. {_next_free(taken)}.")
        elif int(nr) in numbers:
            first = numbers[int(nr)]
            r.fail(origin, "D05", f"Nr. {nr} steht schon in Tabellenzeile {first['_origin'].row} "
                                  f"(„{_excerpt(first['titel'], 50)}“)", "nr",
                   f"Eine neue Maßnahme bekommt die nächste freie Nummer: {_next_free(taken)}; "
                   "eine doppelt eingetragene Zeile löschen.")
        else:
            numbers[int(nr)] = rec
        for column in ("handlungsfeld", "ziel", "titel", "beschreibung"):
            if not rec[column]:
                r.fail(origin, "D03", f"„{column}“ fehlt", column, _required_fix(column, rec, keys))
        field_ok = known(rec, "handlungsfeld", rec["handlungsfeld"], "handlungsfelder")
        if field_ok and rec["handlungsfeld"] and rec["ziel"]:
            _goal_of_field(r, rec, ziele, keys)
        elif rec["ziel"]:
            known(rec, "ziel", rec["ziel"], "ziele")
        references(rec, "oe", "oe", many=True)
        references(rec, "zielgruppen", "zielgruppen", many=True)
        for text in split(rec["drucksachen"]):
            _citation(r, rec, text, "drucksachen")
        for column in ("beginn", "ende"):
            _date(r, rec, column)
        if rec["dauer"] and not DURATION.fullmatch(rec["dauer"]):
            r.fail(origin, "D04", f"„dauer“ = „{rec['dauer']}“ ist keine ISO-8601-Dauer", "dauer",
                   "z. B. P3Y (3 Jahre), P6M (6 Monate), P1Y6M (anderthalb Jahre).")
        _ages(r, rec)
        stray = title_words_not_in_text(rec["titel"], rec["beschreibung"])
        if stray:
            r.fail(origin, "D08", f"„titel“ enthält Wörter, die in der Beschreibung nicht vorkommen: {', '.join(stray)}",
                   "titel", "Titel nur aus dem Wortlaut des Berichts bilden.")
        for column in ("titel", "beschreibung"):
            m = HYPHEN_ARTEFACT.search(rec[column])
            if m:
                r.fail(origin, "D04", f"„{column}“ enthält ein Trennungsartefakt „{m.group(0)}“", column,
                       "Das getrennte Wort zusammenschreiben.")
    _evidence(r, s, numbers, ziele)
    _editions(r, s, set(numbers))
    _status(r, s, set(numbers), parts)
    for rec in s.schwerpunkte:
        if rec.get("handlungsfeld") and rec["handlungsfeld"] not in felder:
            known(rec, "handlungsfeld", rec["handlungsfeld"], "handlungsfelder")
        for nr in rec.get("massnahmen") or []:
            if nr not in numbers:
                r.fail(rec["_origin"], "D06", f"„massnahmen“ nennt Nr. {nr}, die es nicht gibt")
    for rec in s.handlungsfelder:
        for nr in rec.get("beispiele") or []:
            if nr not in numbers:
                r.fail(rec["_origin"], "D06", f"„beispiele“ nennt Nr. {nr}, die es nicht gibt")
    for table, parsed in r.misfits.values():
        _misfits(r, table, parsed, keys)


def _evidence(r: _Reader, s: Sources, numbers: dict[int, Record], ziele: dict[str, Record]) -> None:
    """Every value of an evidenced column of massnahmen.csv has exactly one row in belege.csv, whose quotation
    occurs in the measure's description – or, marked „ziel“, in the wording of its goal. Each measure gets its
    rows as ``_belege``, in file order."""
    found: dict[tuple[int, str, str], Record] = {}
    for rec in s.belege:
        origin, nr = rec["_origin"], rec.get("nr") or ""
        measure = numbers.get(int(nr)) if re.fullmatch(r"[1-9]\d{0,6}", nr) else None
        if measure is None:
            r.fail(origin, "D06", f"„nr“ = „{nr}“: keine Maßnahme mit dieser Nummer", "nr",
                   "Die Nummer der Maßnahme aus „massnahmen“ eintragen.")
            continue
        angabe, stelle = rec.get("angabe") or "", rec.get("stelle") or ""
        if angabe not in schema.EVIDENCED:
            r.fail(origin, "D04", f"„angabe“ = „{angabe}“ wird nicht belegt", "angabe", f"Eines von: {', '.join(schema.EVIDENCED)}.")
            continue
        if stelle not in ("", "beschreibung", "ziel"):
            r.fail(origin, "D04", f"„stelle“ = „{stelle}“", "stelle", "Leer lassen (Text der Maßnahme) oder „ziel“ eintragen.")
            continue
        wert = rec.get("wert") or ""
        wert = (parse_date(wert) or wert) if angabe in ("beginn", "ende") else wert
        values = split(measure[angabe]) if angabe == "zielgruppen" else [measure[angabe]] if measure[angabe] else []
        if wert not in values:
            r.fail(origin, "D08", f"Maßnahme {nr} hat in „{angabe}“ nicht den Wert „{wert}“"
                                  f"{' (sondern ' + ', '.join(values) + ')' if values else ' (die Spalte ist leer)'}", "wert",
                   "Den Wert wie in „massnahmen“ schreiben – oder die Zeile löschen, wenn die Angabe entfallen ist.")
            continue
        key = (int(nr), angabe, wert)
        if key in found:
            r.fail(origin, "D05", f"Der Beleg für {angabe} „{wert}“ von Maßnahme {nr} steht schon in Tabellenzeile "
                                  f"{found[key]['_origin'].row}", None, "Eine der beiden Zeilen löschen.")
            continue
        found[key] = rec
        goal = ziele.get(measure["ziel"]) or {}
        text, where = (goal.get("label") or "", f"im Wortlaut des Ziels „{goal.get('label', '')}“") if stelle == "ziel" \
            else (measure["beschreibung"], "in der Beschreibung der Maßnahme")
        if not evidence.quoted_in(rec.get("zitat") or "", text):
            r.fail(origin, "D12", f"„{_excerpt(rec.get('zitat') or '', 80)}“ steht nicht {where} {nr}", "zitat",
                   "Die Worte genau aus dem Bericht übernehmen (eine Lücke mit … markieren)"
                   + ("; steht es im Ziel, „stelle“ = ziel eintragen." if stelle != "ziel" else "."))
        measure.setdefault("_belege", []).append(rec)
    for nr, measure in sorted(numbers.items()):
        for angabe in schema.EVIDENCED:
            values = split(measure[angabe]) if angabe == "zielgruppen" else [measure[angabe]] if measure[angabe] else []
            for wert in values:
                if (nr, angabe, wert) not in found and _well_formed(angabe, wert, s):
                    r.fail(measure["_origin"], "D11", f"{angabe} „{wert}“ hat keinen Beleg in belege.csv", angabe,
                           f"In belege.csv die Zeile {nr},{angabe},{wert},„…“ ergänzen: die Worte des Berichts, die das "
                           "sagen – oder den Wert löschen, wenn der Bericht es nicht sagt.")


def _well_formed(angabe: str, wert: str, s: Sources) -> bool:
    """Is the value one the reader accepted? A malformed one has its own finding; asking for its evidence too would
    only repeat it."""
    if angabe == "zielgruppen":
        return wert in {z["slug"] for z in s.zielgruppen}
    if angabe in ("beginn", "ende"):
        return parse_date(wert) is not None
    if angabe == "dauer":
        return bool(DURATION.fullmatch(wert))
    return bool(re.fullmatch(r"\d{1,3}", wert))


def edition_keys(s: Sources) -> set[str]:
    """Every edition's key: that of bericht.yaml and those of ausgaben.csv."""
    return {str(s.bericht.get("key"))} | {str(r.get("bericht") or "").strip() for r in s.ausgaben}


def _listed(cell: str) -> set[int] | str:
    """The measures an edition lists („1-128|130“), or the part that is neither number nor range."""
    out: set[int] = set()
    for part in split(cell):
        m = NUMBER_RANGE.fullmatch(part)
        if not m or (m["b"] and int(m["b"]) < int(m["a"])):
            return part
        out |= set(range(int(m["a"]), int(m["b"] or m["a"]) + 1))
    return out


def _editions(r: _Reader, s: Sources, measures: set[int]) -> None:
    """The rows of ausgaben.csv: key, measures listed, year, title, chapter, predecessor. Each good row gets the
    measures it lists as ``_numbers``."""
    main = str(s.bericht.get("key"))
    rows: dict[str, Record] = {}
    for rec in s.ausgaben:
        key, origin = str(rec.get("bericht") or "").strip(), rec["_origin"]

        def fail(column: str, message: str, fix: str, rule: str = "D04", origin=origin) -> None:
            r.fail(origin, rule, message, column, fix)

        if not EDITION_KEY.fullmatch(key):
            fail("bericht", f"„{key}“ taugt nicht als Schlüssel einer Ausgabe", "Das Jahr der Ausgabe eintragen, z. B. 2024.")
            continue
        if key in rows:
            fail("bericht", f"Ausgabe {key} steht schon in {rows[key]['_origin']}", "Die doppelte Zeile löschen.", "D05")
            continue
        numbers = _listed(rec.get("massnahmen") or "")
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
        if key != main and not EDITION_CHAPTER.fullmatch((rec.get("kapitel") or "").strip()):
            fail("kapitel", f"Ausgabe {key}: „{rec.get('kapitel') or ''}“ nennt nicht Nummer und Titel des Kapitels mit den Maßnahmen",
                 "z. B. „6.1 Auflistung Maßnahmen und Projekte“.", "D03" if not rec.get("kapitel") else "D04")
            continue
        rows[key], rec["_numbers"] = rec, numbers
    for key, rec in rows.items():
        previous = (rec.get("vorgaenger") or "").strip()
        if previous and (previous not in rows and previous != main or previous >= key):
            r.fail(rec["_origin"], "D06", f"Vorgänger „{previous}“ ist keine frühere Ausgabe", "vorgaenger",
                   "Den Schlüssel einer Ausgabe mit kleinerem Jahr eintragen, oder leer lassen.")


def _status_source(value: str, reports: set[str]):
    """The resource a ``quelle`` cell of status.csv names and the name of its text under data/texte/, or a German
    problem."""
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


def _status(r: _Reader, s: Sources, measures: set[int], parts: set[str]) -> None:
    """The rows of status.csv, their quotes against the source's text (kg/evidence.py). Each good row gets its date
    as ISO text, its places as ``_places`` and its source as ``_source``."""
    texts = evidence.Texts(r.dir)
    known = {str(nr) for nr in measures}
    reports = edition_keys(s)
    for rec in s.status:
        origin = rec["_origin"]

        def fail(column: str, message: str, fix: str, rule: str = "D04", origin=origin) -> None:
            r.fail(origin, rule, message, column, fix)

        nr = str(rec.get("massnahme") or "")
        if nr not in known:
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
        source = _status_source(rec.get("quelle") or "", reports)
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


def chapter_key(chapter: Record) -> str:
    """Key of a part of the report: its number ("6.2") or, for a part without number, its title in lower case."""
    return str(chapter.get("nummer") or "") or str(chapter.get("titel") or "").strip().lower()


def places(text: str) -> list[str]:
    """The report parts a cell names ("Kapitel 5; Kapitel 6.2" -> ["5", "6.2"]); ValueError names a bad item."""
    out = []
    for item in (part.strip() for part in re.split(r"[;|]", text or "")):
        if not item:
            continue
        m = PLACE.fullmatch(item)
        if not m:
            raise ValueError(item)
        out.append(m["number"] or m["title"].lower())
    return out


def _places(r: _Reader, rec: Record, column: str, parts: set[str]) -> None:
    try:
        keys = places(rec[column])
    except ValueError as exc:
        r.fail(rec["_origin"], "D04", f"„{exc}“ ist keine Stelle im Bericht", column,
               "z. B. „Kapitel 6.2“, „Anhang 6.1“ oder „Impressum“; mehrere durch „;“ trennen.")
        return
    for key in keys:
        if key not in parts:
            r.fail(rec["_origin"], "D06", f"„{key}“ ist kein Teil des Berichts in data/bericht.yaml (kapitel)", column,
                   "Die Nummer wie im Inhaltsverzeichnis schreiben, z. B. „Kapitel 3.4“.")


def _next_free(taken: set[int]) -> int:
    return max(taken, default=0) + 1


def _required_fix(column: str, rec: Record, keys: dict[str, Keys]) -> str:
    if column == "handlungsfeld":
        return f"Eines wählen: {messages.listing(keys['handlungsfelder'])}."
    if column == "ziel" and rec["handlungsfeld"] in keys["handlungsfelder"]:
        return f"Ein Ziel des Handlungsfeldes „{rec['handlungsfeld']}“ eintragen (Tabelle „ziele“)."
    return "Ausfüllen; der Text steht in Anhang 6.1 des Berichts." if column in ("titel", "beschreibung") else "Ausfüllen."


def _goal_of_field(r: _Reader, rec: Record, ziele: dict[str, Record], keys: dict[str, Keys]) -> None:
    """The goal must be one of the chosen field's goals; name those, and the goal's own field when it has one."""
    field_key, goal = rec["handlungsfeld"], rec["ziel"]
    if goal in ziele and ziele[goal]["handlungsfeld"] == field_key:
        return  # before the message below: it lists the field's goals, and made for every row it was quadratic
    goals = [k for k, z in ziele.items() if z["handlungsfeld"] == field_key]
    felder = keys["handlungsfelder"]
    own = keys["ziele"]
    valid = f"Ziele im Handlungsfeld {felder.show(field_key)}: {messages.listing(own, goals)}"
    if goal in ziele:
        other = ziele[goal]["handlungsfeld"]
        if other not in felder:
            return  # the goal's own row names no valid field: that row's finding says so, this would only echo it
        r.fail(rec["_origin"], "D08", f"Ziel „{goal}“ gehört zum Handlungsfeld {felder.show(other)}, nicht zu "
                                      f"{felder.show(field_key)}", "ziel",
               f"{valid}. Oder das Handlungsfeld auf „{other}“ ändern.")
        return
    mine = Keys(own.what, own.where, {k: own.names[k] for k in goals})
    close = mine.suggest(goal) or own.suggest(goal)
    hint = f"{messages.did_you_mean(own, close)} " if close else ""
    r.fail(rec["_origin"], "D06", f"„{goal}“ ist kein Schlüssel aus {own.where}", "ziel", f"{hint}{valid}.")


def _misfits(r: _Reader, table: schema.Table, parsed: tabular.Parsed, keys: dict[str, Keys]) -> None:
    """Rows with more or fewer fields than the header: each fails the build, with the likely cause."""
    header, expected = parsed.header, len(parsed.header)
    where = r.tables.where(table)
    rows = sorted(parsed.misfits, key=lambda row: row.number)
    skip: set[int] = set()
    for i, row in enumerate(rows):
        if row.number in skip:
            continue
        n = len(row.fields)
        values = dict(zip(header, row.fields, strict=False))
        if not _fits(table.column(table.key), values.get(table.key, "").strip(), keys):
            values.pop(table.key, None)  # the second half of a broken row: its first cell is no key
        origin = row_origin(table, where, row, values)
        count = f"Die Zeile hat {n} Felder, erwartet {expected} (wie die Kopfzeile)"
        if n > expected:
            cause, fix = _extra_fields(table, header, row.fields, parsed.delimiter, keys)
            r.fail(origin, "D09", f"{count}. {cause}", None, fix)
            continue
        following = rows[i + 1] if i + 1 < len(rows) else None
        if following and following.number == row.number + 1 and n + len(following.fields) - 1 == expected:
            column = header[n - 1]
            skip.add(following.number)
            r.fail(origin, "D09", f"{count}; Tabellenzeile {following.number} hat die übrigen {len(following.fields)}. "
                                  f"Vermutlich enthält Spalte „{column}“ einen Zeilenumbruch ohne Anführungszeichen, "
                                  "so dass eine Maßnahme auf zwei Zeilen zerfällt", column,
                   "Den Zelltext in Anführungszeichen setzen (\"…\") oder die Zeile in der Arbeitsmappe bearbeiten; "
                   "die beiden Zeilen sind eine.")
            continue
        last = header[n - 1] if n else header[0]
        missing = header[n:]
        r.fail(origin, "D09", f"{count}: sie endet nach Spalte „{last}“, es fehlen "
                              f"{', '.join(f'„{c}“' for c in missing)}", None,
               f"Fehlende Felder ergänzen – auch leere Felder brauchen ihr Trennzeichen „{parsed.delimiter}“ "
               f"({expected - 1} je Zeile); nichts wird ergänzt oder weggelassen, bis die Zeile vollständig ist.")


def _extra_fields(table: schema.Table, header: list[str], fields: list[str], delimiter: str,
                  keys: dict[str, Keys]) -> tuple[str, str]:
    """Which cell probably held an unquoted delimiter: the merge of neighbouring fields after which most cells fit
    their columns, preferring a list of keys („51, 50“ in „oe“)."""
    extra = len(fields) - len(header)

    def score(i: int) -> tuple[int, int]:
        merged = fields[:i] + [delimiter.join(fields[i:i + extra + 1])] + fields[i + extra + 1:]
        fits = sum(_fits(table.column(c), v.strip(), keys) for c, v in zip(header, merged, strict=True))
        column = table.column(header[i])
        keyed = bool(column and column.ref and messages.separator_fix(merged[i].strip(), keys.get(column.ref)))
        return fits, keyed

    scores = {i: score(i) for i in range(len(header))}
    best = max(scores.values())
    at = [i for i, sc in scores.items() if sc == best]
    cells = {i: delimiter.join(fields[i:i + extra + 1]).strip() for i in at}
    if len(at) <= 3:
        names = " oder ".join(f"„{header[i]}“ („{_excerpt(cells[i], 40)}“)" for i in at)
        cause = f"Vermutlich steht ein „{delimiter}“ ohne Anführungszeichen in Spalte {names}"
    else:
        cause = f"Ein Wert enthält ein „{delimiter}“ ohne Anführungszeichen"
    column = table.column(header[at[0]])
    if len(at) == 1 and column and column.ref:
        sep = messages.separator_fix(cells[at[0]], keys.get(column.ref))
        if sep:
            return cause, sep + "."
    return cause, ("Den Text in Anführungszeichen setzen (\"…\") – das tut jede Tabellenkalkulation beim Speichern "
                   "als CSV; mehrere Schlüssel mit | trennen.")


def _fits(column: schema.Column | None, value: str, keys: dict[str, Keys]) -> bool:
    if column is None or not value:
        return not (column and column.required)
    parts = split(value) if column.many else [value]
    if column.ref:  # "51, 50" fits a list of units, written with the wrong separator
        table = keys.get(column.ref)
        return table is not None and (all(p in table for p in parts) or bool(messages.separator_fix(value, table)))
    if column.kind == "int":
        return value.isdigit()
    if column.kind == "date":
        return parse_date(value) is not None
    if column.kind == "duration":
        return bool(DURATION.fullmatch(value))
    if column.kind == "slug":
        return bool(SLUG.fullmatch(value))
    if column.kind == "citation":
        return all(_parses(p) for p in parts)
    if column.kind == "choice":
        return value in column.choices
    return True


def _parses(citation: str) -> bool:
    try:
        drucksache.parse(citation)
    except drucksache.CitationError:
        return False
    return True


GERMAN_DATE = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})")
GERMAN_MONTH = re.compile(r"(?P<m>\d{1,2})[./](?P<y>\d{4})")


def parse_date(value: str) -> str | None:
    """ISO ``JJJJ``, ``JJJJ-MM``, ``JJJJ-MM-TT`` – or the German ``TT.MM.JJJJ`` / ``MM.JJJJ`` a spreadsheet shows –
    as ISO text; None for anything else, including dates the calendar does not have."""
    m = GERMAN_DATE.fullmatch(value)
    if m:
        value = f"{m['y']}-{int(m['m']):02d}-{int(m['d']):02d}"
    m = GERMAN_MONTH.fullmatch(value)
    if m:
        value = f"{m['y']}-{int(m['m']):02d}"
    if not DATE.fullmatch(value):
        return None
    parts = [int(p) for p in value.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None
    return value


def _date(r: _Reader, rec: Record, column: str) -> None:
    value = rec.get(column) or ""
    if not value:
        return
    iso = parse_date(value)
    if iso is None:
        r.fail(rec["_origin"], "D04", f"„{column}“ = „{value}“ ist kein Datum", column,
               "Als JJJJ, JJJJ-MM oder JJJJ-MM-TT eintragen (auch TT.MM.JJJJ geht), z. B. 2025-03-01 oder 01.03.2025; "
               "Jahr vierstellig.")
    else:
        rec[column] = iso


def title_words_not_in_text(title: str, text: str) -> list[str]:
    """Words of a title that the description does not contain (allowing for inflection: the stem must occur)."""
    lowered = text.lower()
    return [w for w in re.findall(r"\w{4,}", title) if w.lower()[: max(4, len(w) - 2)] not in lowered]


def _ages(r: _Reader, rec: Record) -> None:
    values = []
    for column in ("alter_von", "alter_bis"):
        v = str(rec.get(column) or "")
        if v and not re.fullmatch(r"\d{1,3}", v):
            r.fail(rec["_origin"], "D04", f"„{column}“ = „{v}“: erwartet eine ganze Zahl (Jahre)", column,
                   "Nur die Zahl der Jahre eintragen, z. B. 18.")
            return
        values.append(int(v) if v else None)
    if None not in values and values[0] > values[1]:
        r.fail(rec["_origin"], "D08", f"„alter_von“ {values[0]} ist größer als „alter_bis“ {values[1]}", "alter_von",
               "Die beiden Werte tauschen.")


def _citation(r: _Reader, rec: Record, text: str, column: str) -> None:
    try:
        drucksache.parse(text)
    except drucksache.CitationError as exc:
        parts = [p for p in re.split(r"\s*;\s*", text) if p]
        fix = (f"Mehrere Drucksachen mit | trennen: „{LIST_SEP.join(parts)}“." if len(parts) > 1 and all(map(_parses, parts))
               else "Die Angabe genau so eintragen, wie sie im Bericht steht.")
        r.fail(rec["_origin"], "D07", str(exc), column, fix)
