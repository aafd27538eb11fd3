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
- The server's query slots (``Board``): a row per query running anywhere in the server (its web process, the query
  process computing it, its client, when it started, whether another process stopped it) and a row per query waiting
  for a slot (its client and when it came). So the number of queries evaluated at once is bounded per server, not per
  web process, and a waiting query is ranked against the waiters of every process. Rows of a web process that died
  are free again at the next look (its query processes die with it).
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
from itertools import compress

try:
    import fcntl
except ImportError:  # not POSIX: a table of one process only
    fcntl = None

ENTRIES = 4096  # clients with recent use tracked at once, per server (beyond: idle ones are reused, see above)
WINDOW = 16     # entries looked at for one client
PROCESSES = 8   # web processes one client can have queries in at once
_ENTRY = struct.Struct(f"<Qddd{PROCESSES}i{PROCESSES}i")  # key, used, updated, heavy_until, pids, counts
_OVERFLOW = ENTRIES - 1
SLOTS = 64      # queries running at once per server, at most (KG_QUERY_WORKERS beyond this cannot be used)
WAITERS = 256   # queries waiting at once per server, at most (each web process waits KG_QUERY_QUEUE)
_SLOT = struct.Struct("<iiQQddii")  # web pid, query pid, ticket, client key, started, cpu at start, computing, stopped
_WAITER = struct.Struct("<i4xQQd")  # web pid, ticket, client key, arrival
_SLOTS_AT = ENTRIES * _ENTRY.size
_WAITERS_AT = _SLOTS_AT + SLOTS * _SLOT.size
_SIZE = _WAITERS_AT + WAITERS * _WAITER.size
_SHARED: ClientTable | None = None


def key_of(client: str) -> int:
    """The 64-bit key a client's entry and its queries' rows are kept under (the address itself is not kept)."""
    return int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "little") or 1


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


@dataclass
class Slot:
    """A query holding one of the server's slots."""

    index: int
    pid: int          # its web process
    worker: int       # its query process once it computes (0: not yet, or no longer: it may not be stopped from outside)
    ticket: int       # its number in its web process
    key: int          # its client
    started: float    # when it got the slot, then when it began to compute
    cpu_start: float  # its query process's CPU seconds when it began (< 0: charged by wall time)
    computing: bool
    stopped: bool     # stopped by a waiter (of any process) to let others run


@dataclass
class Waiter:
    index: int
    pid: int
    ticket: int
    key: int
    arrival: float


class Board:
    """The server's running and waiting queries while the table is locked; changes are written at once."""

    def __init__(self, table: ClientTable, now: float, drain: float) -> None:
        self._table, self._now, self._drain = table, now, drain
        memory, alive = table._memory, _Liveness()
        # The board is looked at several times per query: only the first field of every row (its web pid) is read
        # at once, rows in use are found in C (compress), and only they are unpacked; free rows are found when needed.
        self._slot_pids = memoryview(memory)[_SLOTS_AT:_WAITERS_AT].cast("i")[::_SLOT.size // 4].tolist()
        self._waiter_pids = memoryview(memory)[_WAITERS_AT:_SIZE].cast("i")[::_WAITER.size // 4].tolist()
        self.running: list[Slot] = []
        self.waiting: list[Waiter] = []
        self._dead_slots: list[int] = []    # rows of a web process that died: free again
        self._dead_waiters: list[int] = []
        for index in compress(range(SLOTS), self._slot_pids):
            if not alive(self._slot_pids[index]):
                self._dead_slots.append(index)
                continue
            self.running.append(_read_slot(memory, index))
        for index in compress(range(WAITERS), self._waiter_pids):
            if not alive(self._waiter_pids[index]):
                self._dead_waiters.append(index)
                continue
            pid, ticket, key, arrival = _WAITER.unpack_from(memory, _WAITERS_AT + index * _WAITER.size)
            self.waiting.append(Waiter(index, pid, ticket, key, arrival))
        self._usage: dict[int, tuple[float, float]] = {}

    def usage(self, key: int) -> tuple[float, float]:
        """A client's query-seconds now and until when it is heavy."""
        if key not in self._usage:
            self._usage[key] = self._table._read(key, self._now, self._drain)
        return self._usage[key]

    def wait(self, pid: int, ticket: int, key: int, arrival: float) -> bool:
        """Put a query in the server's queue; False if the queue of the server is full."""
        index = _take(self._waiter_pids, self._dead_waiters, pid)
        if index is None:
            return False
        waiter = Waiter(index, pid, ticket, key, arrival)
        self.waiting.append(waiter)
        _WAITER.pack_into(self._table._memory, _WAITERS_AT + waiter.index * _WAITER.size, pid, ticket, key, arrival)
        return True

    def unwait(self, pid: int, ticket: int) -> None:
        for waiter in [w for w in self.waiting if (w.pid, w.ticket) == (pid, ticket)]:
            self.waiting.remove(waiter)
            _WAITER.pack_into(self._table._memory, _WAITERS_AT + waiter.index * _WAITER.size, 0, 0, 0, 0.0)
            self._waiter_pids[waiter.index] = 0

    def start(self, pid: int, ticket: int, key: int, now: float) -> Slot | None:
        """The waiting query takes a slot (its row); None if none of the table's rows is free."""
        index = _take(self._slot_pids, self._dead_slots, pid)
        if index is None:
            return None
        self.unwait(pid, ticket)
        slot = Slot(index, pid, 0, ticket, key, now, -1.0, False, False)
        self.running.append(slot)
        self.update(slot)
        return slot

    def slot(self, pid: int, ticket: int) -> Slot | None:
        return next((s for s in self.running if (s.pid, s.ticket) == (pid, ticket)), None)

    def update(self, slot: Slot) -> None:
        _write_slot(self._table._memory, slot)

    def end(self, pid: int, ticket: int) -> None:
        slot = self.slot(pid, ticket)
        if slot is not None:
            self.running.remove(slot)
            _SLOT.pack_into(self._table._memory, _SLOTS_AT + slot.index * _SLOT.size, 0, 0, 0, 0, 0.0, 0.0, 0, 0)
            self._slot_pids[slot.index] = 0


def _read_slot(memory: mmap.mmap, index: int) -> Slot:
    pid, worker, ticket, key, started, cpu_start, computing, stopped = _SLOT.unpack_from(memory, _SLOTS_AT + index * _SLOT.size)
    return Slot(index, pid, worker, ticket, key, started, cpu_start, bool(computing), bool(stopped))


def _write_slot(memory: mmap.mmap, slot: Slot) -> None:
    _SLOT.pack_into(memory, _SLOTS_AT + slot.index * _SLOT.size, slot.pid, slot.worker, slot.ticket, slot.key,
                    slot.started, slot.cpu_start, int(slot.computing), int(slot.stopped))


def _take(pids: list[int], dead: list[int], pid: int) -> int | None:
    """A free row (a dead process's first, else the first empty one), marked as ``pid``'s; None if all are taken."""
    if dead:
        index = dead.pop(0)
    else:
        try:
            index = pids.index(0)
        except ValueError:
            return None
    pids[index] = pid
    return index


class _Liveness:
    """Whether a process lives, asked once per process and look."""

    def __init__(self) -> None:
        self._known: dict[int, bool] = {os.getpid(): True}

    def __call__(self, pid: int) -> bool:
        if pid not in self._known:
            self._known[pid] = _alive(pid)
        return self._known[pid]


class ClientTable:
    def __init__(self, memory: mmap.mmap, fd: int | None = None) -> None:
        self._memory = memory
        self._fd = fd  # for the lock across processes; None: only this process uses the table
        self._lock = threading.Lock()

    @property
    def is_shared(self) -> bool:
        """Other processes use it too (they change it without telling this one: waiters look again now and then)."""
        return self._fd is not None

    @classmethod
    def private(cls) -> ClientTable:
        return cls(mmap.mmap(-1, _SIZE))

    @classmethod
    def shared(cls) -> ClientTable:
        """A table in an unlinked temporary file: whoever forks from this process later shares it (and nobody
        else can open it; it is gone when the last process using it ends)."""
        file = tempfile.TemporaryFile(prefix="kg-clients-")
        file.truncate(_SIZE)
        fd = os.dup(file.fileno())
        file.close()
        return cls(mmap.mmap(fd, _SIZE, mmap.MAP_SHARED), fd if fcntl else None)

    @contextmanager
    def entry(self, client: str, now: float, drain: float) -> Iterator[Usage]:
        """The client's entry, its bucket drained at ``drain`` query-seconds per second up to ``now``."""
        with self._locked():
            index, key = self._find(key_of(client), now, drain)
            _, used, updated, heavy_until, *rest = _ENTRY.unpack_from(self._memory, index * _ENTRY.size)
            usage = Usage(max(0.0, used - max(0.0, now - updated) * drain) if updated else used, heavy_until,
                          list(rest[:PROCESSES]), list(rest[PROCESSES:]))
            try:
                yield usage
            finally:
                # max: another process may have counted it a moment later than this one read its clock
                _ENTRY.pack_into(self._memory, index * _ENTRY.size, key, usage.used, max(now, updated), usage.heavy_until,
                                 *usage.pids, *usage.counts)

    @contextmanager
    def own_slot(self, index: int, pid: int, ticket: int) -> Iterator[Slot | None]:
        """The row of one running query, locked, changed in place (None if the row is no longer that query's): what
        a query's own updates need, without reading the whole board."""
        with self._locked():
            slot = _read_slot(self._memory, index)
            if (slot.pid, slot.ticket) != (pid, ticket):
                yield None
                return
            yield slot
            _write_slot(self._memory, slot)

    def peek(self, client: str, now: float, drain: float) -> tuple[float, float]:
        """Query-seconds in the client's bucket now, and until when it is heavy."""
        with self._locked():
            return self._read(key_of(client), now, drain)

    @contextmanager
    def board(self, now: float, drain: float) -> Iterator[Board]:
        """The server's running and waiting queries, locked (clients' use drained at ``drain`` up to ``now``)."""
        with self._locked():
            yield Board(self, now, drain)

    def _read(self, key: int, now: float, drain: float) -> tuple[float, float]:
        """(Locked) a client's query-seconds drained to ``now`` and until when it is heavy."""
        index, _ = self._find(key, now, drain)
        _, used, updated, heavy_until, *_ = _ENTRY.unpack_from(self._memory, index * _ENTRY.size)
        return (max(0.0, used - max(0.0, now - updated) * drain) if updated else used), heavy_until

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

    def _find(self, key: int, now: float, drain: float) -> tuple[int, int]:
        """Index of the entry of the client with ``key`` (made if new) and the key it is kept under."""
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
