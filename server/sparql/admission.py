"""Who may run a query now: fair shares of the query slots between clients.

A query process is the scarce thing: a runaway query holds one for its whole time limit, and twenty clients sending
them would hold every slot. So admission looks at the client (its address, see :mod:`server.web.proxies`):

- a client may run ``per_client`` queries at once and use ``budget`` query-seconds per ``window``
  (a leaky bucket: used time drains at ``budget / window`` per second); beyond either it gets 429;
- waiting queries start in the order of their client's recent use, least first, not in order of arrival;
- a client that recently ran a query longer than ``share`` seconds (or one stopped for others, or one that hit the
  hard ``timeout``) may not take the last ``reserved`` slots: they stay for clients whose queries are short;
- when queries wait, a query that has held its slot longer than ``share`` seconds for a client with more recent use
  than the waiting one is stopped (503 for its client): under contention, long queries give way instead of starving
  others;
- at most ``queue`` queries wait (each ties up a server thread that pages need too); when the queue is full, the
  waiter of the heaviest client is turned away (503), or the newcomer if it is the heaviest;
- a turned-away request costs its client ``refusal_cost`` query-seconds, so a client that retries at once instead of
  waiting for ``Retry-After`` soon stands behind everyone else.

A client's use is the processor time of its queries' processes where that can be read (the pool hands over a meter,
:mod:`server.sparql.cpu_time`), else wall time: on a machine busy with other work an ordinary query waits for the
processor, and counting that wait would make its client "heavy" and turn it away. How long a query has held its slot
(for stopping it in favour of a waiter) and the hard time limit (the pool kills at it) stay wall time: a slot is held
in wall time.

The slots are the server's, not a web process's: a client's use, its queries in flight, the queries running and those
waiting are kept in one table for all web processes of the server (:mod:`server.serving.client_table`), so at most
``slots`` queries are evaluated at once however many web processes there are, the reserve holds for the server, a
waiter is ranked against the waiters of every process, and a waiter may stop a query of another process (by killing
its query process; the owner sees it stopped). A process that frees a slot wakes the waiter next in rank only: by its
own condition (its "bell") in this process, through the doorbell of its process otherwise
(:mod:`server.serving.doorbell`); a waiter looks again every ``POLL`` seconds as well when the table is shared.
The queue is each process's own: it bounds the server threads of that process that queries tie up, the rest
stay for pages. Each web process keeps query processes of its own ready (warm, :mod:`server.sparql.warm`); which of
them compute is what the slots bound.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from server.serving.client_table import Board, ClientTable, Slot, Usage, Waiter, key_of, server_table
from server.serving.doorbell import Doorbell
from server.sparql.cpu_time import cpu_seconds

POLL = 0.1  # seconds between a waiter's looks at the other web processes' queries (besides their rings)
FRESH = 0.05  # seconds a client's use read from the shared table is trusted for ranking (this process's changes at once)


class Busy(Exception):
    """No slot became free in time, the queue is full, or the query was stopped to let others run (503)."""

    def __init__(self, reason: str, retry_after: int = 2) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


class Stopped(Busy):
    """The query ran, and was stopped after its share of time so that other clients' queries could run (503)."""

    def __init__(self) -> None:
        super().__init__("stopped after its share of time to let other clients run", 5)


class OverLimit(Exception):
    """The client has used up its own share (429)."""

    def __init__(self, reason: str, retry_after: int) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


@dataclass(frozen=True)
class Limits:
    slots: int                 # queries evaluated at once by the whole server (all its web processes)
    per_client: int = 2        # of them for one client
    budget: float = 30.0       # query-seconds one client may use per window
    window: float = 60.0       # seconds
    reserved: int = 1          # slots that clients with recent long queries may not take
    share: float = 1.0         # seconds a query may run while others wait; a query this long makes its client "heavy"
    timeout: float = float("inf")  # wall seconds after which the pool kills a query: its client is heavy, whatever it cost
    queue: int = 12            # queries that may wait at once in one web process (each holds one of its threads)
    refusal_cost: float = 0.1  # query-seconds a 429 or 503 costs its client


@dataclass(eq=False)
class Ticket:
    """One query's place: waiting, then running (with a way to stop it), then done."""

    client: str
    order: int
    key: int = 0                              # the client's key in the shared table
    arrival: float = 0.0
    started: float | None = None
    stop: Callable[[], None] | None = None    # set by the pool once the query runs in a process
    meter: Callable[[], float | None] | None = None  # CPU seconds of its process since it started (None: wall time)
    work: float | None = None                 # its seconds, fixed once it ended (see settle); from then on nobody stops it
    stopped: bool = False                     # preempted: stopped to let others run
    refused: str | None = None                # turned away while waiting (queue full)
    row: int = -1                             # its slot's row in the shared table, once it runs
    bell: threading.Condition | None = None   # rung when it may be its turn (shares the admission's lock)


class Admission:
    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic, table: ClientTable | None = None) -> None:
        # At least one slot stays open to every client, or a heavy one could never run at all.
        self.limits = replace(limits, reserved=max(0, min(limits.reserved, limits.slots - 1)))
        self._clock = clock  # monotonic: one clock for all processes of the machine, as the shared table needs
        self._table = table or server_table()
        self._drain = self.limits.budget / self.limits.window
        self._waiting: list[Ticket] = []       # this process's waiters (its queue)
        self._running: dict[int, Ticket] = {}  # this process's queries holding a slot, by number
        self._seen: dict[int, tuple[float, float, float]] = {}  # client key: (read at, used, heavy until)
        self._order = itertools.count(1)
        self._lock = threading.RLock()  # guards this process's queue and tickets; each waiter has a bell on it
        self._doorbell = Doorbell() if self._table.is_shared else None

    # ------------------------------------------------------------ the calls a query makes

    def enter(self, client: str, wait: float) -> Ticket:
        """Wait up to ``wait`` seconds for a slot; raise :class:`OverLimit` or :class:`Busy`."""
        with self._lock:
            try:
                return self._enter(client, wait)
            except (Busy, OverLimit):
                with self._entry(client) as usage:
                    usage.used += self.limits.refusal_cost
                raise

    def _enter(self, client: str, wait: float) -> Ticket:
        limits = self.limits
        now = self._clock()
        with self._entry(client) as usage:
            if usage.in_flight() >= limits.per_client:
                raise OverLimit(f"{limits.per_client} queries of this client already running or waiting", 2)
            if usage.used >= limits.budget:
                raise OverLimit(f"{limits.budget:g} query-seconds per {limits.window:g} s used up",
                                max(1, round((usage.used - limits.budget) / self._drain + 1)))
            usage.join()
        ticket = Ticket(client, next(self._order), key_of(client), now, bell=threading.Condition(self._lock))
        pid = os.getpid()
        if self._doorbell is not None:
            self._doorbell.listen(self._wake)
        try:
            deadline, queued = now + wait, False
            try:
                while True:
                    if ticket.refused:
                        raise Busy(ticket.refused)
                    with self._board() as board:
                        if not queued:  # the first look queues it and, with a slot free, starts it at once
                            self._queue(ticket, board, pid)
                            queued = True
                        slot = self._may_start(ticket, board) and board.start(pid, ticket.order, ticket.key, self._clock())
                        if slot:
                            ticket.started, ticket.row = self._clock(), slot.index
                            self._running[ticket.order] = ticket
                            self._ring_next(board)  # with slots still free, the next waiter may start too
                            break
                        self._preempt_for(ticket, board)
                    remaining = deadline - self._clock()
                    if remaining <= 0:
                        raise Busy(f"no query slot free within {wait:g} s")
                    ticket.bell.wait(min(remaining, self._pause() or remaining))
            finally:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                if queued and ticket.order not in self._running and not ticket.refused:
                    with self._board() as board:
                        board.unwait(pid, ticket.order)
        except BaseException:
            with self._entry(client) as usage:
                usage.part()
            raise
        return ticket

    def _queue(self, ticket: Ticket, board: Board, pid: int) -> None:
        """Put the query in this process's queue and the server's; the heaviest waiter gives way when it is full."""
        if len(self._waiting) >= self.limits.queue:
            worst = max(self._waiting, key=lambda t: self._rank(board, t))
            if self._rank(board, worst) <= self._rank(board, ticket):
                raise Busy("too many queries waiting")
            self._turn_away(worst, board)
        if not board.wait(pid, ticket.order, ticket.key, ticket.arrival):
            raise Busy("too many queries waiting in the server")
        self._waiting.append(ticket)

    def leave(self, ticket: Ticket) -> None:
        """The query ended (answered, failed, timed out or stopped): charge its time to the client."""
        with self._lock:
            now = self._clock()
            work = self._work(ticket)
            stopped = self.stopped(ticket)
            with self._entry(ticket.client) as usage:
                usage.used += work
                if work >= self.limits.share or stopped or now - (ticket.started or now) >= self.limits.timeout:
                    usage.heavy_until = now + self.limits.window
                usage.part()
            self._running.pop(ticket.order, None)
            with self._board() as board:
                board.end(os.getpid(), ticket.order)
                self._ring_next(board)  # a slot is free: whoever is next looks now

    def running(self, ticket: Ticket, stop: Callable[[], None], meter: Callable[[], float | None] | None = None,
                worker: int | None = None) -> None:
        """The query now runs in process ``worker`` (loaded, job sent): its clock starts, ``meter`` (if any) tells the
        processor time it uses, and ``stop`` ends it if preempted (a waiter of another web process kills ``worker``)."""
        with self._lock:
            ticket.started, ticket.stop, ticket.meter = self._clock(), stop, meter
            with self._own_slot(ticket) as slot:
                if slot is not None:
                    slot.started, slot.worker, slot.computing = ticket.started, worker or 0, True
                    slot.cpu_start = getattr(meter, "start", -1.0) if worker else -1.0
            if ticket.stopped:
                stop()

    def settle(self, ticket: Ticket) -> None:
        """Fix the query's seconds as it ends, before its process takes another job or is killed (from now on no other
        web process may kill that process for this query)."""
        with self._lock:
            ticket.work = self._work(ticket)
            with self._own_slot(ticket) as slot:
                if slot is not None:
                    slot.worker, slot.computing = 0, False
                    ticket.stopped = ticket.stopped or slot.stopped

    def stopped(self, ticket: Ticket) -> bool:
        """Whether the query was stopped to let others run (by a waiter of this web process or of another)."""
        if not ticket.stopped and ticket.work is None:  # settled: no one can stop it any more (see settle)
            with self._own_slot(ticket) as slot:
                ticket.stopped = slot is not None and slot.stopped
        return ticket.stopped

    # ------------------------------------------------------------ policy

    def usage(self, client: str) -> tuple[float, bool]:
        """The client's query-seconds now and whether it counts as heavy (for diagnostics and tests)."""
        now = self._clock()
        used, heavy_until = self._table.peek(client, now, self._drain)
        return used, heavy_until > now

    @contextmanager
    def _entry(self, client: str) -> Iterator[Usage]:
        """The client's entry in the shared table, locked, its bucket drained to now; changed in place."""
        self._seen.pop(key_of(client), None)
        with self._table.entry(client, self._clock(), self._drain) as usage:
            yield usage

    def _usage(self, board: Board, key: int) -> tuple[float, float]:
        """A client's query-seconds and heavy-until, as read a moment ago (ranking asks for them many times a second)."""
        now = self._clock()
        seen = self._seen.get(key)
        if seen is None or now - seen[0] > FRESH:
            if len(self._seen) > 1000:
                self._seen.clear()
            seen = self._seen[key] = (now, *board.usage(key))
        return seen[1], seen[2]

    @contextmanager
    def _own_slot(self, ticket: Ticket) -> Iterator[Slot | None]:
        """The running query's own row in the shared table (None before it got a slot)."""
        if ticket.row < 0:
            yield None
            return
        with self._table.own_slot(ticket.row, os.getpid(), ticket.order) as slot:
            yield slot

    @contextmanager
    def _board(self) -> Iterator[Board]:
        with self._table.board(self._clock(), self._drain) as board:
            yield board

    def _wake(self) -> None:
        """Another web process freed a slot."""
        with self._lock:
            if self._waiting:
                with self._board() as board:
                    self._ring_next(board, ring=False)  # never ring back: two views of the ranks could ping-pong

    def _next(self, board: Board) -> list[Waiter]:
        """The waiters of the whole server that may take the free slots now, best ranked first, one per free slot
        (clients with recent long queries may not take the reserved ones)."""
        free = self.limits.slots - len(board.running)
        if free <= 0:
            return []
        eligible = [w for w in board.waiting if free > self.limits.reserved or not self._heavy(board, w.key)]
        return sorted(eligible, key=lambda w: self._rank(board, w))[:free]

    def _ring_next(self, board: Board, ring: bool = True) -> None:
        """Wake the waiters that may start now – the best ranked of the server, as many as slots are free –, here by
        their bell, in another web process by its doorbell; not every waiter: each woken one reads the whole board,
        and under load most would only go back to sleep. (Ranks move with time: one that finds it is not its turn
        after all sleeps again, and every waiter looks again after POLL anyway.)"""
        own, others = os.getpid(), set()
        for waiter in self._next(board):
            if waiter.pid != own:
                others.add(waiter.pid)
                continue
            ticket = next((t for t in self._waiting if t.order == waiter.ticket), None)
            if ticket is not None:
                ticket.bell.notify()
        if others and ring and self._doorbell is not None:
            self._doorbell.ring(others)

    def _pause(self) -> float | None:
        """How long a waiter sleeps unless woken: till the next query of this process passes its share, and never
        longer than POLL when other processes share the table."""
        started = [t.started for t in self._running.values() if not t.stopped and t.started is not None]
        share_end = max(0.01, min(started) + self.limits.share - self._clock() + 0.01) if started else None
        if self._table.is_shared:
            return min(POLL, share_end or POLL)
        return share_end

    def _work(self, ticket: Ticket) -> float:
        """Seconds the query has used: as settled, else its process's CPU time, else wall time since it started."""
        if ticket.work is not None:
            return ticket.work
        used = ticket.meter() if ticket.meter is not None else None
        if used is not None:
            return used
        return self._clock() - ticket.started if ticket.started is not None else 0.0

    def _slot_work(self, slot: Slot) -> float:
        """Seconds a running query has used so far, whichever process it belongs to."""
        mine = self._running.get(slot.ticket) if slot.pid == os.getpid() else None
        if mine is not None:
            return self._work(mine)
        if slot.worker and slot.cpu_start >= 0:
            now = cpu_seconds(slot.worker)
            if now is not None:
                return max(0.0, now - slot.cpu_start)
        return self._clock() - slot.started

    def _heavy(self, board: Board, key: int) -> bool:
        return self._usage(board, key)[1] > self._clock()

    def _rank(self, board: Board, waiter: Waiter | Ticket) -> tuple:
        """Lower goes first: clients without recent long queries, then less recent use, then arrival."""
        used, heavy_until = self._usage(board, waiter.key)
        if isinstance(waiter, Ticket):
            return (heavy_until > self._clock(), round(used, 1), waiter.arrival, os.getpid(), waiter.order)
        return (heavy_until > self._clock(), round(used, 1), waiter.arrival, waiter.pid, waiter.ticket)

    def _is(self, waiter: Waiter, ticket: Ticket) -> bool:
        return waiter.pid == os.getpid() and waiter.ticket == ticket.order

    def _may_start(self, ticket: Ticket, board: Board) -> bool:
        nexts = self._next(board)
        return bool(nexts) and self._is(nexts[0], ticket)

    def _preempt_for(self, ticket: Ticket, board: Board) -> None:
        """For a waiting client without recent long queries: stop the oldest query past its share whose client has
        used more, in whichever web process it runs. Heavy clients never stop each other's queries (each stop costs a
        fresh query process)."""
        if len(board.running) < self.limits.slots or self._heavy(board, ticket.key) or not board.waiting or \
                not self._is(min(board.waiting, key=lambda w: self._rank(board, w)), ticket):
            return
        now = self._clock()
        mine = self._rank(board, ticket)[:2]
        victims = [s for s in board.running if s.computing and not s.stopped and s.key != ticket.key
                   and now - s.started > self.limits.share and self._rank_running(board, s) > mine]
        if not victims:
            return
        victim = min(victims, key=lambda s: s.started)
        own = self._running.get(victim.ticket) if victim.pid == os.getpid() else None
        if own is not None:
            if own.stop is None:
                return
            own.stopped = True
            own.stop()
        elif victim.worker:
            try:
                os.kill(victim.worker, signal.SIGKILL)  # its web process sees the query process end, stopped
            except ProcessLookupError:
                return
        else:
            return
        victim.stopped = True
        board.update(victim)

    def _rank_running(self, board: Board, slot: Slot) -> tuple:
        """A running query's client as it will stand once this query is charged."""
        used, heavy_until = self._usage(board, slot.key)
        work = self._slot_work(slot)
        return (heavy_until > self._clock() or work >= self.limits.share, round(used + work, 1))

    def _turn_away(self, ticket: Ticket, board: Board) -> None:
        ticket.refused = "turned away for a client with less recent use"
        self._waiting.remove(ticket)
        board.unwait(os.getpid(), ticket.order)
        ticket.bell.notify()
