"""Derived, read-only structures (search index, measure table, labels) built once per published build.

The build is immutable once published, so anything computed from it stays valid until `kg build` switches
to a new one; the cache is keyed by the build id and forgets older builds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from server.state import Published

T = TypeVar("T")

_lock = threading.Lock()
_cache: dict[str, tuple[str, object]] = {}  # name -> (build id, value)


def per_build(name: str, published: Published, factory: Callable[[Published], T]) -> T:
    """The value ``factory(published)`` for this build, computed at most once per build and name."""
    build_id = f"{published.manifest['build_id']}|{published.path}"
    cached = _cache.get(name)
    if cached and cached[0] == build_id:
        return cached[1]  # type: ignore[return-value]
    with _lock:
        cached = _cache.get(name)
        if cached and cached[0] == build_id:
            return cached[1]  # type: ignore[return-value]
        value = factory(published)
        _cache[name] = (build_id, value)
        return value
