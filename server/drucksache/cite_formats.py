"""How to cite one measure: a ready citation line, BibTeX and CSL-JSON, each with the stable URI.

The URI is kept copy-paste safe (Word, mail, reference managers): a plain http(s) URL without soft hyphens or
zero-width characters, and never followed by punctuation that a word processor would pull into the link.
The year is the report's key (2020): the report prints no date of publication (see data/README.md). A measure is cited
from the latest edition that lists it, with the edition it first appeared in where that is an earlier one. On an
earlier release's page (/release/NAME/…) the citation names that release and its address, so it points to the values
it quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from server.drucksache.queries import Measure, Report
from server.i18n.language import today

# Characters that are invisible in print but break a copied URL.
INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_BIBTEX_SPECIAL = re.compile(r"([\\{}%&#_$^~])")


def clean_url(uri: str) -> str:
    return INVISIBLE.sub("", "".join(uri.split()))


@dataclass(frozen=True)
class MeasureCitation:
    measure: Measure
    report: Report
    uri: str
    accessed: date
    first: Report | None = None  # the edition it was first published in, when that is an earlier one
    release: tuple[str, date] | None = None  # (name, date) of the earlier release the page shows, if it is one

    @property
    def first_note(self) -> str:
        return f" (erstmals {self.first.year})" if self.first else ""

    @property
    def release_note(self) -> str:
        return f"Stand: Release {self.release[0]} vom {self.release[1].strftime('%d.%m.%Y')}" if self.release else ""

    @property
    def nr(self) -> int:
        return self.measure.nr

    @property
    def key(self) -> str:
        return f"regionhannover{self.report.year}massnahme{self.nr}"

    @property
    def item_title(self) -> str:
        return f"Maßnahme Nr. {self.nr}: {self.measure.titel}"

    @property
    def accessed_de(self) -> str:
        return self.accessed.strftime("%d.%m.%Y")

    @property
    def before_uri(self) -> str:
        """Everything up to the URI; the URI is followed by a space and the access date, never by a full stop."""
        title = self.measure.titel.rstrip()
        end = "" if title.endswith((".", "!", "?")) else "."
        return (f"{self.report.publisher} ({self.report.year}): {self.report.title}, Maßnahme Nr. {self.nr}{self.first_note}: "
                f"{title}{end} " + (f"{self.release_note}. " if self.release else ""))

    @property
    def after_uri(self) -> str:
        return f" (abgerufen am {self.accessed_de})"

    @property
    def line(self) -> str:
        return self.before_uri + self.uri + self.after_uri


def citation(measure: Measure, report: Report, uri: str, accessed: date | None = None,
             first: Report | None = None, release: tuple[str, date] | None = None) -> MeasureCitation:
    """``report`` is the latest edition that lists the measure; ``first`` an earlier one it first appeared in;
    ``release`` the earlier release being cited (``uri`` is then its address of the measure)."""
    return MeasureCitation(measure=measure, report=report, uri=clean_url(uri), accessed=accessed or today(), first=first,
                           release=release)


def _bib(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def bibtex(c: MeasureCitation) -> str:
    # Double braces keep styles from changing the case of the corporate author and the German title.
    fields = [
        ("author", f"{{{_bib(c.report.publisher)}}}"),
        ("title", f"{{{_bib(c.item_title)}}}"),
        ("howpublished", _bib(c.report.title)),
        ("year", _bib(c.report.year)),
        ("url", c.uri),
        ("urldate", c.accessed.isoformat()),
        ("language", "german"),
        ("note", f"Abgerufen am {c.accessed_de}" + (f"; erstmals im Bericht {_bib(c.first.year)}" if c.first else "")
         + (f"; {c.release_note}" if c.release else "")),
    ]
    body = ",\n".join(f"  {name:<12} = {{{value}}}" for name, value in fields)
    return f"@misc{{{c.key},\n{body}\n}}\n"


def csl_json(c: MeasureCitation) -> list[dict]:
    item = {
        "id": c.key,
        "type": "entry",  # an entry of the report's measure table (appendix 6.1)
        "title": c.item_title,
        "container-title": c.report.title,
        "author": [{"literal": c.report.publisher}],
        "publisher": c.report.publisher,
        "URL": c.uri,
        "accessed": {"date-parts": [[c.accessed.year, c.accessed.month, c.accessed.day]]},
        "language": "de",
    }
    if c.report.year.isdigit():
        item["issued"] = {"date-parts": [[int(c.report.year)]]}
    notes = ([f"Erstmals im Bericht {c.first.year}: {c.first.title}"] if c.first is not None else []) + \
        ([c.release_note] if c.release else [])
    if notes:
        item["note"] = "; ".join(notes)
    if c.release:
        item["version"] = c.release[0]
    return [item]
