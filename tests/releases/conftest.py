"""Releases from the real data, and a synthetic next edition derived from it – only here, never in data/."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from kg import releases
from kg.build import ROOT, Project

BASE = "https://integration.region-hannover.example/"


def copy_project(where: Path) -> Project:
    for name in ("data", "ontology", "shapes"):
        shutil.copytree(ROOT / name, where / name)
    return Project(data=where / "data", ontology=where / "ontology", shapes=where / "shapes")


def read_table(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_table(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# What the synthetic next edition changes, and so exactly what the change list must say.
NEW_TITLE_5 = "Entdeckertag"
RETIRED = 129
NEW = (130, 131)
ENDED = 18  # the 2024 edition says it was stopped
EDITION = "2024"
EDITION_TITLE = "Vielfalt und Zusammenhalt – Zweiter Bericht zum Integrationskonzept (synthetische Testausgabe)"
ENDED_QUOTE = "Der „Meetingpoint“ wurde Ende 2023 eingestellt."


def next_edition(data: Path) -> None:
    """A synthetic second edition of the report, derived from the real data – new data only, no new code: edition
    2024 (its own row in ausgaben.csv and its own text), measure 5 renamed, measure 7 gets a second unit, measure 18
    ended (a status row quoting the 2024 text), measure 129 retired (URI registry), two new measures 130 and 131
    (copies of 3 and 4, with their evidence rows) listed only in the 2024 edition."""
    header, rows = read_table(data / "massnahmen.csv")
    by_nr = {r["nr"]: r for r in rows}
    by_nr["5"]["titel"] = NEW_TITLE_5
    by_nr["7"]["oe"] = "|".join([*filter(None, by_nr["7"]["oe"].split("|")), "50"])
    added = []
    for nr, source in zip(NEW, ("3", "4"), strict=True):
        row = dict(by_nr[source])
        row.update(nr=str(nr), notiz="synthetische Folgeausgabe (Test)")
        added.append(row)
    write_table(data / "massnahmen.csv", header, [r for r in rows if r["nr"] != str(RETIRED)] + added)
    header, rows = read_table(data / "belege.csv")  # evidence goes with its measure: the copies quote the same words
    copies = [{**r, "nr": str(nr)} for nr, source in zip(NEW, ("3", "4"), strict=True) for r in rows if r["nr"] == source]
    write_table(data / "belege.csv", header, [r for r in rows if r["nr"] != str(RETIRED)] + copies)
    header, rows = read_table(data / "status.csv")  # a retired measure's status rows go with it
    write_table(data / "status.csv", header, [r for r in rows if r["massnahme"] != str(RETIRED)])
    with open(data / "uri-registry.csv", "a", encoding="utf-8", newline="") as fh:
        fh.write(f"/id/massnahme/{RETIRED},gone,,2025-06-30,Im Folgebericht nicht mehr enthalten (Test)\n")
    (data / "texte").mkdir(exist_ok=True)
    (data / "texte" / f"bericht-{EDITION}.txt").write_text(
        f"{EDITION_TITLE}\n\n6.1 Maßnahmen\n\n{ENDED}\tMeetingpoint\t{ENDED_QUOTE} Die Termine finden nicht mehr statt.\n",
        encoding="utf-8")
    with open(data / "status.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow([ENDED, "beendet", "2023-12", ENDED_QUOTE, f"Bericht {EDITION}", "", "Test"])
    header, rows = read_table(data / "ausgaben.csv")
    rows[0]["massnahmen"] = f"1-{RETIRED - 1}"  # the retired measure is no longer in the data
    rows.append({"bericht": EDITION, "titel": EDITION_TITLE, "jahr": EDITION, "vorgaenger": "2020",
                 "massnahmen": f"1-{RETIRED - 1}|{NEW[0]}|{NEW[1]}", "kapitel": "6.1 Maßnahmen", "notiz": "synthetisch (Test)"})
    write_table(data / "ausgaben.csv", header, rows)


@pytest.fixture(scope="session")
def two_releases(tmp_path_factory):
    """Release 2020 of the real data, then release 2021 of the synthetic next edition, served from ``build``."""
    root = tmp_path_factory.mktemp("releases")
    project = copy_project(root)
    directory, out = root / "releases", root / "build"
    first, _ = releases.make("2020", out=out, project=project, issued=date(2021, 1, 15), directory=directory)
    next_edition(project.data)
    second, _ = releases.make("2021", out=out, project=project, issued=date(2025, 7, 1), directory=directory)
    return {"root": root, "project": project, "directory": directory, "out": out, "first": first, "second": second}
