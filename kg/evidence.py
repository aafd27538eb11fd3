"""Evidence: the words a statement quotes must occur in the source it names.

A soft fact (a measure's status, and whatever else a table backs with a quote) carries the source's own words. The
build checks them against the source's text in ``data/texte/``: the report as ``bericht-<key>.txt``, a Drucksache as
``drucksache-<key>.txt`` (key as in its URI, e.g. ``IV-0604``). A source without a text file cannot back a quote;
that stops the build too, so no quote goes out unchecked.

Matching ignores what the text extraction added and a clerk cannot see: runs of white space (tabs between table
cells, line breaks) count as one space, and HTML tags left in the text (``<p>``) as a space. Everything else – words,
spelling, punctuation, quotation marks – must be exactly the source's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

TEXTS = "texte"  # below the data directory
_TAG = re.compile(r"<[^>]{1,200}>")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", _TAG.sub(" ", text)).strip()


@dataclass
class Texts:
    """The source texts of one data directory, read once each."""

    directory: Path
    _cache: dict[str, str | None] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return self.directory / TEXTS / f"{name}.txt"

    def text(self, name: str) -> str | None:
        if name not in self._cache:
            try:
                self._cache[name] = normalise(self.path(name).read_text(encoding="utf-8"))
            except OSError:
                self._cache[name] = None
        return self._cache[name]


@dataclass(frozen=True)
class Check:
    ok: bool
    problem: str = ""   # German: what is wrong
    fix: str = ""       # German: what to do


def check(quote: str, source: str, texts: Texts, shown: str) -> Check:
    """Whether ``quote`` occurs in the text of ``source`` (a name under data/texte/); ``shown`` names the source
    as the clerk wrote it, for the message."""
    wanted = normalise(quote)
    if not wanted:
        return Check(False, "kein Wortlaut angegeben", f"Die Worte aus {shown} eintragen, die den Stand nennen.")
    text = texts.text(source)
    if text is None:
        where = f"{texts.directory.name}/{TEXTS}/{source}.txt"
        return Check(False, f"zu {shown} liegt kein Text vor ({where}), der Wortlaut lässt sich nicht prüfen",
                     f"Den Text der Quelle als {where} ablegen (UTF-8) oder eine Quelle wählen, deren Text vorliegt.")
    if wanted in text:
        return Check(True)
    agreed = _longest_prefix(wanted, text).rstrip()
    hint = f"; übereinstimmend nur bis „…{agreed[-40:]}“" if len(agreed) >= 8 else ""
    return Check(False, f"der Wortlaut „{_short(wanted)}“ steht nicht in {shown}{hint}",
                 f"Die Worte genau so aus {shown} kopieren (Schreibweise, Satzzeichen, Anführungszeichen).")


def _longest_prefix(quote: str, text: str) -> str:
    """The longest start of ``quote`` that occurs in ``text`` (binary search: occurring is monotone in length)."""
    low, high = 0, len(quote)
    while low < high:
        mid = (low + high + 1) // 2
        if quote[:mid] in text:
            low = mid
        else:
            high = mid - 1
    return quote[:low]


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
