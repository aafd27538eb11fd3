"""CSV as spreadsheets write it, read without losing anything, and written back so that git diffs stay small.

Reading accepts what German Excel and LibreOffice save („CSV UTF-8“ with a byte-order mark, ``;`` as delimiter,
CRLF line ends) and keeps, for every record, the row a spreadsheet shows (header = row 1), the text line it
starts on and its exact text. A record whose field count differs from the header is kept apart as a misfit,
never cut or padded: the caller fails the build with it. Writing reuses the exact text of every record that did
not change, so an import from the workbook touches only the rows the clerk edited.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

DELIMITERS = (",", ";", "\t")
BOM = "\ufeff"


@dataclass
class Row:
    number: int  # row in a spreadsheet: header = 1, first record = 2 (blank lines count, as a spreadsheet shows them)
    line: int  # text line the record starts on
    fields: list[str]
    raw: str  # the record's text exactly as in the file, line end included


@dataclass
class Parsed:
    header: list[str]
    rows: list[Row] = field(default_factory=list)  # records with as many fields as the header
    misfits: list[Row] = field(default_factory=list)  # records with more or fewer fields
    delimiter: str = ","
    bom: bool = False
    header_raw: str = ""

    @property
    def canonical(self) -> bool:
        """Written the way `kg workbook --import` writes: comma-separated, no BOM."""
        return self.delimiter == "," and not self.bom

    def records(self) -> Iterator[tuple[Row, dict[str, str]]]:
        for row in self.rows:
            yield row, dict(zip(self.header, row.fields, strict=True))


class _Lines:
    """The text's lines (line ends kept) with a count and the text consumed since the last :meth:`take`."""

    def __init__(self, text: str) -> None:
        self._it = iter(io.StringIO(text, newline=""))
        self.count = 0
        self._taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._it)
        self.count += 1
        self._taken.append(line)
        return line

    def take(self) -> str:
        text, self._taken = "".join(self._taken), []
        return text


def _first_record(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except (StopIteration, csv.Error):
        return []


def sniff(text: str, expected: tuple[str, ...]) -> str:
    """The delimiter whose header holds most of the expected columns (a comma on a tie)."""
    def score(d: str) -> tuple[int, int]:
        header = [h.strip() for h in _first_record(text, d)]
        return len(set(header) & set(expected)), len(header)
    return max(DELIMITERS, key=lambda d: (score(d), d == ","))


def parse(text: str, expected: tuple[str, ...] = ()) -> Parsed:
    bom = text.startswith(BOM)
    text = text.removeprefix(BOM)
    delimiter = sniff(text, expected) if expected else ","
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return Parsed([], delimiter=delimiter, bom=bom)
    out = Parsed([h.strip() for h in header], delimiter=delimiter, bom=bom, header_raw=lines.take())
    number = 1
    while True:
        start = lines.count + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        number += 1
        row = Row(number, start, fields, lines.take())
        if not any(f.strip() for f in fields):
            continue
        (out.rows if len(fields) == len(out.header) else out.misfits).append(row)
    return out


def encode_row(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()


def write(header: list[str], rows: list[list[str]], previous: Parsed | None = None) -> str:
    """CSV text of ``rows``; a row equal to a record of ``previous`` keeps that record's exact text."""
    reuse: dict[tuple[str, ...], str] = {}
    if previous is not None and previous.canonical and previous.header == header:
        for row in previous.rows:
            reuse.setdefault(tuple(row.fields), row.raw if row.raw.endswith("\n") else row.raw + "\n")
    same_header = previous is not None and previous.canonical and previous.header == header and previous.header_raw
    parts = [previous.header_raw if same_header else encode_row(header)]
    for values in rows:
        parts.append(reuse.get(tuple(values)) or encode_row(values))
    return "".join(parts)
