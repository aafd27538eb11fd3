"""bench/cache.py measures what it says: behind deploy/nginx.conf a hit run is answered by nginx's cache and a miss
run by the app, and every way (nginx static, hit, miss, the app direct) answers the same bytes – else its ratios
would compare different work. Only the benchmark's answer check (``--check-only``): real nginx from Debian in front
of real ``kg serve`` on the real build; no wrk, no timing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.live  # real server processes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workdir():
    """Not under pytest's tmp_path: its parent is private to root, and nginx's workers (nobody) must read the files."""
    path = Path(tempfile.mkdtemp(prefix="kg-cache-test-"))
    path.chmod(0o755)  # the benchmark opens its own directories below for reading; this one is ours
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_hit_miss_static_and_direct_answer_the_same_bytes_and_the_cache_says_hit_and_miss(workdir):
    report = workdir / "cache.json"
    done = subprocess.run(
        [sys.executable, "bench/cache.py", "--factors", "1", "--check-only", "--pages", "5", "--check", "3",
         "--workdir", str(workdir / "work"), "--json", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [result] = json.loads(report.read_text())
    assert result["factor"] == 1 and result["checked"] == 2 * 3 * 4  # page and Turtle, 3 measures, 4 ways
