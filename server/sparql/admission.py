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

A client's use and its queries in flight are counted in one table for all web processes of the server
(:mod:`server.serving.client_table`), so its limits hold however many processes there are; the slots and the queue
are each process's own (so are its query processes).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from server.serving.client_table import ClientTable, Usage, server_table

FRESH = 0.05  # seconds a client's use read from the shared table is trusted for ranking (this process's own changes at once)


class Busy(Exception):
    """No slot became free in time, the queue is full, or the query was stopped to let others run (503)."""

    def __init__(self, reason: str, retry_after: int = 2) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


class OverLimit(Exception):
    """The client has used up its own share (429)."""

    def __init__(self, reason: str, retry_after: int) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


@dataclass(frozen=True)
class Limits:
    slots: int                 # queries running at once (query processes of this server process)
    per_client: int = 2        # of them for one client
    budget: float = 30.0       # query-seconds one client may use per window
    window: float = 60.0       # seconds
    reserved: int = 1          # slots that clients with recent long queries may not take
    share: float = 1.0         # seconds a query may run while others wait; a query this long makes its client "heavy"
    timeout: float = float("inf")  # wall seconds after which the pool kills a query: its client is heavy, whatever it cost
    queue: int = 12            # queries that may wait at once
    refusal_cost: float = 0.1  # query-seconds a 429 or 503 costs its client


@dataclass(eq=False)
class Ticket:
    """One query's place: waiting, then running (with a way to stop it), then done."""

    client: str
    order: int
    started: float | None = None
    stop: Callable[[], None] | None = None    # set by the pool once the query runs in a process
    meter: Callable[[], float | None] | None = None  # CPU seconds of its process since it started (None: wall time)
    work: float | None = None                 # its seconds, fixed once it ended (see settle)
    stopped: bool = False                     # preempted: stopped to let others run
    refused: str | None = None                # turned away while waiting (queue full)


class Admission:
    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic, table: ClientTable | None = None) -> None:
        # At least one slot stays open to every client, or a heavy one could never run at all.
        self.limits = replace(limits, reserved=max(0, min(limits.reserved, limits.slots - 1)))
        self._clock = clock  # monotonic: one clock for all processes of the machine, as the shared table needs
        self._table = table or server_table()
        self._seen: dict[str, tuple[float, float, float]] = {}  # client: (read at, used, heavy until)
        self._waiting: list[Ticket] = []
        self._running: list[Ticket] = []
        self._order = itertools.count()
        self._cond = threading.Condition()

    # ------------------------------------------------------------ the two calls a query makes

    def enter(self, client: str, wait: float) -> Ticket:
        """Wait up to ``wait`` seconds for a slot; raise :class:`OverLimit` or :class:`Busy`."""
        with self._cond:
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
                rate = limits.budget / limits.window
                raise OverLimit(f"{limits.budget:g} query-seconds per {limits.window:g} s used up",
                                max(1, round((usage.used - limits.budget) / rate + 1)))
            usage.join()
        ticket = Ticket(client, next(self._order))
        try:
            if len(self._waiting) >= limits.queue:
                worst = max(self._waiting, key=self._rank)
                if self._rank(worst) <= self._rank(ticket):
                    raise Busy("too many queries waiting")
                self._turn_away(worst)
            self._waiting.append(ticket)
            deadline = now + wait
            try:
                while True:
                    if ticket.refused:
                        raise Busy(ticket.refused)
                    if self._may_start(ticket):
                        break
                    self._preempt_for(ticket)
                    remaining = deadline - self._clock()
                    if remaining <= 0:
                        raise Busy(f"no query slot free within {wait:g} s")
                    self._cond.wait(min(remaining, self._next_share_end() or remaining))
            finally:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
        except BaseException:
            with self._entry(client) as usage:
                usage.part()
            raise
        ticket.started = self._clock()
        self._running.append(ticket)
        self._cond.notify_all()  # the order of the others may have changed
        return ticket

    def leave(self, ticket: Ticket) -> None:
        """The query ended (answered, failed, timed out or stopped): charge its time to the client."""
        with self._cond:
            now = self._clock()
            work = self._work(ticket)
            with self._entry(ticket.client) as usage:
                usage.used += work
                if work >= self.limits.share or ticket.stopped or now - (ticket.started or now) >= self.limits.timeout:
                    usage.heavy_until = now + self.limits.window
                usage.part()
            self._running.remove(ticket)
            self._cond.notify_all()

    def running(self, ticket: Ticket, stop: Callable[[], None], meter: Callable[[], float | None] | None = None) -> None:
        """The query now runs in a process (loaded, job sent): its clock starts, ``meter`` (if any) tells the processor
        time it uses, and ``stop`` ends it if preempted."""
        with self._cond:
            ticket.started, ticket.stop, ticket.meter = self._clock(), stop, meter
            if ticket.stopped:
                stop()

    def settle(self, ticket: Ticket) -> None:
        """Fix the query's seconds as it ends, before its process takes another job or is killed."""
        ticket.work = self._work(ticket)

    # ------------------------------------------------------------ policy

    def usage(self, client: str) -> tuple[float, bool]:
        """The client's query-seconds now and whether it counts as heavy (for diagnostics and tests)."""
        used, heavy_until = self._usage(client)
        return used, heavy_until > self._clock()

    @contextmanager
    def _entry(self, client: str) -> Iterator[Usage]:
        """The client's entry in the shared table, locked, its bucket drained to now; changed in place."""
        self._seen.pop(client, None)
        with self._table.entry(client, self._clock(), self.limits.budget / self.limits.window) as usage:
            yield usage

    def _usage(self, client: str) -> tuple[float, float]:
        """Query-seconds and heavy-until of a client, as read a moment ago (ranking reads them often)."""
        now = self._clock()
        seen = self._seen.get(client)
        if seen is None or now - seen[0] > FRESH:
            if len(self._seen) > 1000:
                self._seen.clear()
            seen = self._seen[client] = (now, *self._table.peek(client, now, self.limits.budget / self.limits.window))
        return seen[1], seen[2]

    def _work(self, ticket: Ticket) -> float:
        """Seconds the query has used: as settled, else its process's CPU time, else wall time since it started."""
        if ticket.work is not None:
            return ticket.work
        used = ticket.meter() if ticket.meter is not None else None
        if used is not None:
            return used
        return self._clock() - ticket.started if ticket.started is not None else 0.0

    def _heavy(self, client: str) -> bool:
        return self._usage(client)[1] > self._clock()

    def _rank(self, ticket: Ticket) -> tuple:
        """Lower goes first: clients without recent long queries, then less recent use, then arrival."""
        used, heavy_until = self._usage(ticket.client)
        return (heavy_until > self._clock(), round(used, 1), ticket.order)

    def _may_start(self, ticket: Ticket) -> bool:
        free = self.limits.slots - len(self._running)
        if free <= 0:
            return False
        eligible = [t for t in self._waiting if free > self.limits.reserved or not self._heavy(t.client)]
        return bool(eligible) and min(eligible, key=self._rank) is ticket

    def _preempt_for(self, ticket: Ticket) -> None:
        """For a waiting client without recent long queries: stop the oldest query past its share whose client has
        used more. Heavy clients never stop each other's queries (each stop costs a fresh query process)."""
        if len(self._running) < self.limits.slots or self._heavy(ticket.client) or \
                min(self._waiting, key=self._rank) is not ticket:
            return
        now = self._clock()
        mine = self._rank(ticket)[:2]
        victims = [t for t in self._running if not t.stopped and t.stop is not None and t.client != ticket.client
                   and now - t.started > self.limits.share and self._rank_running(t) > mine]
        if victims:
            victim = min(victims, key=lambda t: t.started)
            victim.stopped = True
            victim.stop()

    def _next_share_end(self) -> float | None:
        """Seconds until the next running query passes its share (when a waiter may stop it)."""
        started = [t.started for t in self._running if not t.stopped and t.started is not None]
        if not started:
            return None
        return max(0.01, min(started) + self.limits.share - self._clock() + 0.01)

    def _rank_running(self, ticket: Ticket) -> tuple:
        """A running query's client as it will stand once this query is charged."""
        used, heavy_until = self._usage(ticket.client)
        work = self._work(ticket)
        return (heavy_until > self._clock() or work >= self.limits.share, round(used + work, 1))

    def _turn_away(self, ticket: Ticket) -> None:
        ticket.refused = "turned away for a client with less recent use"
        self._waiting.remove(ticket)
        self._cond.notify_all()
