"""bench/peers.py keeps working, and our endpoint answers every typical query and served example like Oxigraph.

Only the answer check of the benchmark (``--check-only``): real gunicorn and a real Oxigraph server on the real
build, each answer compared with pyoxigraph's own on graph.nt. No load, no timing, no Virtuoso.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from server.sparql.examples import EXAMPLES

pytestmark = pytest.mark.live  # real server processes

ROOT = Path(__file__).resolve().parents[2]


def test_our_endpoint_and_oxigraph_server_return_pyoxigraphs_rows_for_every_benchmark_query(tmp_path):
    report = tmp_path / "peers.json"
    done = subprocess.run(
        [sys.executable, "bench/peers.py", "--factors", "1", "--check-only", "--only", "all", "--engines", "ours,oxigraph",
         "--check", "2", "--json", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(report.read_text())[0]
    assert result["skipped"] == {}
    assert result["disagreements"] == []
    # six typical queries, every example and the form's default query; two texts each; two engines
    assert result["checked"] == (6 + len(EXAMPLES) + 1) * 2 * 2
