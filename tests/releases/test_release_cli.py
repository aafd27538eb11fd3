"""The clerk's release commands through the real executable: kg releases lists what is published and which one is
served, kg diff says what the next release would change (current data against the latest release) and what one
release changed against another – the same list the release keeps."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from kg import diff
from kg.build import ROOT
from tests.releases.conftest import ENDED, NEW, RETIRED, read_table, write_table

KG = Path(sys.executable).parent / "kg"


def kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(KG), *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


def test_releases_lists_newest_first_and_marks_the_served_one(two_releases):
    r = kg("releases", "--releases", str(two_releases["directory"]), env={"KG_BUILD_DIR": str(two_releases["out"])})
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["2021", "2020"]
    assert lines[0].split()[1] == "2025-07-01" and "aktuell" in lines[0] and "aktuell" not in lines[1]


def test_releases_without_any_says_how_to_make_one(tmp_path):
    r = kg("releases", "--releases", str(tmp_path / "none"))
    assert r.returncode == 0 and "Noch kein Release" in r.stdout and "kg release NAME" in r.stdout


def test_diff_between_two_releases_is_the_list_the_release_keeps(two_releases):
    r = kg("diff", "2020", "2021", "--json", "--releases", str(two_releases["directory"]))
    assert r.returncode == 0, r.stderr
    printed = diff.Changes.from_json(json.loads(r.stdout))
    kept = diff.read(two_releases["second"].path / diff.CHANGES)
    assert printed == kept
    assert {(m.kind, m.nr) for m in printed.measures} == {("neu", NEW[0]), ("neu", NEW[1]), ("geändert", 5),
                                                           ("geändert", 7), ("geändert", ENDED), ("zurückgezogen", RETIRED)}


def test_diff_of_the_current_data_shows_the_clerk_what_the_next_release_changes(two_releases, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(two_releases["project"].data, data)
    header, rows = read_table(data / "massnahmen.csv")
    row = next(r for r in rows if r["nr"] == "6")
    title, row["titel"] = row["titel"], "Entwicklung eines Leitbildes"
    write_table(data / "massnahmen.csv", header, rows)
    r = kg("diff", "--releases", str(two_releases["directory"]), "--data", str(data), "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        f"Änderungen von Release 2021 zu den aktuellen Daten ({data}):",
        "  geändert: Maßnahme 6 „Entwicklung eines Leitbildes“",
        f"      Titel: „{title}“ → „Entwicklung eines Leitbildes“"]
    unchanged = kg("diff", "--releases", str(two_releases["directory"]), "--data", str(two_releases["project"].data),
                   "--jobs", "1")
    assert unchanged.returncode == 0 and unchanged.stdout.strip().endswith("keine."), unchanged.stdout


def test_diff_names_the_releases_there_are_when_one_is_unknown(two_releases):
    r = kg("diff", "2019", "2021", "--releases", str(two_releases["directory"]))
    assert r.returncode == 1
    assert "Release „2019“ gibt es nicht" in r.stderr and "vorhanden: 2020, 2021" in r.stderr
