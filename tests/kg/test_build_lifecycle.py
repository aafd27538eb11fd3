"""What `kg build` leaves behind: on a full disk one line and the old build, never a partial directory; partial
directories of builds that died are removed; the last N builds are kept."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build import ROOT, build
from kg.verify import verify

KG = Path(sys.executable).parent / "kg"


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


@pytest.mark.live
@pytest.mark.parametrize("command", ["build", "release 2099-1 --date 2099-01-01 --releases {disk}/releases"])
def test_a_full_disk_stops_the_build_in_one_line_and_leaves_the_old_build_and_no_partial(built, tmp_path, command):
    """Before: a traceback, and one .partial directory per retry (`kg release` too: it writes a build of its own);
    the second attempt of a release under the same name would be refused if the first had left its directory."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed to give kg build a small file system of its own")
    old = tmp_path / "seed" / ".builds" / "20000101T000000000000Z"
    shutil.copytree(built, old)
    (tmp_path / "seed" / "build").symlink_to(".builds/" + old.name)
    disk = tmp_path / "disk"
    disk.mkdir()
    size_kib = _size(old) // 1024 + 1500  # the old build and a little more: the new one cannot fit
    script = f"""
set -u
mount -t tmpfs -o size={size_kib}k kg-test-disk {disk} || exit 97
cp -a {tmp_path / 'seed'}/. {disk}/
for attempt in 1 2; do
  {KG} {command.format(disk=disk)} --out {disk}/build --data {ROOT / 'data'} --workbook - --jobs 1 2> {disk}/err-$attempt.txt > /dev/null
  echo "rc=$?"
  cat {disk}/err-$attempt.txt | grep -v '^Tabellen aus' | sed 's/^/err: /'
done
ls -a {disk}/.builds | sed 's/^/builds: /'
readlink {disk}/build | sed 's/^/link: /'
ls -A {disk}/releases 2>/dev/null | grep -vx .lock | sed 's/^/releases: /'
{KG} verify --out {disk}/build > /dev/null; echo "verify=$?"
"""
    run = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if "rc=" not in run.stdout:
        pytest.fail(f"could not set up a small file system: {run.stdout} {run.stderr}")
    lines = run.stdout.splitlines()
    assert [line for line in lines if line.startswith("rc=")] == ["rc=1", "rc=1"], run.stdout
    errors = [line for line in lines if line.startswith("err: ")]
    assert len(errors) == 2 and all("kein Speicherplatz" in e and "no space left" in e for e in errors), run.stdout
    assert not any("Traceback" in line for line in lines)
    builds = [line.removeprefix("builds: ") for line in lines if line.startswith("builds: ")]
    assert sorted(set(builds) - {".", ".."}) == [old.name], builds  # no .partial left, old build kept
    assert f"link: .builds/{old.name}" in lines and "verify=0" in lines
    assert not [line for line in lines if line.startswith("releases: ")], "a failed release left its directory (its lock file aside)"


def test_abandoned_partials_are_removed_a_running_builds_is_kept_and_the_last_n_builds_stay(project_copy, tmp_path):
    out = tmp_path / "srv" / "build"
    builds = out.parent / ".builds"
    builds.mkdir(parents=True)
    for i in range(4):  # older finished builds
        old = builds / f"2000010{i + 1}T000000000000Z"
        old.mkdir()
        (old / "manifest.json").write_text("{}")
        os.utime(old, (time.time() - 1000 + i, time.time() - 1000 + i))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    abandoned = builds / f"20000105T000000000000Z.{dead.pid}.partial"  # its writer is gone
    running = builds / f"20000106T000000000000Z.{os.getpid()}.partial"  # its writer (this process) is alive
    old_style = builds / "20000107T000000000000Z.partial"
    for partial in (abandoned, running, old_style):
        partial.mkdir()
    result = build(out=out, project=project_copy, keep=2, workers=1)
    left = sorted(p.name for p in builds.iterdir())
    assert left == sorted(["20000104T000000000000Z", result.path.name, running.name]), left
    assert verify(out.resolve()).intact
