"""Files the tests read besides the build."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
REPORT = TESTS / "fixtures" / "bericht.txt"  # copy of ../shared/report/000_73551bb98ae2eb86.txt
