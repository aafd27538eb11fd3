"""What a search box query names directly, the way people type it: a measure by its number („Maßnahme 22“,
„Nr. 22“, „M22“, „22“) or a Drucksache in any spelling the citation parser knows („Drs. 2832 (IV)“, „2832/IV“,
„0349 (IV) BDs“, the URI key „IV-0349“). Such a thing comes first among the hits, above any text match."""

from __future__ import annotations

import re

from kg.drucksache import CitationError, parse, parse_key

# „Maßnahme 22“, „Massnahme Nr. 22“, „Nr. 22“, „No. 22“, „M22“, „M 22“, „#22“, „22“ (case and spacing free).
_MEASURE = re.compile(r"(?:(?:ma(?:ß|ss)nahmen?|measure)\s*(?:nr\.?|no\.?)?|nr\.?|no\.?|m\.?|#)?\s*0*([1-9][0-9]{0,3})\.?", re.I)


def measure_number(query: str) -> int | None:
    match = _MEASURE.fullmatch(" ".join(query.split()))
    return int(match[1]) if match else None


def drucksache_key(query: str) -> str | None:
    """The URI key of the Drucksache the query cites, if it is a citation (or a key) at all."""
    text = " ".join(query.split())
    if not text or text.isdigit():  # a bare number is a measure, not a Drucksache without its Wahlperiode
        return None
    try:
        return parse(text).key
    except CitationError:
        try:
            return parse_key(text).key
        except CitationError:
            return None


def direct_paths(query: str) -> list[str]:
    """Paths of the resources the query names directly, in the order they should lead the hits."""
    paths = []
    nr = measure_number(query)
    if nr is not None:
        paths.append(f"/id/massnahme/{nr}")
    key = drucksache_key(query)
    if key is not None:
        paths.append(f"/id/drucksache/{key}")
    return paths
