"""How `kg build` switches build/ and keeps old builds, on plain directories (no graph needed, so fast).

The switch and its atomicity under a concurrent reader are in tests/kg/test_build.py; here: what happens to a
plain directory in the way, to a link left by a crashed run, and which old and half-written builds are removed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg import build as kg_build
from kg.build import KEEP_BUILDS, prune, remove_abandoned_partials, switch

NOW = 2_000_000_000  # whole seconds, so that file times compare exactly


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(kg_build.time, "time", lambda: NOW)


def _build_dir(builds: Path, name: str, age: int) -> Path:
    path = builds / name
    path.mkdir(parents=True)
    (path / "manifest.json").write_text(f'{{"build_id": "{name}"}}')
    os.utime(path, (NOW - age, NOW - age))
    return path


def test_a_plain_directory_in_the_way_is_kept_as_an_old_build_not_deleted(tmp_path, clock):
    out, builds = tmp_path / "build", tmp_path / ".builds"
    out.mkdir()
    (out / "graph.nt").write_text("handmade\n")
    new = _build_dir(builds, "new", 0)
    switch(out, new)
    assert out.is_symlink() and os.readlink(out) == os.path.join(".builds", "new"), "a relative link"
    assert (builds / f"legacy-{NOW}" / "graph.nt").read_text() == "handmade\n"


def test_switching_again_replaces_the_link_and_moves_nothing_aside(tmp_path, clock):
    out, builds = tmp_path / "build", tmp_path / ".builds"
    first, second = _build_dir(builds, "a", 10), _build_dir(builds, "b", 0)
    switch(out, first)
    switch(out, second)
    assert os.readlink(out) == os.path.join(".builds", "b")
    assert sorted(p.name for p in builds.iterdir()) == ["a", "b"], "no legacy copy of a link"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".builds", "build"], "no temporary link left"


def test_a_link_left_by_a_crashed_switch_of_the_same_process_is_replaced(tmp_path, clock):
    out, builds = tmp_path / "build", tmp_path / ".builds"
    target = _build_dir(builds, "a", 0)
    stale = tmp_path / f".build.tmp-{os.getpid()}"
    stale.symlink_to("nowhere")
    switch(out, target)
    assert os.readlink(out) == os.path.join(".builds", "a") and not os.path.lexists(stale)


def test_pruning_keeps_the_newest_builds_and_the_served_one(tmp_path, clock):
    builds = tmp_path / ".builds"
    made = [_build_dir(builds, f"b{i}", age=100 * (6 - i)) for i in range(1, 7)]  # b1 oldest … b6 newest
    prune(builds, current=made[-1])
    assert sorted(p.name for p in builds.iterdir()) == [f"b{i}" for i in range(7 - KEEP_BUILDS, 7)]
    assert KEEP_BUILDS == 3


def test_pruning_never_removes_the_served_build_even_when_it_is_the_oldest(tmp_path, clock):
    builds = tmp_path / ".builds"
    made = [_build_dir(builds, f"b{i}", age=100 * (6 - i)) for i in range(1, 7)]
    prune(builds, current=made[0])
    assert sorted(p.name for p in builds.iterdir()) == ["b1", "b4", "b5", "b6"]


@pytest.mark.parametrize("keep,kept", [(1, ["b1", "b6"]), (2, ["b1", "b5", "b6"]), (0, ["b1", "b6"])])
def test_kg_build_keep_n_keeps_the_n_newest_and_never_fewer_than_the_newest(tmp_path, clock, keep, kept):
    """``kg build --keep N`` / KG_KEEP_BUILDS: --keep 0 still keeps the newest finished build, and the served one."""
    builds = tmp_path / ".builds"
    made = [_build_dir(builds, f"b{i}", age=100 * (6 - i)) for i in range(1, 7)]
    removed = prune(builds, current=made[0], keep=keep)
    assert sorted(p.name for p in builds.iterdir()) == kept
    assert sorted(p.name for p in removed) == sorted({f"b{i}" for i in range(1, 7)} - set(kept))


def test_half_written_builds_go_when_their_writer_is_gone_whatever_their_age(tmp_path, clock):
    """A .partial directory names the process writing it (<id>.<pid>.partial): a running build's stays, however old;
    a dead writer's goes, however fresh; one without a process id (older kg) goes."""
    builds = tmp_path / ".builds"
    served = _build_dir(builds, "served", 0)
    gone = 2 ** 22 + 1  # above the largest process id Linux allows (2**22): no such process
    for name, age in ((f"running.{os.getpid()}.partial", 7200), (f"dead.{gone}.partial", 5), ("old.partial", 5)):
        _build_dir(builds, name, age)
    prune(builds, current=served)  # pruning finished builds leaves half-written ones alone
    assert len(list(builds.glob("*.partial"))) == 3
    remove_abandoned_partials(builds)
    assert sorted(p.name for p in builds.iterdir()) == [f"running.{os.getpid()}.partial", "served"]


def test_half_written_builds_do_not_count_among_the_kept_ones(tmp_path, clock):
    builds = tmp_path / ".builds"
    made = [_build_dir(builds, f"b{i}", age=100 * (4 - i)) for i in range(1, 4)]
    for i in range(3):
        _build_dir(builds, f"p{i}.partial", age=10)  # newer than every build
    (builds / "notes.txt").write_text("not a build")
    prune(builds, current=made[-1])
    assert {"b1", "b2", "b3", "notes.txt"} <= {p.name for p in builds.iterdir()}



def test_pruning_never_fails_the_build_over_an_entry_it_cannot_remove(tmp_path, clock):
    """The new build is already published when old ones are pruned: an old entry rmtree refuses (here symlinks to
    directories, one of them named like a half-written build) stays, and nothing is raised."""
    builds, elsewhere = tmp_path / ".builds", tmp_path / "elsewhere"
    made = [_build_dir(builds, f"b{i}", age=100 * (6 - i)) for i in range(2, 6)]
    for name, age in (("b1", 600), ("old.partial", 7200)):
        target = _build_dir(elsewhere, name, age)
        (builds / name).symlink_to(target)
    prune(builds, current=made[-1])
    assert sorted(p.name for p in builds.iterdir()) == ["b1", "b3", "b4", "b5", "old.partial"]
    assert (elsewhere / "b1" / "manifest.json").exists() and (elsewhere / "old.partial" / "manifest.json").exists()
