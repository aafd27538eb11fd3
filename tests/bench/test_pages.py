"""bench/pages.py keeps working: every page type of the real build renders (200) and gets a number.

One factor only (the test build), one resource per type, no growth exponent and no timing assertion.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kg.namespaces import DEFAULT_BASE

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_type_renders_and_is_measured(built, graph, tmp_path):
    (tmp_path / "1x").mkdir()
    (tmp_path / "1x" / "build").symlink_to(built)
    report = tmp_path / "pages.json"
    done = subprocess.run([sys.executable, "bench/pages.py", "--factors", "1", "--sample", "1", "--repeats", "1",
                           "--workdir", str(tmp_path), "--json", str(report)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    pages = json.loads(report.read_text())["1"]["pages"]
    kinds = {name.split("/")[2] for name in pages if name.startswith("/doc/")}
    prefix = DEFAULT_BASE + "id/"
    assert kinds == {str(s)[len(prefix):].split("/")[0] for s in graph.subjects() if str(s).startswith(prefix)}
    assert {"/doc/massnahme/…", "/doc/massnahme/….ttl", "home", "ontology", "Drucksachen index"} <= set(pages)
    assert all(p["p50_ms"] > 0 and p["resources"] == 1 for p in pages.values())
    assert "per-resource page cost" not in done.stdout  # one factor: no growth goal claimed
