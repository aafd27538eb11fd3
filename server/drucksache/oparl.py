"""A Drucksache as an OParl 1.1 ``Paper`` (https://schema.oparl.org/1.1/Paper), see docs/oparl.md.

Only facts the report states are filled in; what OParl expects from a council information system (body, files,
consultations) is absent rather than made up, and so is an empty list (OParl: leave out what has no value).
Properties beyond OParl carry the vendor prefix ``ik:`` as the
OParl specification asks for manufacturer extensions.
"""

from __future__ import annotations

import re

from server.drucksache.queries import DrucksacheEntry, Measure

PAPER_TYPE = "https://schema.oparl.org/1.1/Paper"
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def paper(entry: DrucksacheEntry, base: str, *, dates: list[str], cited_as: list[str], measures: list[Measure],
          ris_url: str | None = None) -> dict:
    """The Paper object; ``dates`` are the dcterms:date values (year, year-month or full date)."""
    doc = f"{base}doc/drucksache/{entry.key}"
    obj: dict = {
        "id": f"{doc}.oparl.json",
        "type": PAPER_TYPE,
    }
    if entry.titel:  # the report names few Drucksachen; `reference` says which one it is
        obj["name"] = entry.titel
    obj["reference"] = entry.zitierform
    full = [d for d in dates if _FULL_DATE.fullmatch(d)]
    if full:
        obj["date"] = full[0]  # OParl wants a full date; a bare year stays in ik:datum
    if entry.art_lang:
        obj["paperType"] = entry.art_lang
    obj["web"] = doc
    keywords = sorted({m.handlungsfeld for m in measures if m.handlungsfeld})
    if keywords:
        obj["keyword"] = keywords
    obj["ik:uri"] = entry.uri
    obj["ik:nummer"] = entry.nummer
    if entry.wahlperiode:
        obj["ik:wahlperiode"] = entry.wahlperiode
    if entry.jahr:
        obj["ik:jahr"] = entry.jahr
    if dates and not full:
        obj["ik:datum"] = dates[0]
    if cited_as:
        obj["ik:zitiertAls"] = cited_as
    if measures:
        obj["ik:zitiertVonMassnahme"] = [
            {"id": m.uri, "nr": m.nr, "name": m.titel, **({"handlungsfeld": m.handlungsfeld} if m.handlungsfeld else {}),
             **({"ziel": m.ziel} if m.ziel else {})} for m in measures
        ]
    if ris_url:
        obj["ik:ratsinformationssystem"] = ris_url
    missing = [name for name, known in (("name", bool(entry.titel)), ("date", bool(full)), ("paperType", bool(entry.art)))
               if not known]
    if missing:
        obj["ik:nichtAngegeben"] = missing
    return obj
