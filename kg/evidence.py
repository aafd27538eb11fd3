"""Evidence: the words a statement quotes must occur in the source it names.

A soft fact (a measure's status, and whatever else a table backs with a quote) carries the source's own words. The
build checks them against the source's text in ``data/texte/``: the report as ``bericht-<key>.txt``, a Drucksache as
``drucksache-<key>.txt`` (key as in its URI, e.g. ``IV-0604``). A source without a text file cannot back a quote;
that stops the build too, so no quote goes out unchecked.

Matching ignores what the text extraction added and a clerk cannot see: runs of white space (tabs between table
cells, line breaks) count as one space, and HTML tags left in the text (``<p>``) as a space. A gap the clerk marks
with „…“ may stand for any words; the parts around it must occur in this order. Everything else – words, spelling,
punctuation, quotation marks – must be exactly the source's. :func:`quoted_in` is the one matcher: for the status
rows here, for the evidence rows of belege.csv (kg/sources.py) and for the graph's ik:Beleg (kg/checks.py).
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


def _missing(quote: str, text: str) -> str | None:
    """The first part of ``quote`` (parts separated by „…“) that does not occur in the normalised ``text`` after the
    parts before it; None when every part does."""
    at = 0
    for part in (normalise(p) for p in quote.split("…")):
        if not part:
            continue
        found = text.find(part, at)
        if found < 0:
            return part
        at = found + len(part)
    return None


def quoted_in(quote: str, text: str) -> bool:
    """Does ``text`` contain the quotation (white space and tags compared loosely, gaps marked „…“)?"""
    return bool(normalise(quote.replace("…", ""))) and _missing(quote, normalise(text)) is None


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
    if not normalise(quote.replace("…", "")):
        return Check(False, "kein Wortlaut angegeben", f"Die Worte aus {shown} eintragen, die den Stand nennen.")
    text = texts.text(source)
    if text is None:
        where = f"{texts.directory.name}/{TEXTS}/{source}.txt"
        return Check(False, f"zu {shown} liegt kein Text vor ({where}), der Wortlaut lässt sich nicht prüfen",
                     f"Den Text der Quelle als {where} ablegen (UTF-8) oder eine Quelle wählen, deren Text vorliegt.")
    missing = _missing(wanted, text)
    if missing is None:
        return Check(True)
    agreed = _longest_prefix(missing, text).rstrip()
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
