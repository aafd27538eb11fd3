"""From a citation as people write it to the thing it names: Drucksachen and measure numbers.

Parsing is ``kg.drucksache`` (the same parser the build uses, so every variant lands on the key the build
gave it); this module adds what a resolver needs on top: URI keys as input, suggestions for citations of
documents the report does not cite, and the measure-number syntax.
"""

from __future__ import annotations

import re
from itertools import permutations
from string import Formatter

from kg.drucksache import CitationError, Drucksache, parse, parse_key
from server.drucksache.queries import DrucksacheEntry

MEASURE_NUMBER = re.compile(r"(?:nr\.?\s*)?0*([1-9][0-9]{0,3})\.?", re.I)
MEASURE_EXPECTED = "erwartet wird eine Maßnahmennummer wie „22“ oder „Nr. 22“"
NEARBY = 3  # nearest existing numbers offered from the same Wahlperiode or year


class MeasureNumberError(ValueError):
    """Not a measure number; the message says what was expected."""


def parse_reference(text: str) -> Drucksache:
    """A citation in any form of the report, or a URI key such as ``IV-0349``; raises :class:`CitationError`."""
    try:
        return parse(text)
    except CitationError:
        try:
            return parse_key(text.strip())
        except (CitationError, AttributeError):
            pass
        raise


def parse_measure_number(text: str | None) -> int:
    # ASCII digits only: str.isdigit() would also accept "²" or Arabic-Indic digits.
    match = MEASURE_NUMBER.fullmatch(" ".join((text or "").split()))
    if not match:
        raise MeasureNumberError(f"„{(text or '')[:80]}“ ist keine Maßnahmennummer; {MEASURE_EXPECTED}")
    return int(match[1])


def find(parsed: Drucksache, entries: list[DrucksacheEntry]) -> DrucksacheEntry | None:
    return next((e for e in entries if e.key == parsed.key), None)


def _same_group(a: Drucksache, b: DrucksacheEntry) -> bool:
    if a.jahr is not None:
        return b.jahr == a.jahr
    return b.jahr is None and b.wahlperiode == a.wahlperiode


def suggestions(parsed: Drucksache, entries: list[DrucksacheEntry], limit: int = 8) -> list[tuple[DrucksacheEntry, str]]:
    """Existing Drucksachen the writer may have meant, each with the reason it is offered."""
    found: dict[str, tuple[DrucksacheEntry, str]] = {}

    def offer(entry: DrucksacheEntry, reason: str) -> None:
        if entry.key != parsed.key and entry.key not in found:
            found[entry.key] = (entry, reason)

    for e in entries:
        if e.nummer == parsed.nummer:
            offer(e, "gleiche Nummer, andere Wahlperiode bzw. anderes Jahr")
    digits = f"{parsed.nummer:04d}"
    swapped = {int("".join(p)) for p in permutations(digits)} - {parsed.nummer}
    group = [e for e in entries if _same_group(parsed, e)]
    for e in group:
        if e.nummer in swapped:
            offer(e, "gleiche Ziffern in anderer Reihenfolge (Zahlendreher?)")
    for e in sorted(group, key=lambda e: abs(e.nummer - parsed.nummer))[:NEARBY]:
        offer(e, f"benachbarte Nummer derselben {'Jahreszählung' if parsed.jahr else 'Wahlperiode'}")
    return list(found.values())[:limit]


def parsed_json(d: Drucksache) -> dict:
    return {
        "key": d.key, "nummer": d.nummer, "wahlperiode": d.wahlperiode, "jahr": d.jahr, "art": d.art,
        "art_lang": d.art_lang, "zitierform": d.zitierform, "bemerkung": d.bemerkung,
    }


def ris_url(template: str | None, entry: DrucksacheEntry) -> str | None:
    """Link to the original in the council information system, only when ``KG_RIS_URL_TEMPLATE`` is set.

    The template may use ``{key}``, ``{nummer}`` (an int, so ``{nummer:04d}`` works), ``{wahlperiode}`` and
    ``{jahr}``; a Drucksache lacking a value the template needs gets no link rather than a broken one.
    """
    if not template:
        return None
    values = {"key": entry.key, "nummer": entry.nummer, "wahlperiode": entry.wahlperiode, "jahr": entry.jahr}
    try:
        needed = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
        if any(values.get(name) is None for name in needed):
            return None
        url = template.format(**values)
    except (ValueError, KeyError, IndexError, AttributeError, TypeError):
        return None
    return url if re.match(r"https?://[^\s]+$", url) else None
