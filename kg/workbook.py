"""The clerk's editor: the tables of data/ as one XLSX workbook, and back.

``export`` writes one sheet per table file (with the columns the file has), a German „Hilfe“ sheet, dropdowns
(field of action, the goals of the chosen field, units and target groups as „Name (Schlüssel)“, Dezernate,
URI status), column comments and a frozen header; every cell is text, so Excel keeps „01“ and „2017-07“ as typed.
``WorkbookTables`` lets `kg build` read the tables from the workbook instead of the CSV files; ``import_to``
writes them back into the CSV files, keeping the exact text of every row that did not change so that git diffs
show only the clerk's edits. The YAML files (fields of action, focus areas, the report) are not in the workbook:
they follow the report's chapters and change rarely; the build always reads them from data/.

openpyxl does the XLSX; LibreOffice Calc opens and saves the same file, so no ODS variant is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import yaml
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kg import schema, tabular
from kg.errors import DataError, Origin
from kg.schema import LIST_SEP

DEFAULT_NAME = "arbeitsmappe.xlsx"  # in data/, ignored by git: the CSV files stay the record
HELP_SHEET = "Hilfe"
LISTS_SHEET = "Listen"
SPARE_ROWS = 500  # rows below the data that get the dropdowns too, for new entries
WIDE = {"titel": 40, "beschreibung": 70, "notiz": 40, "label": 50, "name": 40, "definition": 50, "reason": 40}
_NAMED = re.compile(r"^(?P<name>.*\S)\s*\((?P<key>[^()]+)\)$")  # „Fachbereich Jugend (51)“


def default_path(data_dir: Path) -> Path:
    return Path(data_dir) / DEFAULT_NAME


# ------------------------------------------------------------------ writing


def _read_csv(path: Path, table: schema.Table) -> tabular.Parsed | None:
    """The CSV file as parsed rows; None when missing or not UTF-8 (the build names the problem)."""
    try:
        return tabular.parse(path.read_bytes().decode("utf-8"), table.required_columns)
    except (OSError, UnicodeDecodeError):
        return None


def _csv(data_dir: Path, table: schema.Table) -> tabular.Parsed | None:
    return _read_csv(Path(data_dir) / table.file, table)


@dataclass
class Choices:
    """What the dropdowns offer, taken from the current data."""

    felder: list[tuple[str, str]]  # (slug, label)
    ziele: dict[str, list[str]]  # field slug -> goal slugs
    named: dict[str, list[str]]  # table -> "Name (key)" entries


def choices(data_dir: Path) -> Choices:
    felder_yaml = yaml.safe_load((Path(data_dir) / "handlungsfelder.yaml").read_text(encoding="utf-8")) or []
    felder = [(str(f["slug"]), str(f.get("label") or "")) for f in felder_yaml if isinstance(f, dict) and f.get("slug")]
    ziele: dict[str, list[str]] = {slug: [] for slug, _ in felder}
    named: dict[str, list[str]] = {}
    targets = {c.ref for t in schema.TABLES.values() for c in t.columns if c.ref in schema.TABLES} | {"ziele"}
    for name in sorted(targets):
        table = schema.TABLES[name]
        parsed = _csv(data_dir, table)
        entries = []
        for _, rec in parsed.records() if parsed else []:
            key = rec.get(table.key, "").strip()
            if not key:
                continue
            if name == "ziele":
                ziele.setdefault(rec.get("handlungsfeld", "").strip(), []).append(key)
            label = next((rec[c].strip() for c in table.labels if rec.get(c, "").strip()), "")
            entries.append(f"{label} ({key})" if label else key)
        named[name] = entries
    return Choices(felder, ziele, named)


def _list_name(field_slug: str) -> str:
    return "ziele_" + re.sub(r"[^A-Za-z0-9_]", "_", field_slug)


class _Lists:
    """The hidden sheet the dropdowns read from; one column per list, one named range per field's goals."""

    def __init__(self, wb: openpyxl.Workbook) -> None:
        self.wb = wb
        self.ws = wb.create_sheet(LISTS_SHEET)
        self.ws.sheet_state = "hidden"
        self.next_column = 1

    def add(self, title: str, values: list[str], name: str | None = None) -> str:
        col = self.next_column
        self.next_column += 1
        self.ws.cell(1, col, title).font = Font(bold=True)
        for i, value in enumerate(values, start=2):
            _text(self.ws.cell(i, col), value)
        letter = get_column_letter(col)
        ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${max(2, len(values) + 1)}"
        if name:
            self.wb.defined_names[name] = DefinedName(name, attr_text=ref)
        return ref


def _text(cell, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # text even when it starts with "=": the workbook holds data, never formulas
    cell.number_format = "@"


def _validation(ws: Worksheet, column: int, rows: int, formula: str, prompt: str, strict: bool = True,
                kind: str = "list") -> DataValidation:
    letter = get_column_letter(column)
    dv = DataValidation(type=kind, formula1=formula, allow_blank=True, showDropDown=False,
                        showErrorMessage=True, errorStyle="stop" if strict else "warning",
                        errorTitle="Wert nicht in der Liste", error=prompt, promptTitle="Hinweis", prompt=prompt,
                        showInputMessage=True)
    if kind == "whole":
        dv.operator = "between"
        dv.formula2 = "9999999"
    dv.add(f"{letter}2:{letter}{rows + SPARE_ROWS}")
    ws.add_data_validation(dv)
    return dv


def export(data_dir: Path, out: Path | None = None) -> Path:
    """Write the workbook of ``data_dir``'s tables; return its path."""
    data_dir = Path(data_dir)
    out = Path(out) if out else default_path(data_dir)
    wb = openpyxl.Workbook()
    help_ws = wb.active
    help_ws.title = HELP_SHEET
    lists = _Lists(wb)
    offered = choices(data_dir)
    # One list per table that a column names by key („Name (Schlüssel)“); the goals come per field, below.
    refs = {"handlungsfelder": lists.add("handlungsfelder", [slug for slug, _ in offered.felder])}
    refs |= {name: lists.add(name, entries) for name, entries in offered.named.items() if name != "ziele"}
    for slug, _ in offered.felder:
        lists.add(f"ziele {slug}", offered.ziele.get(slug, []), name=_list_name(slug))
    sheets = []
    for table in schema.TABLES.values():
        parsed = _csv(data_dir, table)
        if parsed is None:
            continue
        ws = wb.create_sheet(table.name, index=len(sheets) + 1)
        _fill(ws, table, parsed)
        _validate(ws, table, parsed, refs, lists)
        sheets.append((table, parsed))
    _help(help_ws, sheets, offered)
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames))
    wb.active = 1 if len(wb.sheetnames) > 1 else 0
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _fill(ws: Worksheet, table: schema.Table, parsed: tabular.Parsed) -> None:
    header_fill = PatternFill("solid", fgColor="DDE7F0")
    for col, name in enumerate(parsed.header, start=1):
        cell = ws.cell(1, col, name)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        column = table.column(name)
        text = column.help if column else "Spalte ohne Beschreibung in kg/schema.py; Inhalt wird unverändert übernommen."
        if column and column.required:
            text = "Pflichtfeld. " + text
        cell.comment = Comment(text, "kg workbook", width=320, height=120)
        width = WIDE.get(name, max(12, min(30, len(name) + 4)))
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for r, row in enumerate(sorted(parsed.rows + parsed.misfits, key=lambda x: x.number), start=2):
        for col, value in enumerate(row.fields, start=1):
            cell = ws.cell(r, col)
            _text(cell, value)
            cell.alignment = wrap if "\n" in value or len(value) > 60 else top
    ws.freeze_panes = "B2" if table.name == "massnahmen" else "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(parsed.header)))}{max(2, len(parsed.rows) + 1)}"


def _validate(ws: Worksheet, table: schema.Table, parsed: tabular.Parsed, refs: dict[str, str], lists: _Lists) -> None:
    rows = len(parsed.rows) + len(parsed.misfits) + 1
    for col, name in enumerate(parsed.header, start=1):
        column = table.column(name)
        if column is None:
            continue
        if table.name == "massnahmen" and name == "ziel" and "handlungsfeld" in parsed.header:
            field_col = get_column_letter(parsed.header.index("handlungsfeld") + 1)
            _validation(ws, col, rows, f'INDIRECT("ziele_"&SUBSTITUTE(${field_col}2,"-","_"))',
                        "Ein Ziel des gewählten Handlungsfeldes (erst das Handlungsfeld wählen).")
        elif column.ref in refs:
            many = " Mehrere Werte: Schlüssel mit | trennen (z. B. 51|50) und die Warnung mit „Ja“ bestätigen." if column.many else ""
            _validation(ws, col, rows, refs[column.ref],
                        f"Aus der Liste wählen; „Name (Schlüssel)“ wird als Schlüssel übernommen.{many}",
                        strict=column.ref == "handlungsfelder")
        elif column.kind == "choice":
            _validation(ws, col, rows, lists.add(name, list(column.choices)), f"Eines von: {', '.join(column.choices)}.")
        elif column.kind == "int":
            dv = _validation(ws, col, rows, "0", "Eine ganze Zahl.", kind="whole")
            dv.formula1 = "1" if name == table.key else "0"


def _help(ws: Worksheet, sheets: list[tuple[schema.Table, tabular.Parsed]], offered: Choices) -> None:
    lines: list[tuple[str, ...]] = [
        ("Arbeitsmappe Integrationskonzept – so arbeiten Sie damit",),
        (),
        ("1.", "Ein Blatt je Tabelle, eine Zeile je Eintrag. Die erste Zeile (Spaltennamen) nicht ändern; ein Kommentar "
               "an jedem Spaltennamen sagt, was hineingehört."),
        ("2.", "Auswahllisten: Handlungsfeld, dann Ziel (zeigt nur die Ziele dieses Handlungsfeldes), OE und Zielgruppen "
               "als „Name (Schlüssel)“ – übernommen wird der Schlüssel."),
        ("3.", f"Mehrere Werte in einer Zelle mit {LIST_SEP} trennen, z. B. 51{LIST_SEP}50. Zeilenumbrüche in einer Zelle "
               "sind erlaubt (Alt+Eingabe)."),
        ("4.", "Daten als JJJJ, JJJJ-MM oder JJJJ-MM-TT (oder TT.MM.JJJJ), nur wenn der Bericht sie nennt."),
        ("5.", "Als Excel-Arbeitsmappe (.xlsx) speichern, nicht als CSV."),
        ("6.", "Prüfen: kg validate – Fehler nennen Blatt, Maßnahme, Zeile, Spalte und was zu tun ist. "
               "Vorschau: kg serve --watch, dann http://127.0.0.1:8080 im Browser (baut bei jedem Speichern neu)."),
        ("7.", "Übernehmen: kg workbook --import schreibt die Blätter zurück in data/*.csv; dann die Änderung "
               "mit git einchecken (auch published-uris.txt). Schritt für Schritt: data/ANLEITUNG.md."),
        ("8.", "Handlungsfelder, Schwerpunkte und Angaben zum Bericht stehen in data/*.yaml und sind nicht in dieser Mappe."),
        (),
        ("Blatt", "Spalte", "Pflicht", "Bedeutung"),
    ]
    for table, parsed in sheets:
        lines.append((table.name, "", "", f"{table.title}: {table.help}"))
        for name in parsed.header:
            column = table.column(name)
            lines.append(("", name, "ja" if column and column.required else "",
                          column.help if column else "(keine Beschreibung)"))
    lines += [(), ("Handlungsfelder", "", "", ", ".join(f"{slug} ({label})" for slug, label in offered.felder))]
    for r, values in enumerate(lines, start=1):
        for c, value in enumerate(values, start=1):
            _text(ws.cell(r, c), value)
            ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    header_row = next(i for i, v in enumerate(lines, start=1) if v[:1] == ("Blatt",))
    for c in range(1, 5):
        ws.cell(header_row, c).font = Font(bold=True)
    for letter, width in zip("ABCD", (18, 18, 8, 100), strict=True):
        ws.column_dimensions[letter].width = width


# ------------------------------------------------------------------ reading


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "ja" if value else "nein"
    return str(value)


class WorkbookTables:
    """The workbook's sheets as tables for kg.sources.load (a TableSource)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.label = _display(self.path)
        self._wb = openpyxl.load_workbook(self.path, read_only=True, data_only=False)
        self._sheets: dict[str, tabular.Parsed] = {}

    def where(self, table: schema.Table) -> str:
        return f"{self.label}, Blatt „{table.name}“"

    def sheet(self, table: schema.Table) -> tabular.Parsed | None:
        if table.name not in self._sheets:
            if table.name not in self._wb.sheetnames:
                return None
            self._sheets[table.name] = _parse_sheet(self._wb[table.name])
            _keys_from_names(self, table)
        return self._sheets[table.name]

    def parsed(self, table: schema.Table) -> tabular.Parsed | DataError:
        parsed = self.sheet(table)
        if parsed is None:
            return DataError(Origin(self.label, 0), "D02", f"Blatt „{table.name}“ fehlt in der Arbeitsmappe",
                             fix="Die Arbeitsmappe mit kg workbook neu erzeugen; Blätter nicht umbenennen.")
        return parsed


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _parse_sheet(ws) -> tabular.Parsed:
    rows = ws.iter_rows(values_only=True)
    header_cells = [_cell(v).strip() for v in next(rows, ())]
    while header_cells and not header_cells[-1]:
        header_cells.pop()
    parsed = tabular.Parsed(header_cells)
    for number, values in enumerate(rows, start=2):
        fields = [_cell(v) for v in values]
        while fields and not fields[-1].strip():
            fields.pop()
        if not fields:
            continue
        if len(fields) <= len(header_cells):  # empty trailing cells are empty values in a sheet, not missing ones
            fields += [""] * (len(header_cells) - len(fields))
            parsed.rows.append(tabular.Row(number, 0, fields, ""))
        else:  # a value right of the last column: kept apart, never dropped
            parsed.misfits.append(tabular.Row(number, 0, fields, ""))
    return parsed


def _keys_from_names(tables: WorkbookTables, table: schema.Table) -> None:
    """„Fachbereich Jugend (51)“ from a dropdown becomes the key „51“ (when 51 is a key of that table)."""
    parsed = tables._sheets[table.name]
    refs = {i: c for i, name in enumerate(parsed.header) if (c := table.column(name)) and c.ref in schema.TABLES}
    if not refs:
        return
    for row in parsed.rows:
        for i, column in refs.items():
            value = row.fields[i]
            if "(" not in value:
                continue
            target = schema.TABLES[column.ref]
            target_rows = parsed if column.ref == table.name else tables.sheet(target)
            if not isinstance(target_rows, tabular.Parsed) or target.key not in target_rows.header:
                continue
            k = target_rows.header.index(target.key)
            known = {r.fields[k].strip() for r in target_rows.rows}
            parts = value.split(LIST_SEP) if column.many else [value]
            out = []
            for part in parts:
                m = _NAMED.match(part.strip())
                out.append(m["key"].strip() if m and m["key"].strip() in known else part)
            row.fields[i] = LIST_SEP.join(out)


# ------------------------------------------------------------------ back into the CSV files


def import_to(path: Path, data_dir: Path) -> list[str]:
    """Write the workbook's sheets into ``data_dir``'s CSV files; return the files that changed."""
    source = WorkbookTables(path)
    changed = []
    for table in schema.TABLES.values():
        sheet = source.sheet(table)
        if sheet is None:
            continue
        target = Path(data_dir) / table.file
        previous = _read_csv(target, table)
        rows = [r.fields for r in sorted(sheet.rows + sheet.misfits, key=lambda r: r.number)]
        text = tabular.write(sheet.header, rows, previous)
        if not target.exists() or target.read_bytes() != text.encode("utf-8"):
            target.write_text(text, encoding="utf-8", newline="")
            changed.append(f"data/{table.file}")
    return changed


def differences(path: Path, data_dir: Path) -> list[schema.Table]:
    """Tables whose sheet and CSV file hold different values (ignoring how the CSV is quoted or delimited)."""
    source = WorkbookTables(path)
    out = []
    for table in schema.TABLES.values():
        sheet = source.sheet(table)
        target = Path(data_dir) / table.file
        if sheet is None:
            continue
        current = _read_csv(target, table)
        if current is None:
            out.append(table)
            continue
        mine = [[v.strip() for v in r.fields] for r in sorted(sheet.rows + sheet.misfits, key=lambda r: r.number)]
        theirs = [[v.strip() for v in r.fields] for r in sorted(current.rows + current.misfits, key=lambda r: r.number)]
        if current.header != sheet.header or mine != theirs:
            out.append(table)
    return out


def stale(path: Path, data_dir: Path) -> list[DataError]:
    """CSV files changed after the workbook was saved and differing from it (a git pull, a text editor): reading
    the workbook would silently undo those changes, so the build stops and says how to reconcile."""
    saved = Path(path).stat().st_mtime
    label = _display(Path(path))
    return [DataError(
        Origin(f"data/{table.file}", 0), "D10",
        f"wurde nach der Arbeitsmappe {label} geändert und weicht von deren Blatt „{table.name}“ ab",
        fix=f"Gilt die Arbeitsmappe: kg workbook --import (überschreibt data/{table.file}). Gilt die Datei: "
            "kg workbook --force (erzeugt die Arbeitsmappe neu; Änderungen darin gehen verloren).")
        for table in differences(path, data_dir)
        if (Path(data_dir) / table.file).exists() and (Path(data_dir) / table.file).stat().st_mtime > saved]
