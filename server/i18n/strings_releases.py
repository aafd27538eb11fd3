"""Interface strings of releases, change lists and the status of measures (merged into STRINGS)."""

from __future__ import annotations

RELEASE_STRINGS: dict[str, tuple[str, str]] = {
    "facet.status": ("Stand", "Status"),
    "kind.status.one": ("Stand", "Status"), "kind.status.other": ("Stände", "Statuses"),
    "kind.statusangabe.one": ("Statusangabe", "Status statement"),
    "kind.statusangabe.other": ("Statusangaben", "Status statements"),
    "status.heading": ("Stand der Umsetzung", "Status of implementation"),
    "status.now": ("Aktueller Stand:", "Current status:"),
    "status.since": ("seit {when}", "since {when}"),
    "status.on": ("am {when}", "on {when}"),
    "status.source": ("Quelle:", "Source:"),
    "status.quote": ("Wortlaut der Quelle", "The source's words"),
    "status.timeline": ("Verlauf", "Timeline"),
    "status.undated": ("ohne Datum", "undated"),
    "status.not_given": ("Nicht angegeben: Der Bericht sagt nicht, wo diese Maßnahme steht. Nichts wurde geschätzt.",
                         "Not stated: the report does not say where this measure stands. Nothing was guessed."),
    "status.facet_none": ("{n} Maßnahmen ohne Angabe zum Stand", "{n} measures without a stated status"),
}
