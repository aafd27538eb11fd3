"""The change lists of the releases (kg/releases.py, kg/diff.py) as the pages and the feed read them: newest release
first, each with the measures it added, changed, retired or merged."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from kg import diff, releases
from server.caches import per_file


@dataclass(frozen=True)
class Entry:
    release: releases.Release
    changes: diff.Changes


def directory() -> Path:
    return Path(current_app.config["KG_RELEASES_DIR"])


def _read_all(where: Path) -> list[tuple[releases.Release, diff.Changes | None]]:
    """Every complete release with its change list (None: it keeps none), oldest first. A release is immutable and
    appears (renamed into place) or goes (pruned) as a whole, so the directory's own modification time says when
    to read again."""
    return [(r, diff.read(r.path / diff.CHANGES)) for r in releases.listed(where)]


def entries() -> list[Entry]:
    """Every release with its change list, newest first. An app serving an earlier release (``KG_RELEASE_VIEW``)
    sees the releases up to that one: the history as it stood."""
    found = per_file(directory(), _read_all)
    viewed = current_app.config.get("KG_RELEASE_VIEW")
    names = [r.name for r, _ in found]
    if viewed in names:
        found = found[:names.index(viewed) + 1]
    return [Entry(r, changes) for r, changes in reversed(found) if changes is not None]


def of_measure(uri: str) -> list[tuple[releases.Release, diff.MeasureChange, bool]]:
    """What each release did to one measure, oldest first: (release, change, first publication?)."""
    out = []
    for entry in reversed(entries()):
        for change in entry.changes.measures:
            if change.uri == uri:
                out.append((entry.release, change, entry.changes.initial))
    return out
