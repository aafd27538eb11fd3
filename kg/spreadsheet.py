"""Tables for spreadsheets: RFC 4180 CSV and XLSX, both safe to open.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a formula by
Excel or LibreOffice (OWASP „CSV Injection“): in CSV it gets a leading apostrophe, the mark spreadsheets read as
„this is text“; in XLSX it is stored as a text cell with the quote-prefix style, so the value stays exactly as it is
and is never evaluated, not even after editing. Numbers are written as numbers and left alone. Line breaks inside
cells stay: quoted in CSV, wrapped in XLSX.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WIDTH_SAMPLE = 200  # rows that decide the column widths (the rest stream through)
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | float | None


class Number(str):
    """A number kept in its own lexical form (``-5``, ``1.0E3``): written as it is, its minus is a sign."""


def dangerous(value: Cell) -> bool:
    return isinstance(value, str) and not isinstance(value, Number) and value.startswith(FORMULA_START)


def neutralise(value: Cell) -> Cell:
    """The CSV form of a cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if dangerous(value) else value


def neutralise_tsv_term(term: str) -> str:
    """A SPARQL TSV cell (N-Triples syntax): a quoted literal whose text starts like a formula gets the apostrophe
    inside its quotes – spreadsheets drop the quotes on import. IRIs (``<``), blank nodes (``_:``) and bare numbers
    cannot start a formula."""
    if term.startswith('"') and term[1:2] in ("=", "+", "-", "@"):
        return '"\'' + term[1:]
    return term


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Cell]], delimiter: str = ",") -> str:
    """RFC 4180: comma, CRLF between records, quotes where needed (cells with line breaks included)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow(["" if c is None else neutralise(c) for c in row])
    return out.getvalue()


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Cell]]]]) -> bytes:
    """One workbook, a sheet per ``(name, columns, rows)``: bold frozen header, autofilter, text cells as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)  # streams rows: the dumps at 1000× the report have 129,000 measures
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for name, columns, rows in sheets:
        ws = wb.create_sheet(name[:31])
        ws.freeze_panes = "A2"
        rows = iter(rows)
        sample = [row for _, row in zip(range(WIDTH_SAMPLE), rows, strict=False)]
        widths = [max(8, min(60, len(str(c)) + 2)) for c in columns]
        for row in sample:
            for i, v in enumerate(row[:len(widths)]):
                if isinstance(v, str) and v:
                    widths[i] = max(widths[i], min(60, max(map(len, v.split("\n"))) + 2))
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        header = []
        for c in columns:
            cell = WriteOnlyCell(ws, value=str(c))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        count = 0
        for row in itertools.chain(sample, rows):
            ws.append([_cell(ws, v, wrap) for v in row])
            count += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(columns)))}{count + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(ws, value: Cell, wrap):
    from openpyxl.cell import WriteOnlyCell

    if value is None or value == "":
        return None
    if not isinstance(value, str) or not (dangerous(value) or "\n" in value or "\r" in value):
        return value  # a plain value is several times cheaper than a cell object (129,000 rows at 1000×)
    text = value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value  # XML keeps no bare CR
    cell = WriteOnlyCell(ws, value=text)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
        if dangerous(value):
            cell.quotePrefix = True
        if "\n" in text:  # a bare CR (old Mac line end) is a line break too
            cell.alignment = wrap
    return cell
