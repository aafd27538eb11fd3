"""Which edition of the report the counts on a page count: the newest edition and how many measures it lists, and
all editions together (kg/editions.py). Cached per build."""

from __future__ import annotations

from dataclasses import dataclass

from server import state
from server.caches import per_build
from server.changes import queries


@dataclass(frozen=True)
class Editions:
    latest: str          # key of the newest edition, e.g. "2020"
    count: int           # measures it lists
    keys: tuple[str, ...]  # every edition, oldest first
    total: int           # measures of all editions together


def _compute(published, base: str) -> Editions:
    rows = published.store.select(queries.measures_per_edition(base))
    total = published.manifest.get("counts", {}).get("ik:Massnahme", 0)
    if not rows:
        return Editions("", total, (), total)
    return Editions(rows[-1]["key"], int(rows[-1]["n"]), tuple(r["key"] for r in rows), total)


def edition_counts() -> Editions:
    published, base = state.published(), state.base()
    return per_build(f"editions|{base}", published, lambda p: _compute(p, base))


def init_app(app) -> None:
    app.add_template_global(edition_counts, "edition_counts")
