"""`kg serve --watch`: the clerk saves a change and the page shows it within seconds; a bad save keeps the old page."""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kg import tabular

pytestmark = pytest.mark.live  # real server processes

KG = Path(sys.executable).parent / "kg"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _title(url: str) -> str | None:
    try:
        page = requests.get(url, timeout=5, headers={"Accept": "text/html"})
    except requests.RequestException:
        return None
    m = re.search(r"<h1[^>]*>(.*?)</h1>", page.text, re.S)
    return re.sub(r"<[^>]+>", "", m.group(1)).strip() if page.ok and m else None


def _until(check, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    return check()


@pytest.fixture()
def preview(project_copy, tmp_path):
    port = _port()
    env = {**os.environ, "KG_BUILD_DIR": str(tmp_path / "site" / "build"), "KG_RELOAD_CHECK_SECONDS": "0.5"}
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 – closed below
    proc = subprocess.Popen([str(KG), "serve", "--watch", "--data", str(project_copy.data), "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        assert _until(lambda: _title(f"{base}/doc/massnahme/2"), 60), (tmp_path / "serve.log").read_text()
        yield base, project_copy.data / "massnahmen.csv"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _set_title(path: Path, nr: str, title: str) -> None:
    parsed = tabular.parse(path.read_text(encoding="utf-8"))
    rows = [list(r.fields) for r in sorted(parsed.rows + parsed.misfits, key=lambda r: r.number)]
    i, t = parsed.header.index("nr"), parsed.header.index("titel")
    row = next(r for r in rows if r[i] == nr and len(r) == len(parsed.header))
    row[t] = title
    path.write_text(tabular.write(parsed.header, rows, parsed), encoding="utf-8")


def test_a_saved_change_shows_on_the_page_within_seconds(preview):
    base, csv_file = preview
    assert _title(f"{base}/doc/massnahme/2") == "Einrichtung einer Orientierungsberatungsstelle in den Räumen der Ausländerbehörde"
    _set_title(csv_file, "2", "Orientierungsberatungsstelle in der Ausländerbehörde")
    started = time.monotonic()
    shown = _until(lambda: _title(f"{base}/doc/massnahme/2") == "Orientierungsberatungsstelle in der Ausländerbehörde", 15)
    assert shown, "the new title is served"
    assert time.monotonic() - started < 15


def _findings(url: str) -> list[str]:
    """The items of the page's alert box (the preview's findings), as text."""
    page = requests.get(url, timeout=5, headers={"Accept": "text/html"}).text
    box = re.search(r'<section[^>]*role="alert"[^>]*>(.*?)</section>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li>(.*?)</li>", box.group(1), re.S)] if box else []


def test_a_bad_save_keeps_the_last_good_page_and_shows_the_findings_on_it(preview):
    base, csv_file = preview
    good = csv_file.read_text(encoding="utf-8")
    assert _findings(f"{base}/doc/massnahme/2") == []
    csv_file.write_text(good + "130,wirtschaft-und-arbeit,arbeitsmarktintegration-von-menschen-mit,Beratung\n", encoding="utf-8")
    found = _until(lambda: _findings(f"{base}/doc/massnahme/2"), 15)
    assert len(found) == 1 and found[0].startswith("data/massnahmen.csv, Maßnahme 130 (Tabellenzeile 131"), found
    assert "Die Zeile hat 4 Felder, erwartet 15" in found[0]
    assert _findings(f"{base}/massnahmen") == found, "on every page"
    assert _title(f"{base}/doc/massnahme/2") == "Einrichtung einer Orientierungsberatungsstelle in den Räumen der Ausländerbehörde"
    assert requests.get(f"{base}/doc/massnahme/130", timeout=5).status_code == 404, "nothing half-published"

    csv_file.write_text(good, encoding="utf-8")
    _set_title(csv_file, "2", "Orientierungsberatungsstelle in der Ausländerbehörde")
    assert _until(lambda: _title(f"{base}/doc/massnahme/2") == "Orientierungsberatungsstelle in der Ausländerbehörde", 15)
    assert _until(lambda: not _findings(f"{base}/doc/massnahme/2"), 5), "fixed: the box is gone"
