"""Parse council-document citations (Drucksachen) as the report writes them.

Two numbering styles occur: the current one ``{nummer} ({Wahlperiode})`` with an optional type
(``0349 (IV) BDs``, ``BDs 2957 (III)``, ``Beschlussdrucksache Nr. 1629 (IV)Bds``) and the older
``[{Wahlperiode} ]{nummer}/{jahr}`` (``372/2009``, ``II 131/2009``). People also write ``Drs. 2832 (IV)`` and
``2832/IV``; both are read too. Each parses into one
:class:`Drucksache` whose ``key`` names the URI, so every variant of a citation lands on one resource.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ARTEN = {"BDs": "Beschlussdrucksache", "IDs": "Informationsdrucksache"}
_WORD_ART = {"beschlussdrucksache": "BDs", "informationsdrucksache": "IDs", "drucksache": None, "drs": None}
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")

_PREFIX = r"(?:(?P<word>beschlussdrucksache|informationsdrucksache|drucksache|drs)\.?\s*)?(?:(?P<t1>bds|ids)\s*)?(?:nr\.?\s*)?"
_SUFFIX = r"\s*(?P<t2>bds|ids)?\s*(?:\((?P<remark>[^()]*)\))?"
_NEW = re.compile(_PREFIX + r"(?P<num>\d{1,4})\s*\(\s*(?P<wp>[ivx]+)\s*\)" + _SUFFIX, re.I)
# „2832/IV“: the number, a slash and the Wahlperiode, as people write it (the report never does).
_SLASH = re.compile(_PREFIX + r"(?P<num>\d{1,4})\s*/\s*(?P<wp>[ivx]+)" + _SUFFIX, re.I)
_OLD = re.compile(_PREFIX + r"(?:(?P<wp>[ivx]+)\s+)?(?P<num>\d{1,4})\s*/\s*(?P<year>\d{4})" + _SUFFIX, re.I)
_KEY_NEW = re.compile(r"(?P<wp>[ivx]+)-(?P<num>\d{1,4})", re.I)
_KEY_OLD = re.compile(r"(?P<year>\d{4})-(?P<num>\d{1,4})")

EXPECTED = (
    "erwartet wird eine Drucksachenangabe wie „0349 (IV) BDs“, „BDs 2957 (III)“, "
    "„Beschlussdrucksache Nr. 1629 (IV)“, „372/2009“ oder „II 131/2009“"
)


class CitationError(ValueError):
    """A citation that is not a Drucksache reference; the message says what was expected."""


@dataclass(frozen=True)
class Drucksache:
    nummer: int
    wahlperiode: str | None = None
    jahr: int | None = None
    art: str | None = None  # "BDs", "IDs" or None when the citation does not say
    bemerkung: str | None = None

    @property
    def key(self) -> str:
        """URI key: ``IV-0349`` for the current style, ``2009-372`` for the old one."""
        if self.jahr is not None:
            return f"{self.jahr}-{self.nummer}"
        return f"{self.wahlperiode}-{self.nummer:04d}"

    @property
    def zitierform(self) -> str:
        """Canonical citation, e.g. ``0349 (IV) BDs`` or ``II 131/2009``."""
        if self.jahr is not None:
            text = f"{self.wahlperiode + ' ' if self.wahlperiode else ''}{self.nummer}/{self.jahr}"
        else:
            text = f"{self.nummer:04d} ({self.wahlperiode})"
        return f"{text} {self.art}" if self.art else text

    @property
    def art_lang(self) -> str | None:
        return ARTEN.get(self.art) if self.art else None


def _art(match: re.Match, text: str) -> str | None:
    found = {_WORD_ART[match["word"].lower()]} if match["word"] else set()
    found |= {t.upper().replace("BDS", "BDs").replace("IDS", "IDs") for t in (match["t1"], match["t2"]) if t}
    found.discard(None)
    if len(found) > 1:
        raise CitationError(f"„{text}“ nennt widersprüchliche Drucksachenarten {sorted(found)}")
    return found.pop() if found else None


def _wahlperiode(value: str | None, text: str) -> str | None:
    if value is None:
        return None
    wp = value.upper()
    if wp not in _ROMAN:
        raise CitationError(f"„{text}“: „{value}“ ist keine Wahlperiode (römisch I–X)")
    return wp


def parse(text: str) -> Drucksache:
    """Parse one citation; raise :class:`CitationError` for anything else."""
    if not isinstance(text, str):
        raise CitationError(EXPECTED)
    norm = " ".join(text.replace("\u00a0", " ").split())
    if not norm or len(norm) > 200:
        raise CitationError(f"leere oder zu lange Angabe; {EXPECTED}")
    for pattern in (_NEW, _SLASH, _OLD):
        m = pattern.fullmatch(norm)
        if m:
            num = int(m["num"])
            if num == 0:
                raise CitationError(f"„{norm}“: Drucksachennummer 0 gibt es nicht")
            year = int(m["year"]) if "year" in m.groupdict() and m["year"] else None
            if year is not None and not 1990 <= year <= 2100:
                raise CitationError(f"„{norm}“: Jahr {year} außerhalb 1990–2100")
            return Drucksache(
                nummer=num,
                wahlperiode=_wahlperiode(m["wp"], norm),
                jahr=year,
                art=_art(m, norm),
                bemerkung=(m["remark"] or "").strip() or None,
            )
    raise CitationError(f"„{norm}“ ist keine Drucksachenangabe; {EXPECTED}")


def parse_key(key: str) -> Drucksache:
    """Parse a URI key (``IV-0349``, ``2009-372``) back into its structure."""
    m = _KEY_OLD.fullmatch(key)
    if m:
        return Drucksache(nummer=int(m["num"]), jahr=int(m["year"]))
    m = _KEY_NEW.fullmatch(key)
    if m:
        return Drucksache(nummer=int(m["num"]), wahlperiode=_wahlperiode(m["wp"], key))
    raise CitationError(f"„{key}“ ist kein Drucksachen-Schlüssel wie „IV-0349“ oder „2009-372“")
