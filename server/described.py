"""What the graph describes under a base, by kind (``…/id/massnahme/12`` → ``massnahme``), once per build.

One scan of all subjects serves the sitemap and every /id/<kind>/ listing: a scan per listing request read every
triple (22 s for /id/massnahme/ at 1000×, bench/pages.py). Keys in listing order – numbers by value, others as they
sort – so a page of a listing is a slice.
"""

from __future__ import annotations

from server.caches import per_build
from server.sparql_syntax import literal
from server.state import Published


def by_kind(build: Published, root: str) -> dict[str, list[str]]:
    """kind -> the subjects under ``{root}id/{kind}/``, numbers first by value, then by key."""
    return per_build(f"described-by-kind|{root}", build, lambda b: _by_kind(b, root))


def _by_kind(build: Published, root: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    start = len(root) + len("id/")
    for row in build.store.select(described_things(root)):
        kind, _, key = row["s"][start:].partition("/")
        if key:
            found.setdefault(kind, []).append(row["s"])
    for subjects in found.values():
        subjects.sort(key=lambda s: _order(s[start:].partition("/")[2]))
    return found


def _order(key: str) -> tuple:
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def described_things(base: str) -> str:
    """Every thing the graph describes under ``{base}id/`` (each has a /doc/ page). Unordered: Oxigraph's ORDER BY ?s
    over them took 295 s CPU at 1000× against 11 s for the scan; _by_kind sorts them by kind and key."""
    return f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), {literal(base + 'id/')})) }}"
