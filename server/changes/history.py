"""The change lists of the releases (kg/releases.py, kg/diff.py) as the pages and the feed read them: newest release
first, each with the measures it added, changed, retired or merged."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from kg import diff, releases


@dataclass(frozen=True)
class Entry:
    release: releases.Release
    changes: diff.Changes


_lock = threading.Lock()
_cache: dict[str, tuple[tuple, list[Entry]]] = {}


def directory() -> Path:
    return Path(current_app.config["KG_RELEASES_DIR"])


def entries() -> list[Entry]:
    """Every release with its change list, newest first; re-read only when the set of releases changes. An app
    serving an earlier release (``KG_RELEASE_VIEW``) sees the releases up to that one: the history as it stood."""
    where = directory()
    found = releases.listed(where)
    viewed = current_app.config.get("KG_RELEASE_VIEW")
    names = [r.name for r in found]
    if viewed in names:
        found = found[:names.index(viewed) + 1]
    stamp = tuple((r.name, r.created) for r in found)
    with _lock:
        cached = _cache.get(str(where))
        if cached and cached[0] == stamp:
            return cached[1]
    out = []
    for r in reversed(found):
        changes = diff.read(r.path / diff.CHANGES)
        if changes is not None:
            out.append(Entry(r, changes))
    with _lock:
        _cache[str(where)] = (stamp, out)
    return out


def of_measure(uri: str) -> list[tuple[releases.Release, diff.MeasureChange, bool]]:
    """What each release did to one measure, oldest first: (release, change, first publication?)."""
    out = []
    for entry in reversed(entries()):
        for change in entry.changes.measures:
            if change.uri == uri:
                out.append((entry.release, change, entry.changes.initial))
    return out
