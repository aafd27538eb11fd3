"""Errors people can act on: which file, which row, which rule, what to do."""

from __future__ import annotations

from dataclasses import dataclass

# Rule id -> (German, English). Data rules D.., SHACL rules are named in shapes/ (sh:name).
RULES = {
    "D01": ("Datei nicht lesbar oder kein UTF-8", "file unreadable or not UTF-8"),
    "D02": ("Spalte fehlt", "column missing"),
    "D03": ("Pflichtwert fehlt", "required value missing"),
    "D04": ("Wert hat falsches Format", "value malformed"),
    "D05": ("Schlüssel doppelt vergeben", "duplicate key"),
    "D06": ("Verweis auf unbekannten Eintrag", "reference to an unknown entry"),
    "D07": ("Drucksachenangabe nicht lesbar", "council-document citation malformed"),
    "D08": ("Widerspruch zu anderer Angabe", "contradicts another value"),
    "D09": ("Zeile hat zu viele oder zu wenige Felder", "row has too many or too few fields"),
    "D10": ("Arbeitsmappe und Dateien widersprechen sich", "workbook and files disagree"),
    "D11": ("Angabe ohne Beleg", "statement without evidence"),
    "D12": ("Zitat steht nicht im Bericht", "quotation not in the report's text"),
    "D13": ("Wortlaut steht nicht in der Quelle", "quoted words do not occur in the source"),
}


@dataclass(frozen=True)
class Origin:
    """Where a record comes from.

    For a table, ``row`` is the row a spreadsheet shows (the header is row 1) – not the text line, which differs
    as soon as a cell above contains a line break; ``line`` keeps the text line for people using a text editor.
    For a YAML entry, ``row`` is the line it starts on. ``record`` names the row by its key („Maßnahme 130“).
    """

    file: str
    row: int
    line: int | None = None
    record: str | None = None
    table: bool = True

    def where(self, column: str | None = None) -> str:
        if not self.table:
            head = f"{self.file}, Zeile {self.row}"
            return f"{head} ({self.record})" if self.record else head
        parts = [f"Tabellenzeile {self.row}"] if self.row else []
        if column:
            parts.append(f"Spalte „{column}“")
        if self.line and self.line != self.row:
            parts.append(f"im Texteditor Zeile {self.line}")
        inner = ", ".join(parts)
        if self.record:
            return f"{self.file}, {self.record} ({inner})" if inner else f"{self.file}, {self.record}"
        return f"{self.file}, {inner}" if inner else self.file

    def __str__(self) -> str:
        return self.where()


@dataclass(frozen=True)
class DataError:
    origin: Origin | None
    rule: str
    message: str
    column: str | None = None
    fix: str | None = None  # what to do, in the clerk's words

    def __str__(self) -> str:
        de, en = RULES.get(self.rule, (self.rule, self.rule))
        where = f"{self.origin.where(self.column)}: " if self.origin else ""
        fix = f" → {self.fix}" if self.fix else ""
        return f"{where}[{self.rule} {de} / {en}] {self.message}{fix}"


class BuildError(Exception):
    """Raised when the build must stop; carries every problem found, each once, in the order found."""

    def __init__(self, problems: list) -> None:
        self.problems = list(dict.fromkeys(problems))
        super().__init__("\n".join(str(p) for p in self.problems))
