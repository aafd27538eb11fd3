"""Each client's query use, in one table that all web processes of a server share.

With several gunicorn web processes each kept its own count, so a client had its limits once per process (two
processes: twice the concurrent queries and twice the query-seconds). The table is a small shared memory map made by
the gunicorn master before it forks the web processes (``share_between_processes``, from the ``on_starting`` hook in
``server/serving/gunicorn_config.py``); each process inherits the mapping. Without it (the development server, tests
of one app) a process gets a table of its own, with the same code.

- An entry per client: a 64-bit hash of its address (the address itself is not kept), its query-seconds in the
  bucket and when they were counted, until when it counts as heavy, and its queries waiting or running – counted per
  web process id, so that the queries of a process that died (SIGKILL, OOM) stop counting as soon as it is gone.
- Open addressing in a fixed number of entries (memory stays bounded whatever clients come): a client's entry is
  looked for in a short window after its hash; an entry whose client is idle (nothing in the bucket, nothing running,
  not heavy) is reused. Should the window hold only busy clients, the least busy one without queries in flight gives
  way, and as a last resort the client shares one overflow entry with others in that position.
- One lock across processes: ``fcntl`` record locks on the map's file (the kernel releases them when a process dies,
  so a web process killed while it held the lock blocks nobody), and a thread lock within a process (record locks
  belong to the process, not to its threads).
"""

from __future__ import annotations

import hashlib
import mmap
import os
import struct
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

try:
    import fcntl
except ImportError:  # not POSIX: a table of one process only
    fcntl = None

ENTRIES = 4096  # clients with recent use tracked at once, per server (beyond: idle ones are reused, see above)
WINDOW = 16     # entries looked at for one client
PROCESSES = 8   # web processes one client can have queries in at once
_ENTRY = struct.Struct(f"<Qddd{PROCESSES}i{PROCESSES}i")  # key, used, updated, heavy_until, pids, counts
_OVERFLOW = ENTRIES - 1
_SHARED: ClientTable | None = None


@dataclass
class Usage:
    """One client's entry while the table is locked; written back when the lock is let go."""

    used: float           # query-seconds in the bucket (drained to now)
    heavy_until: float
    pids: list[int]
    counts: list[int]

    def in_flight(self) -> int:
        """Queries of this client waiting or running in any live web process."""
        own = os.getpid()
        for i, pid in enumerate(self.pids):
            if self.counts[i] and pid != own and not _alive(pid):
                self.pids[i] = self.counts[i] = 0  # its process died with them
        return sum(self.counts)

    def join(self) -> None:
        """One more query of this process (waiting, then running)."""
        own = os.getpid()
        slot = self.pids.index(own) if own in self.pids else self.counts.index(0) if 0 in self.counts else None
        if slot is None:  # queries in PROCESSES other processes at once: count this one with the first
            slot = 0
        self.pids[slot], self.counts[slot] = own, self.counts[slot] + 1

    def part(self) -> None:
        """One query of this process less (answered, failed or turned away)."""
        own = os.getpid()
        slot = self.pids.index(own) if own in self.pids else 0
        self.counts[slot] = max(0, self.counts[slot] - 1)


class ClientTable:
    def __init__(self, memory: mmap.mmap, fd: int | None = None) -> None:
        self._memory = memory
        self._fd = fd  # for the lock across processes; None: only this process uses the table
        self._lock = threading.Lock()

    @classmethod
    def private(cls) -> ClientTable:
        return cls(mmap.mmap(-1, ENTRIES * _ENTRY.size))

    @classmethod
    def shared(cls) -> ClientTable:
        """A table in an unlinked temporary file: whoever forks from this process later shares it (and nobody
        else can open it; it is gone when the last process using it ends)."""
        file = tempfile.TemporaryFile(prefix="kg-clients-")
        file.truncate(ENTRIES * _ENTRY.size)
        fd = os.dup(file.fileno())
        file.close()
        return cls(mmap.mmap(fd, ENTRIES * _ENTRY.size, mmap.MAP_SHARED), fd if fcntl else None)

    @contextmanager
    def entry(self, client: str, now: float, drain: float) -> Iterator[Usage]:
        """The client's entry, its bucket drained at ``drain`` query-seconds per second up to ``now``."""
        with self._locked():
            index, key = self._find(client, now, drain)
            _, used, updated, heavy_until, *rest = _ENTRY.unpack_from(self._memory, index * _ENTRY.size)
            usage = Usage(max(0.0, used - max(0.0, now - updated) * drain) if updated else used, heavy_until,
                          list(rest[:PROCESSES]), list(rest[PROCESSES:]))
            try:
                yield usage
            finally:
                # max: another process may have counted it a moment later than this one read its clock
                _ENTRY.pack_into(self._memory, index * _ENTRY.size, key, usage.used, max(now, updated), usage.heavy_until,
                                 *usage.pids, *usage.counts)

    def peek(self, client: str, now: float, drain: float) -> tuple[float, float]:
        """Query-seconds in the client's bucket now, and until when it is heavy."""
        with self.entry(client, now, drain) as usage:
            return usage.used, usage.heavy_until

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            if self._fd is None:
                yield
                return
            fcntl.lockf(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN)

    def _find(self, client: str, now: float, drain: float) -> tuple[int, int]:
        """Index of the client's entry (made if new) and its key."""
        key = int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "little") or 1
        window = [(key + i) % _OVERFLOW for i in range(WINDOW)]
        free, spare, spare_used = None, None, None
        for index in window:
            found, used, updated, heavy_until, *rest = _ENTRY.unpack_from(self._memory, index * _ENTRY.size)
            if found == key:
                return index, key
            left = max(0.0, used - max(0.0, now - updated) * drain)
            in_flight = any(count and _alive(pid) for pid, count in zip(rest[:PROCESSES], rest[PROCESSES:], strict=True))
            if free is None and (not found or (left == 0 and heavy_until <= now and not in_flight)):
                free = index
            elif not in_flight and (spare_used is None or left < spare_used):
                spare, spare_used = index, left
        index = free if free is not None else spare
        if index is None:
            return _OVERFLOW, _ENTRY.unpack_from(self._memory, _OVERFLOW * _ENTRY.size)[0] or 1
        _ENTRY.pack_into(self._memory, index * _ENTRY.size, key, 0.0, now, 0.0, *[0] * PROCESSES, *[0] * PROCESSES)
        return index, key


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def share_between_processes() -> None:
    """Make the server's table now, before the web processes are forked (the gunicorn master's on_starting)."""
    global _SHARED
    _SHARED = ClientTable.shared()


def server_table() -> ClientTable:
    """The table of this server's processes if the master made one, else one of this process alone."""
    return _SHARED if _SHARED is not None else ClientTable.private()
