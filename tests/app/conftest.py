"""Fixtures of server.state's tests (test_build_state*.py): the clock in the test's hand, and build a served while a
damaged build b is linked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.build import switch
from server import state
from server.state import BuildState
from tests.support.builds import small_build


class Clock:
    def __init__(self) -> None:
        self.now = 10_000.0  # far from 0, like time.monotonic() on a running machine

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(state.time, "monotonic", clock)
    return clock


@dataclass
class Linked:
    out: Path  # the link, build/
    served: BuildState  # serving build a, checking at every request (check_seconds=0)
    before: object  # the served build a, as it was before b was linked
    b: Path  # the damaged build the link now names, not yet checked


@pytest.fixture
def damaged_b_linked(tmp_path, clock) -> Callable[..., Linked]:
    """Build a served; then a build b (``name``), damaged by ``damage``, linked in its place. The clock is not moved:
    the test's next step decides when the server looks (and rejects it)."""
    def link(damage: Callable[[Path], object], name: str = "b") -> Linked:
        out = tmp_path / "build"
        switch(out, small_build(tmp_path, "a"))
        served = BuildState(str(out), check_seconds=0)
        before = served.current
        b = small_build(tmp_path, name)
        damage(b)
        switch(out, b)
        return Linked(out, served, before, b)

    return link
