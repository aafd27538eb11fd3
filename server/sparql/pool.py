"""The web-process side of SPARQL execution: a few worker processes, a hard timeout, a concurrency cap.

Why processes: a query running inside Oxigraph cannot be interrupted from Python, and a thread that is
merely abandoned keeps burning CPU. A worker process that overruns its job's ``timeout`` is killed (SIGKILL)
and replaced by a fresh one, so the time limit is real; should this process be killed or stopped meanwhile,
the worker ends itself (see :mod:`server.sparql.worker`). Workers are started lazily through a forkserver
(cheap, and safe in a multi-threaded server), each opens the current build's on-disk database read-only (or, for a
build without one, parses its ``graph.nt``) and reloads when the build id changes; the production server starts them
when a web process starts (:meth:`QueryPool.prestart`). A query may use ``memory_limit_mb`` of extra memory; beyond that its
worker dies, not the server. Each web process keeps ``size`` query processes (and a spare) ready, but at most
``size`` queries compute at once in the whole server: admission's slots are the server's
(:mod:`server.sparql.admission`); a request that cannot get a slot within ``wait`` seconds is turned away.
"""

from __future__ import annotations

import math
import multiprocessing
import select
import signal
import threading
from dataclasses import dataclass, replace

from server.sparql import cpu_time
from server.sparql import worker as query_worker
from server.sparql.admission import Admission, Limits, Stopped
from server.sparql.worker import Job, Load, Loaded, Outcome

LOAD_TIMEOUT = 120.0  # loading a build is not the client's query time, but must not hang forever


class QueryTimeout(Exception):
    """The query overran its time limit; its worker has been killed."""


class WorkerLost(Exception):
    """The worker died (crash, out of memory, its own alarm) or could not load the build."""

    def __init__(self, message: str, exitcode: int | None = None) -> None:
        super().__init__(message)
        self.exitcode = exitcode  # negative: the signal that ended it (-SIGALRM: it overran its time limit)


class BuildBroken(Exception):
    """The build's graph.nt could not be loaded as its manifest describes it (damaged after it was published)."""


class _DeadBeforeJob(WorkerLost):
    """The worker was gone before it received the job (e.g. killed while idle): the query is not to blame."""


@dataclass(frozen=True)
class GraphRef:
    """Which build a worker must have loaded."""

    path: str       # graph.nt of the build
    build_id: str
    endpoint: str = ""  # KG_SPARQL_ENDPOINT: an external engine instead of the file
    triples: int = -1   # the manifest's count, checked by the worker after loading
    store: str = ""     # the build's on-disk database, opened read-only instead of parsing the file
    release: str = ""   # an old release's (/release/NAME/): loading it for a query is that query's work

    @classmethod
    def of(cls, published, endpoint: str = "", release: str = "") -> GraphRef:
        """What the query processes load for a published build (:class:`server.state.Published`)."""
        return cls(str(published.path / "graph.nt"), published.etag, endpoint, int(published.manifest["triples"]),
                   str(published.database or ""), release)


def _context() -> multiprocessing.context.BaseContext:
    try:
        ctx = multiprocessing.get_context("forkserver")
    except ValueError:  # platforms without forkserver
        return multiprocessing.get_context("spawn")
    # Preload the worker module only: the forkserver then forks ready-to-run children in milliseconds.
    ctx.set_forkserver_preload(["server.sparql.worker"])
    return ctx


class _Worker:
    def __init__(self, ctx: multiprocessing.context.BaseContext, memory_limit_mb: int) -> None:
        self.conn, child_end = ctx.Pipe()
        self.process = ctx.Process(target=query_worker.serve, args=(child_end, memory_limit_mb), name="kg-sparql-worker",
                                   daemon=True)
        self.process.start()
        child_end.close()  # only the child holds it now: the child sees EOF when this process dies
        # Asked several times per query: one poll(2) each, where Connection.poll and Process.is_alive build a selector
        # per call (multiprocessing.connection.wait) – 0.1-0.2 ms of every query's time in the web process.
        self._replies, self._ended = select.poll(), select.poll()
        self._replies.register(self.conn.fileno(), select.POLLIN)  # an answer, or EOF/hang-up once it died
        self._ended.register(self.process.sentinel, select.POLLIN)  # readable once the process has ended
        self.build_id: str | None = None
        self.loading = False
        self.fresh = False  # started for the job at hand: dying before it got the job is not the idle pool's fault

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def alive(self) -> bool:
        return not self._ended.poll(0)

    def replied(self, timeout: float = 0.0) -> bool:
        """Whether a reply (or the end of the process) can be read, waiting up to ``timeout`` seconds."""
        return bool(self._replies.poll(math.ceil(timeout * 1000)))

    def load(self, graph: GraphRef) -> None:
        """Start loading without waiting, so that a replacement worker warms up in the background."""
        self._send(Load(graph.path, graph.build_id, graph.endpoint, graph.triples, graph.store))
        self.build_id, self.loading = graph.build_id, True

    def ensure(self, graph: GraphRef) -> float | None:
        """Have ``graph`` loaded; a worker that dies meanwhile has not seen the job yet. Returns the process's CPU
        seconds when it began a load for this call (None: it had the build, or was loading it already)."""
        load_began = None
        try:
            if self.build_id != graph.build_id:
                if self.loading:
                    self._receive(LOAD_TIMEOUT)  # the reply to the previous load comes first
                load_began = cpu_time.cpu_seconds(self.pid) if self.pid is not None else None
                self.load(graph)
            if self.loading:
                reply = self._receive(LOAD_TIMEOUT)
                if not isinstance(reply, Loaded):
                    raise WorkerLost(f"unexpected reply while loading: {reply!r}")
                self.loading = False
                if reply.error:
                    self.build_id = None  # nothing usable loaded
                    raise BuildBroken(f"{graph.path}: {reply.error}")
            return load_began
        except (_DeadBeforeJob, BuildBroken):
            raise
        except WorkerLost as exc:
            raise _DeadBeforeJob(str(exc), exc.exitcode) from exc

    def call(self, job: Job, timeout: float) -> Outcome:
        self._send(job)
        outcome = self._receive(timeout)
        if not isinstance(outcome, Outcome):
            raise WorkerLost(f"unexpected reply: {outcome!r}")
        return outcome

    def _send(self, message) -> None:
        try:
            # With no reply pending, an idle worker never writes: anything readable means it is gone (EOF).
            if not self.loading and self.replied():
                raise _DeadBeforeJob("worker process gone")
            self.conn.send(message)
        except OSError as exc:
            raise _DeadBeforeJob(f"worker process gone: {exc}") from exc

    def _receive(self, timeout: float):
        try:
            if not self.replied(timeout):
                raise QueryTimeout(f"no answer within {timeout:g} s")
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            self.process.join(1)
            raise WorkerLost(f"worker process ended, exit code {self.process.exitcode}", self.process.exitcode) from exc

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    def __init__(self, size: int, memory_limit_mb: int = 0, limits: Limits | None = None, spares: int = 1) -> None:
        self.size = max(1, size)
        self.spares = spares  # loaded idle processes beyond the slots: a killed query's successor is ready at once
        self.memory_limit_mb = memory_limit_mb  # per worker process; 0: no limit
        self._busy = 0      # handed out to a query
        self._starting = 0  # being started by _top_up, not yet idle
        self.admission = Admission(replace(limits, slots=self.size) if limits else Limits(self.size))
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._ctx: multiprocessing.context.BaseContext | None = None

    def run(self, job: Job, graph: GraphRef, wait: float, client: str = "") -> Outcome:
        """Execute ``job`` for ``client`` on a worker with ``graph`` loaded within ``job.timeout``.

        Raises :class:`OverLimit` (the client's share is used up), :class:`Busy` (no slot in time; :class:`Stopped`: stopped to let
        others run), :class:`QueryTimeout` or :class:`WorkerLost`.
        """
        ticket = self.admission.enter(client, wait)
        fresh_failures = 0
        try:
            while True:
                worker = self._checkout(graph)
                try:
                    load_began = worker.ensure(graph)
                    # Charged by its process's CPU time; with an external engine the work is elsewhere: wall time. An
                    # old release's graph loaded into the current site's process for this query is charged with it:
                    # the client who asks old releases in turn pays for the loads it causes.
                    if graph.endpoint:
                        meter = None
                    elif graph.release and load_began is not None:
                        meter = cpu_time.Meter(worker.pid, load_began)
                    else:
                        meter = cpu_time.meter(worker.pid)
                    self.admission.running(ticket, worker.process.kill, meter, worker.pid)  # the owner thread notices and cleans up
                    try:
                        outcome = worker.call(job, job.timeout)
                    finally:
                        self.admission.settle(ticket)  # before the process is killed or takes the next job
                except _DeadBeforeJob:
                    self._release()
                    worker.kill()
                    if not worker.fresh:
                        continue  # an idle worker that died meanwhile (killed from outside): take the next one
                    fresh_failures += 1
                    if fresh_failures >= 2:
                        raise  # not even fresh workers can take the job
                    continue
                except WorkerLost as exc:
                    self._release()
                    worker.kill()
                    if self.admission.stopped(ticket):
                        raise Stopped() from exc
                    if exc.exitcode == -signal.SIGKILL and fresh_failures < 2:
                        # Killed from outside (its own limits end it with SIGALRM or an abort, never SIGKILL), as its
                        # job arrived: the query is not to blame, another process takes it.
                        fresh_failures += 1
                        continue
                    raise
                except BaseException as exc:
                    # Whatever went wrong, this worker may still be computing: stop it for real, start afresh
                    # (after the slot is free again: a waiting query need not wait for the new process).
                    self._release()
                    worker.kill()
                    if self.admission.stopped(ticket):
                        raise Stopped() from exc
                    raise
                self._checkin(worker)
                return outcome
        finally:
            self.admission.leave(ticket)
            self._top_up(graph)

    def prestart(self, graph: GraphRef) -> int:
        """Start the query processes for slots and spares now, loading ``graph`` in the background (a web process calls
        this before it takes requests, so that its first queries find them ready or nearly so; pages are served
        meanwhile); returns how many there are. A process that fails here is replaced by the first query, as any other."""
        self._top_up(graph)
        with self._lock:
            return len(self._idle)

    def worker_pids(self) -> list[int]:
        """Process ids of the idle workers (for tests and diagnostics)."""
        with self._lock:
            return [w.pid for w in self._idle if w.pid is not None]

    def close(self) -> None:
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.kill()

    def _checkout(self, graph: GraphRef) -> _Worker:
        """A worker for a query, counted busy from now on (in the same lock as the idle list, so that a concurrent
        top-up never sees the worker in neither and starts one too many)."""
        with self._lock:
            for worker in [w for w in self._idle if not w.alive()]:
                self._idle.remove(worker)
                worker.kill()  # died while idle (killed from outside, out of memory): just clean up
            ready = [w for w in self._idle if not w.loading or w.replied()]  # loaded, or its reply is waiting
            if ready or self._idle:
                # One holding the build already, if any: a pool shared with old releases need not reload each time.
                loaded = [w for w in ready if w.build_id == graph.build_id]
                worker = (loaded or ready or self._idle)[-1]
                self._idle.remove(worker)
                self._busy += 1
                return worker
            if self._ctx is None:
                self._ctx = _context()
            ctx = self._ctx
            self._busy += 1
        try:
            worker = _Worker(ctx, self.memory_limit_mb)
        except BaseException:
            self._release()
            raise
        worker.fresh = True
        return worker

    def _checkin(self, worker: _Worker) -> None:
        """Back from its query: idle again, no longer busy, in one step (see _checkout)."""
        with self._lock:
            self._busy -= 1
            self._idle.append(worker)

    def _release(self) -> None:
        with self._lock:
            self._busy -= 1

    def _top_up(self, graph: GraphRef) -> None:
        """Start loading processes until slots and spares are covered (they warm up in the background)."""
        while True:
            with self._lock:
                if len(self._idle) + self._busy + self._starting >= self.size + self.spares:
                    return
                if self._ctx is None:
                    self._ctx = _context()
                self._starting += 1  # counted before it exists: two top-ups at once must not both start one
            try:
                worker = _Worker(self._ctx, self.memory_limit_mb)
                worker.load(graph)
            except OSError:
                with self._lock:
                    self._starting -= 1
                return  # the next request starts one lazily
            with self._lock:
                self._starting -= 1
                self._idle.append(worker)
