"""The admission policy on its own, with a clock the test moves: shares, order, reserve, preemption, queue."""

from __future__ import annotations

import threading
import time

import pytest

from server.sparql.admission import Admission, Busy, Limits, OverLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def started(admission: Admission, client: str, clock: Clock, seconds: float = 0.0):
    ticket = admission.enter(client, wait=0)
    admission.running(ticket, lambda: None)
    clock.now += seconds
    return ticket


def test_a_client_gets_429_beyond_its_concurrent_queries_and_its_query_seconds():
    clock = Clock()
    admission = Admission(Limits(slots=4, per_client=2, budget=10, window=60, reserved=0), clock)
    a, b = started(admission, "a", clock), started(admission, "a", clock)
    with pytest.raises(OverLimit):
        admission.enter("a", wait=0)
    admission.enter("b", wait=0)  # another client is not affected
    clock.now += 12
    admission.leave(a)
    admission.leave(b)  # 24 query-seconds used, budget 10
    with pytest.raises(OverLimit) as over:
        admission.enter("a", wait=0)
    assert over.value.retry_after >= 80  # drains at 10/60 per second: 14 over the budget takes 84 s
    clock.now += 90
    admission.enter("a", wait=0)


def test_clients_with_a_recent_long_query_leave_the_reserved_slot_to_others():
    clock = Clock()
    admission = Admission(Limits(slots=2, reserved=1, share=1.0), clock)
    admission.leave(started(admission, "runaway", clock, seconds=5))  # now heavy
    admission.leave(started(admission, "runaway2", clock, seconds=5))
    first = started(admission, "runaway", clock)
    with pytest.raises(Busy):
        admission.enter("runaway2", wait=0)  # the last free slot is reserved
    light = admission.enter("newcomer", wait=0)
    assert light.client == "newcomer"
    admission.leave(first)


def test_waiting_queries_start_by_their_clients_recent_use_not_by_arrival():
    admission = Admission(Limits(slots=1, reserved=0, share=100, queue=4))
    busy = admission.enter("hog", wait=0)
    admission.running(busy, lambda: None)
    time.sleep(0.3)
    admission.leave(busy)  # "hog" has used 0.3 s
    busy = admission.enter("other", wait=0)
    order: list[str] = []

    def waiter(client: str) -> None:
        ticket = admission.enter(client, wait=5)
        order.append(client)
        admission.leave(ticket)

    threads = [threading.Thread(target=waiter, args=(c,)) for c in ("hog", "fresh")]
    threads[0].start()
    time.sleep(0.1)  # "hog" arrives first
    threads[1].start()
    time.sleep(0.1)
    admission.leave(busy)
    for thread in threads:
        thread.join()
    assert order == ["fresh", "hog"]


def test_a_query_past_its_share_is_stopped_for_a_light_client_that_waits():
    admission = Admission(Limits(slots=1, reserved=0, share=0.2))
    stopped = threading.Event()
    runaway = admission.enter("runaway", wait=0)
    admission.running(runaway, stopped.set)

    def free_when_stopped() -> None:
        stopped.wait(5)
        admission.leave(runaway)

    threading.Thread(target=free_when_stopped).start()
    began = time.monotonic()
    ticket = admission.enter("light", wait=5)
    assert stopped.is_set() and runaway.stopped
    assert time.monotonic() - began < 2
    admission.leave(ticket)


def test_heavy_clients_do_not_stop_each_other():
    clock = Clock()
    admission = Admission(Limits(slots=1, reserved=0, share=0.1), clock)
    admission.leave(started(admission, "b", clock, seconds=1))  # b is heavy
    stops = []
    a = admission.enter("a", wait=0)
    admission.running(a, lambda: stops.append("a"))
    clock.now += 5
    with pytest.raises(Busy):
        admission.enter("b", wait=0)
    assert stops == []
    admission.leave(a)


def test_a_full_queue_turns_away_the_heaviest_waiter():
    clock = Clock()
    admission = Admission(Limits(slots=1, reserved=0, share=1, queue=1), clock)
    admission.leave(started(admission, "heavy", clock, seconds=3))
    running = started(admission, "x", clock)
    outcome: dict[str, str] = {}

    def wait_as(client: str) -> None:
        try:
            admission.leave(admission.enter(client, wait=3))
            outcome[client] = "ran"
        except Busy as exc:
            outcome[client] = exc.reason

    heavy = threading.Thread(target=wait_as, args=("heavy",))
    heavy.start()
    time.sleep(0.2)
    light = threading.Thread(target=wait_as, args=("light",))
    light.start()
    heavy.join()
    assert "turned away" in outcome["heavy"]
    admission.leave(running)
    light.join()
    assert outcome["light"] == "ran"


def test_a_query_is_charged_the_processor_time_its_process_used_not_the_time_it_waited_for_the_processor():
    clock = Clock()
    admission = Admission(Limits(slots=2, reserved=1, share=1.0, budget=10, timeout=10), clock)
    cpu = {"used": 0.0}
    ticket = admission.enter("ordinary", wait=0)
    admission.running(ticket, lambda: None, meter=lambda: cpu["used"])
    clock.now += 5  # a starved machine: five seconds on the clock ...
    cpu["used"] = 0.02  # ... for 20 ms of processor time
    admission.settle(ticket)
    cpu["used"] = 3.0  # the process has gone on to other work: not this query's
    admission.leave(ticket)
    assert not admission.usage("ordinary")[1]
    assert admission.usage("ordinary") == (pytest.approx(0.02), False)
    # A client that is not heavy may take the reserved slot while a heavy one holds the other.
    admission.leave(started(admission, "runaway", clock, seconds=3))
    hog = started(admission, "runaway", clock)
    admission.enter("ordinary", wait=0)
    admission.leave(hog)


def test_a_query_that_hits_the_time_limit_makes_its_client_heavy_whatever_it_cost():
    clock = Clock()
    admission = Admission(Limits(slots=2, reserved=1, share=1.0, timeout=4), clock)
    ticket = admission.enter("runaway", wait=0)
    admission.running(ticket, lambda: None, meter=lambda: 0.3)  # starved: 0.3 s of processor time in 4 s
    clock.now += 4
    admission.settle(ticket)
    admission.leave(ticket)
    assert admission.usage("runaway")[1]


def test_a_starved_query_is_not_stopped_for_a_waiter_with_as_little_use_but_one_that_used_more_is():
    clock = Clock()
    admission = Admission(Limits(slots=1, reserved=0, share=0.5, queue=4), clock)
    stops: list[str] = []
    cpu = {"used": 0.01}
    slow = admission.enter("starved", wait=0)
    admission.running(slow, lambda: stops.append("starved"), meter=lambda: cpu["used"])
    clock.now += 30  # long in its slot, little processor time: its client has used no more than the waiter
    with pytest.raises(Busy):
        admission.enter("waiter", wait=0)
    assert stops == []
    cpu["used"] = 0.6  # it has used more than its share: it gives way
    with pytest.raises(Busy):
        admission.enter("waiter2", wait=0)
    assert stops == ["starved"]
    admission.leave(slow)
    assert admission.usage("starved")[1]  # stopped for others: it may not take the reserved slots for a window

