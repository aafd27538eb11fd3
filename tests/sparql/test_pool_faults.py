"""The query pool when its processes die at a chosen moment: who is to blame decides whether the query is retried.

A process killed from outside (SIGKILL) as its job arrives, or found dead before it got the job, is not the query's
fault: another process takes the job, at most two more in all, so a query that kills every process it touches (or a
machine that cannot start one) fails instead of looping. A process ended by its own limits (its alarm, an abort at
the memory cap) is the query's doing: no retry. A query stopped to let other clients run is refused as such (503,
Retry-After 5), and its client is charged the processor time its process used, not the wall time it waited.

The faults are real signals sent to real query processes (forkserver children), at the moment the pool hands them
the job: `Faults` wraps the pool's send of a job (never a load) and acts on the process before or after it.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from server.sparql import pool as pool_module
from server.sparql.admission import Limits, Stopped
from server.sparql.cpu_time import cpu_seconds
from server.sparql.pool import GraphRef, QueryPool, QueryTimeout, WorkerLost
from server.sparql.worker import Job

TRIPLES = 20
ASK = Job(query="ASK { ?s ?p ?o }", solutions_format="json", graph_format=None, max_rows=10, timeout=30,
          base_iri="http://example.org/")
# 20^6 = 64 million combinations: seconds of work for the engine, on any machine.
LONG = Job(query="SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z . ?d ?s ?w . ?e ?t ?v . ?f ?u ?k }",
           solutions_format="json", graph_format=None, max_rows=10, timeout=30, base_iri="http://example.org/")
BEFORE = "killed before it gets the job"
PAUSE = "stopped for a while holding the job"
_clients = itertools.count(1)


@pytest.fixture
def graph(tmp_path) -> GraphRef:
    path = tmp_path / "graph.nt"
    path.write_text("".join(f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n' for i in range(TRIPLES)),
                    encoding="ascii")
    return GraphRef(str(path), "b1", triples=TRIPLES)


@pytest.fixture
def make_pool():
    pools: list[QueryPool] = []

    def make(size: int = 1, spares: int = 0, share: float = 1000.0) -> QueryPool:
        pool = QueryPool(size, limits=Limits(slots=size, reserved=0, share=share, budget=1000, window=1e6),
                         spares=spares)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


def client() -> str:
    return f"198.51.100.{next(_clients)}"  # each test's queries charged to a client of their own


class Faults:
    """Acts on the query process each job is sent to, one planned fault per job in order (None: no fault; a job
    beyond the plan goes through): BEFORE kills it (SIGKILL) and waits until it is gone, so that the pool finds it
    dead as it sends the job; a signal number stops the process, hands it the job, sends the signal (SIGKILL, or one
    that ends it when it continues, as its own alarm or abort would) – the process holds the job but dies before it can
    answer; PAUSE holds the process stopped for `pause` seconds with the job, then lets it answer."""

    def __init__(self, monkeypatch, *plan, pause: float = 0.6) -> None:
        self.plan, self.pause = list(plan), pause
        self.jobs: list[tuple[int, bool]] = []  # (pid, started for this job) of every process a job was sent to
        send = pool_module._Worker._send

        def faulty_send(worker, message) -> None:
            if not isinstance(message, Job):
                return send(worker, message)
            fault = self.plan.pop(0) if self.plan else None
            self.jobs.append((worker.pid, worker.fresh))
            if fault is None:
                return send(worker, message)
            if fault == BEFORE:
                os.kill(worker.pid, signal.SIGKILL)
                # Gone once its end of the pipe is closed, i.e. its last thread has ended (the process may look
                # like a zombie in /proc while another thread of it still holds the pipe).
                wait_for(lambda: worker.conn.poll(0))
                return send(worker, message)
            os.kill(worker.pid, signal.SIGSTOP)
            wait_for(lambda: stopped(worker.pid))
            send(worker, message)
            if fault == PAUSE:
                time.sleep(self.pause)
            else:
                os.kill(worker.pid, fault)
            try:  # SIGKILL and SIGALRM end a stopped process at once, an abort when it continues; before it reads the job
                os.kill(worker.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass

        monkeypatch.setattr(pool_module._Worker, "_send", faulty_send)

    @property
    def pids(self) -> list[int]:
        return [pid for pid, _ in self.jobs]


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the query process did not change state in time"
        time.sleep(0.005)


def state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return "gone"
    return stat[stat.rfind(")") + 2]


def gone(pid: int) -> bool:
    return state(pid) in ("gone", "Z", "X")


def stopped(pid: int) -> bool:
    return state(pid) in ("T", "t")


def ready(pool: QueryPool, graph: GraphRef, processes: int) -> list[int]:
    """Start the pool's processes and have them loaded, so that none of them is new to the next query."""
    assert pool.prestart(graph) == processes
    for worker in list(pool._idle):
        worker.ensure(graph)
    return pool.worker_pids()


def answered(outcome) -> bool:
    return outcome is not None and outcome.error_kind is None and outcome.kind == "boolean" and b"true" in outcome.body


# ------------------------------------------------------------ killed from outside: another process takes the job

def test_a_process_killed_as_its_job_arrives_is_replaced_and_the_query_answered(graph, make_pool, monkeypatch):
    pool = make_pool()
    [first] = ready(pool, graph, 1)
    faults = Faults(monkeypatch, signal.SIGKILL)
    assert answered(pool.run(ASK, graph, wait=10, client=client()))
    assert faults.pids[0] == first and faults.pids[1] != first and len(faults.jobs) == 2
    assert gone(first)
    assert pool.worker_pids() == [faults.pids[1]]  # the one that answered stays ready, and no other was started


def test_killed_as_its_job_arrives_twice_the_third_process_answers(graph, make_pool, monkeypatch):
    pool = make_pool()
    ready(pool, graph, 1)
    faults = Faults(monkeypatch, signal.SIGKILL, signal.SIGKILL)
    assert answered(pool.run(ASK, graph, wait=10, client=client()))
    assert len(set(faults.pids)) == 3


def test_a_query_whose_processes_are_all_killed_fails_after_three_of_them(graph, make_pool, monkeypatch):
    pool = make_pool()
    ready(pool, graph, 1)
    faults = Faults(monkeypatch, *[signal.SIGKILL] * 3)  # a fourth process would answer
    with pytest.raises(WorkerLost) as failure:
        pool.run(ASK, graph, wait=10, client=client())
    assert failure.value.exitcode == -signal.SIGKILL  # read after the process was reaped, not "still running"
    assert len(faults.jobs) == 3 and len(set(faults.pids)) == 3
    assert len(pool.worker_pids()) == 1  # the pool is whole again for the next query
    assert answered(pool.run(ASK, graph, wait=10, client=client()))


def test_at_most_two_more_processes_in_all_whichever_way_they_die(graph, make_pool, monkeypatch):
    """Two killed as the job arrived use up the retries: a third that is dead before it gets the job fails the query."""
    pool = make_pool()
    ready(pool, graph, 1)
    faults = Faults(monkeypatch, signal.SIGKILL, signal.SIGKILL, BEFORE, BEFORE, BEFORE)
    with pytest.raises(WorkerLost):
        pool.run(ASK, graph, wait=10, client=client())
    assert len(faults.jobs) == 3


@pytest.mark.parametrize("own_end", [signal.SIGALRM, signal.SIGABRT], ids=["its alarm", "an abort"])
def test_a_process_ended_by_its_own_limits_is_not_retried(graph, make_pool, monkeypatch, own_end):
    pool = make_pool()
    ready(pool, graph, 1)
    faults = Faults(monkeypatch, own_end, own_end, own_end)
    with pytest.raises(WorkerLost) as failure:
        pool.run(ASK, graph, wait=10, client=client())
    assert failure.value.exitcode == -own_end
    assert len(faults.jobs) == 1  # the query ended its process: it does not get another one
    assert len(pool.worker_pids()) == 1


# ------------------------------------------------------------ dead before the job: skipped, a few times at most

def test_ready_processes_found_dead_before_their_job_are_skipped_however_many(graph, make_pool, monkeypatch):
    """Processes killed while idle are not the query's failures: with three ready and two of them dead, the third
    answers – no retry is used up."""
    pool = make_pool(spares=2)
    started = ready(pool, graph, 3)
    faults = Faults(monkeypatch, BEFORE, BEFORE)
    assert answered(pool.run(ASK, graph, wait=10, client=client()))
    assert len(faults.jobs) == 3 and set(faults.pids) == set(started)
    assert not any(fresh for _, fresh in faults.jobs)
    assert len(pool.worker_pids()) == 3  # topped up again to the slot and its two spares


def test_a_new_process_dead_before_its_job_is_replaced_once(graph, make_pool, monkeypatch):
    pool = make_pool()  # nothing started: the query starts its own process
    faults = Faults(monkeypatch, BEFORE)
    assert answered(pool.run(ASK, graph, wait=10, client=client()))
    assert [fresh for _, fresh in faults.jobs] == [True, True]


def test_new_processes_dead_before_their_job_twice_fail_the_query(graph, make_pool, monkeypatch):
    """If not even processes started for the job can take it (the machine cannot run them), the query fails."""
    pool = make_pool()
    faults = Faults(monkeypatch, *[BEFORE] * 5)
    with pytest.raises(WorkerLost):
        pool.run(ASK, graph, wait=10, client=client())
    assert len(faults.jobs) == 2


# ------------------------------------------------------------ the pool's own count of processes

def test_the_pool_keeps_slots_plus_spares_ready_after_answers_and_failures(graph, make_pool, monkeypatch):
    pool = make_pool(size=2, spares=1)
    ready(pool, graph, 3)
    for _ in range(3):
        assert answered(pool.run(ASK, graph, wait=10, client=client()))
        assert len(pool.worker_pids()) == 3
    Faults(monkeypatch, signal.SIGKILL, BEFORE)
    assert answered(pool.run(ASK, graph, wait=10, client=client()))
    assert len(pool.worker_pids()) == 3


# ------------------------------------------------------------ stopped, timed out, charged

def test_a_query_over_its_time_limit_is_killed_and_reported_as_a_timeout(graph, make_pool):
    pool = make_pool()
    [process] = ready(pool, graph, 1)
    short = replace(LONG, timeout=0.3)
    with pytest.raises(QueryTimeout):
        pool.run(short, graph, wait=10, client=client())
    wait_for(lambda: gone(process))
    assert len(pool.worker_pids()) == 1 and pool.worker_pids() != [process]


def test_a_query_stopped_for_another_client_is_refused_as_stopped_and_the_other_is_answered(graph, make_pool):
    """One slot; a long query has run past its share when a client with less use asks: the long one is stopped (its
    process killed), refused with Retry-After 5, not retried on another process; the short one is answered."""
    pool = make_pool(share=0.2)
    [process] = ready(pool, graph, 1)
    heavy, light = client(), client()
    result: dict[str, object] = {}

    def long_query() -> None:
        try:
            result["long"] = pool.run(LONG, graph, wait=10, client=heavy)
        except Exception as exc:  # noqa: BLE001 - the test looks at what it was
            result["long"] = exc

    thread = threading.Thread(target=long_query)
    idle_cpu = cpu_seconds(process)
    began = time.monotonic()
    thread.start()
    wait_for(lambda: (cpu_seconds(process) or 0) - idle_cpu > 0.3)  # the long query is at work, past its share
    assert answered(pool.run(ASK, graph, wait=20, client=light))
    thread.join(30)
    assert not thread.is_alive()
    assert isinstance(result["long"], Stopped), result["long"]
    assert result["long"].retry_after == 5
    assert time.monotonic() - began < 25  # stopped, not run to its end (or its 30-s limit) on a second process
    assert gone(process)


def test_the_client_is_charged_the_processor_time_of_its_query_not_the_time_it_waited(graph, make_pool, monkeypatch):
    pool = make_pool()
    ready(pool, graph, 1)
    Faults(monkeypatch, PAUSE, pause=0.6)  # the process holds the job 0.6 s without running (as on a busy machine)
    someone = client()
    began = time.monotonic()
    assert answered(pool.run(ASK, graph, wait=10, client=someone))
    assert time.monotonic() - began >= 0.6
    charged, _ = pool.admission.usage(someone)
    assert charged < 0.3, f"charged {charged:.2f} s for a query that used a few ms of processor time"


def test_top_ups_at_once_start_no_process_too_many(graph, make_pool):
    """Each finished query and the web process's start top the pool up; eight at once still leave slots plus
    spares, not more (a process being started counts before it exists)."""
    pool = make_pool(size=2, spares=1)
    threads = [threading.Thread(target=pool.prestart, args=(graph,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(pool.worker_pids()) == 3
    queries = [threading.Thread(target=pool.run, args=(ASK, graph, 10, client())) for _ in range(6)]
    for thread in queries:
        thread.start()
    for thread in queries:
        thread.join(60)
    assert len(pool.worker_pids()) == 3
