"""Answers of the SPARQL endpoint, kept per build: a graph that only changes with a new build gives the same
answer to the same query, so a repeated query is served from memory instead of being evaluated again."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from server.query_worker import Job, Outcome

MAX_ENTRY_SHARE = 16  # one answer may take at most 1/16 of the cache, so a few big results cannot evict all


def job_key(build_id: str, endpoint: str, job: Job) -> str:
    """Stable key of a query on one build; also the ETag of its answer."""
    parts = [build_id, endpoint, job.query, str(job.solutions_format), str(job.graph_format), str(job.max_rows),
             str(job.base_iri), repr(sorted(job.prefixes.items())), str(job.default_graph_only)]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


class ResultCache:
    """A thread-safe LRU of successful outcomes, bounded by the bytes of their bodies."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Outcome] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> Outcome | None:
        with self._lock:
            outcome = self._entries.get(key)
            if outcome is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return outcome

    def put(self, key: str, outcome: Outcome) -> None:
        size = len(outcome.body) + len(repr(outcome.table)) if outcome.table else len(outcome.body)
        if outcome.error_kind or self.max_bytes <= 0 or size > self.max_bytes // MAX_ENTRY_SHARE:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = outcome
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, old = self._entries.popitem(last=False)
                self._bytes -= len(old.body) + (len(repr(old.table)) if old.table else 0)
