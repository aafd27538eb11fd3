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
}


@dataclass(frozen=True)
class Origin:
    """Where a record comes from: a data file and the line its row or entry starts on."""

    file: str
    row: int

    def __str__(self) -> str:
        return f"{self.file}, Zeile/line {self.row}"


@dataclass(frozen=True)
class DataError:
    origin: Origin | None
    rule: str
    message: str

    def __str__(self) -> str:
        de, en = RULES.get(self.rule, (self.rule, self.rule))
        where = f"{self.origin}: " if self.origin else ""
        return f"{where}[{self.rule} {de} / {en}] {self.message}"


class BuildError(Exception):
    """Raised when the build must stop; carries every problem found, not only the first."""

    def __init__(self, problems: list) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
