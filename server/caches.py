"""The server's three caches, one owner for each kind of staleness.

- :func:`per_build`: anything derived from the published build (search index, measure table, labels, catalog
  pages). A build is immutable once published, so a value stays valid until `kg build` switches to a new one.
- :func:`per_file`: a settings file read again only when it changed on disk (URI registry, catalog settings),
  so an edit takes effect without a restart.
- :func:`rendered_page`: the HTML of a resource page, by build, page, language and day (the citation carries
  the access date); bounded by entries, apart from the per-build values so a crawl cannot push those out.
- :class:`AnswerCache`: SPARQL answers, bounded by bytes; their keys carry the build, so a new build never
  serves an old answer.
- :class:`Bounded`: a few costly objects by key (the apps that serve earlier releases), the least recently used
  handed back for cleanup when there are too many.
- :func:`memoized`: results of a pure function by its arguments (a PREFIX block for a base, a citation's key, a
  term's compact name): they depend on nothing else, so they never go stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Generic, TypeVar

from flask import current_app, request

from server import state
from server.state import Published

T = TypeVar("T")

PAGE_ENTRIES = 512  # rendered resource pages kept (about 40 KB each): a crawl of the real data fits
PER_BUILD_ENTRIES = 256  # names (with their key parts); far more than the pages of one build need
# Values about one resource (a hub's counts and links in page order, server.linkeddata.describe), kept apart: at scale
# thousands of resources are hubs, and a crawl of their pages must not push out the tables every page needs.
PER_RESOURCE_ENTRIES = 256

_lock = threading.RLock()  # factories may ask for other cached values (the catalog page for the catalog)
_per_build: OrderedDict[str, tuple[str, object]] = OrderedDict()  # name -> (build id, value), least recent first
_per_resource: OrderedDict[str, tuple[str, object]] = OrderedDict()  # the same, for values about one resource
_per_file: dict[str, tuple[tuple, object]] = {}                     # path and reader -> (stamp, value)
_pages: OrderedDict[str, str] = OrderedDict()                         # key (with the build) -> HTML
_pages_lock = threading.Lock()


def memoized(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """``functools.lru_cache`` of at most ``maxsize`` results, for functions of their arguments only."""
    return lru_cache(maxsize=maxsize)


def forget_pages() -> None:
    """Drop every kept page (tests that change what a page shows without a new build)."""
    with _pages_lock:
        _pages.clear()


def rendered_page(render: Callable[[], str | None], *extra: object) -> str | None:
    """The HTML ``render()`` makes for the current request, kept for the next reader of the same page.

    The key is made here, once for every page: the build, the base, the mount point and path (an earlier release
    served under /release/NAME/ shares the current build's files but not its banner and citation), the language,
    the query string, and ``extra`` (whatever else the page depends on, e.g. the day its citation names). The
    clerk's preview is never kept: it shows the state of the last rebuild. Rendered outside the lock: two first
    readers may both render it."""
    from server.i18n.language import current_lang  # here: server.i18n's labels are themselves kept per build

    if current_app.config.get("KG_PREVIEW_STATUS"):
        return render()
    key = "|".join(str(part) for part in (state.published().etag, state.base(), request.script_root + request.path,
                                          current_lang(), request.query_string, *extra))
    with _pages_lock:
        found = _pages.get(key)
        if found is not None:
            _pages.move_to_end(key)
            return found
    body = render()
    if body is None:  # nothing to show (404): not kept
        return None
    with _pages_lock:
        _pages[key] = body
        while len(_pages) > PAGE_ENTRIES:
            _pages.popitem(last=False)
    return body


def per_build(name: str, published: Published, factory: Callable[[Published], T], resource: bool = False) -> T:
    """The value ``factory(published)`` for this build, computed at most once per build and name.

    ``name`` carries whatever else the value depends on (e.g. the base URI, a page number). ``resource``: a value
    about one resource, kept with the others of its kind (:data:`PER_RESOURCE_ENTRIES`).
    """
    build_id = f"{published.manifest['build_id']}|{published.path}"
    table, entries = (_per_resource, PER_RESOURCE_ENTRIES) if resource else (_per_build, PER_BUILD_ENTRIES)
    with _lock:  # held while computing: concurrent first requests wait for one computation instead of repeating it
        cached = table.get(name)
        if cached and cached[0] == build_id:
            table.move_to_end(name)
            return cached[1]  # type: ignore[return-value]
        value = factory(published)
        table[name] = (build_id, value)
        table.move_to_end(name)
        while len(table) > entries:
            table.popitem(last=False)
    return value


def per_file(path: Path, read: Callable[[Path], T]) -> T:
    """``read(path)``, read again only when the file's modification time or size changed (a missing file too).

    Errors of ``read`` propagate and are not cached, so a broken file is reported until it is fixed.
    """
    path = Path(path)
    try:
        st = path.stat()
        stamp: tuple = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = (None, None)
    key = f"{path}|{getattr(read, '__module__', '')}.{getattr(read, '__qualname__', repr(read))}"
    with _lock:
        cached = _per_file.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]  # type: ignore[return-value]
        value = read(path)
        _per_file[key] = (stamp, value)
        return value


V = TypeVar("V")

MAX_ENTRY_SHARE = 16  # one answer may take at most 1/16 of the cache, so a few big results cannot evict all


class AnswerCache(Generic[V]):
    """A thread-safe LRU of answers, bounded by their size in bytes (``size(value)``)."""

    def __init__(self, max_bytes: int, size: Callable[[V], int]) -> None:
        self.max_bytes = max_bytes
        self._size = size
        self._entries: OrderedDict[str, V] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: str, value: V) -> None:
        size = self._size(value)
        if self.max_bytes <= 0 or size > self.max_bytes // MAX_ENTRY_SHARE:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = value
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, old = self._entries.popitem(last=False)
                self._bytes -= self._size(old)


class Bounded(Generic[V]):
    """At most ``size`` values by key; the least recently used one goes first and is handed to ``drop``."""

    def __init__(self, size: int, drop: Callable[[V], None] | None = None) -> None:
        self.size = size
        self._drop = drop
        self._entries: OrderedDict[object, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: object, make: Callable[[], V]) -> V:
        """The value for ``key``, made (outside the lock: making one may take a while) when it is not there."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = make()
        dropped = []
        with self._lock:
            if key in self._entries:  # made twice at once: keep the first, drop ours
                dropped.append(value)
                value = self._entries[key]
            else:
                self._entries[key] = value
            while len(self._entries) > self.size:
                dropped.append(self._entries.popitem(last=False)[1])
        for old in dropped:
            if self._drop:
                self._drop(old)
        return value

