"""Fairness between clients (real gunicorn): runaway clients get 429/503 while other clients keep their share.

Clients are told apart by address: each test client sends from its own loopback address (127.0.x.y), or through a
trusted proxy that names it in X-Forwarded-For.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
import urllib.parse
from collections import Counter

import pytest

from tests.support.processes import QUERY_PROCESS, descendants, gunicorn_server, name, serving_process, wait_for

pytestmark = pytest.mark.live  # real gunicorn processes

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
NORMAL = "PREFIX ik: <https://integration.region-hannover.example/def/ik#> SELECT (COUNT(?m) AS ?n) WHERE {{ ?m a ik:Massnahme }} # {}"


def request(root: str, path: str, source: str, headers: dict | None = None, timeout: float = 60) -> tuple[int, float]:
    host, port = urllib.parse.urlsplit(root).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=min(timeout, 20), source_address=(source, 0))
    began = time.monotonic()
    try:
        conn.request("GET", path, headers={"Accept": "application/sparql-results+json", **(headers or {})})
        response = conn.getresponse()
        body = response.read()
        if response.status == 200 and path.startswith("/sparql"):
            json.loads(body)
        return response.status, time.monotonic() - began
    finally:
        conn.close()


def sparql(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def test_twenty_runaway_clients_do_not_starve_the_others(built):
    """Before: 20 clients sending runaway queries took every slot, and 13 of 13 normal queries got 503.

    The attack is under way when the normal clients come (clients that arrive in the very same second as a swarm of
    new ones cannot be told apart: nothing is known about any of them before their queries have run).
    """
    timeout = 3.0
    env = {"KG_QUERY_TIMEOUT": str(timeout), "KG_QUERY_WORKERS": "2"}
    results: dict[str, list[tuple[int, float]]] = {"runaway": [], "normal": [], "page": []}
    lock = threading.Lock()
    with gunicorn_server(built, env, threads=32) as server:
        request(server.url, sparql("ASK {}"), "127.0.0.1")  # the query processes are up
        attack_until = time.monotonic() + 15
        until = attack_until - 1

        def runaway(i: int) -> None:
            while time.monotonic() < attack_until:
                answer = request(server.url, sparql(RUNAWAY), f"127.0.1.{i}")
                with lock:
                    results["runaway"].append(answer)

        def normal(i: int) -> None:
            n = 0
            while time.monotonic() < until:
                n += 1
                query_answer = request(server.url, sparql(NORMAL.format(f"{i}-{n}")), f"127.0.2.{i}")
                page_answer = request(server.url, f"/doc/massnahme/{n % 129 + 1}", f"127.0.2.{i}", {"Accept": "text/html"})
                with lock:
                    results["normal"].append(query_answer)
                    results["page"].append(page_answer)
                time.sleep(0.2)

        attackers = [threading.Thread(target=runaway, args=(i,)) for i in range(1, 21)]
        for thread in attackers:
            thread.start()
        time.sleep(4)
        others = [threading.Thread(target=normal, args=(i,)) for i in range(1, 5)]
        for thread in others:
            thread.start()
        for thread in attackers + others:
            thread.join()
    statuses = {kind: Counter(status for status, _ in answers) for kind, answers in results.items()}
    slowest = {kind: round(max(seconds for _, seconds in answers), 2) for kind, answers in results.items()}
    assert statuses["normal"] == {200: len(results["normal"])} and len(results["normal"]) >= 8, (statuses, slowest)
    assert statuses["page"] == {200: len(results["page"])}, statuses
    assert set(statuses["runaway"]) <= {429, 503} and len(results["runaway"]) >= 20, statuses
    assert slowest["runaway"] < timeout + 6 and slowest["normal"] < 6, slowest  # a query waits for a runaway's share at most


def test_clients_behind_a_trusted_proxy_are_told_apart_by_x_forwarded_for_and_only_then(built):
    env = {"KG_QUERY_TIMEOUT": "4", "KG_QUERY_WORKERS": "2", "KG_CLIENT_QUERIES": "1", "KG_QUERY_RESERVED": "0",
           "KG_TRUSTED_PROXIES": "127.0.0.1"}
    with gunicorn_server(built, env, threads=8) as server:
        request(server.url, sparql("ASK {}"), "127.0.0.1")

        def hold(source: str, forwarded: str | None) -> threading.Thread:
            headers = {"X-Forwarded-For": forwarded} if forwarded else {}
            thread = threading.Thread(target=request, args=(server.url, sparql(RUNAWAY), source, headers))
            thread.start()
            time.sleep(0.5)
            return thread

        # Through the trusted proxy: client 198.51.100.1 has its one query running, 198.51.100.2 still gets its own.
        first = hold("127.0.0.1", "198.51.100.1")
        assert request(server.url, sparql(NORMAL.format("a")), "127.0.0.1", {"X-Forwarded-For": "198.51.100.1"})[0] == 429
        assert request(server.url, sparql(NORMAL.format("b")), "127.0.0.1", {"X-Forwarded-For": "198.51.100.2"})[0] == 200
        first.join()
        # From an untrusted peer the header is ignored: both requests are that peer's own.
        second = hold("127.0.3.1", "198.51.100.3")
        assert request(server.url, sparql(NORMAL.format("c")), "127.0.3.1", {"X-Forwarded-For": "198.51.100.4"})[0] == 429
        second.join()


class Starver:
    """CPU starvation of the query processes, made exact: they are stopped (SIGSTOP) most of the time and let run
    (SIGCONT) for brief moments – what a machine busy with other work does to them, without depending on how busy this
    machine happens to be. A query then takes far longer in wall time than the processor time it needs."""

    def __init__(self, server, stopped: float = 0.5, running: float = 0.02) -> None:
        self.server, self.stopped, self.running = server, stopped, running
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop)

    def __enter__(self) -> Starver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()

    def _signal(self, pids: list[int], sig: int) -> None:
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def _loop(self) -> None:
        while not self.done.is_set():
            pids = self.server.query_processes()
            self._signal(pids, signal.SIGSTOP)
            self.done.wait(self.stopped)
            self._signal(pids, signal.SIGCONT)
            time.sleep(self.running)
        self._signal(self.server.query_processes(), signal.SIGCONT)


def test_normal_clients_keep_their_share_when_the_query_processes_are_starved_of_cpu(built):
    """Before: admission judged a client by the wall time of its queries, so on a CPU-starved machine an ordinary query
    that waited for the processor made its client „heavy“: it lost the reserved slot and queued behind runaway queries
    (heavy clients do not stop each other's) until it got 503. Now a query is charged the processor time its process
    used; the hard time limit stays wall time."""
    share = 0.2
    env = {"KG_QUERY_TIMEOUT": "8", "KG_QUERY_WORKERS": "2", "KG_QUERY_SHARE": str(share), "KG_QUERY_CACHE_MB": "0"}
    results: dict[str, list[tuple[int, float]]] = {"runaway": [], "normal": []}
    lock = threading.Lock()
    with gunicorn_server(built, env, threads=16) as server:
        request(server.url, sparql("ASK {}"), "127.0.0.1")  # the query processes are up
        done = threading.Event()

        def send(kind: str, source: str, query: str) -> None:
            answer = request(server.url, sparql(query), source)
            with lock:
                results[kind].append(answer)

        def runaway(i: int) -> None:
            while not done.is_set():
                send("runaway", f"127.0.1.{i}", RUNAWAY)

        def normal(i: int) -> None:
            until = time.monotonic() + 12
            n = 0
            while time.monotonic() < until:
                n += 1
                send("normal", f"127.0.2.{i}", NORMAL.format(f"{i}-{n}"))
                time.sleep(0.1)

        with Starver(server, stopped=0.3, running=0.05):
            attackers = [threading.Thread(target=runaway, args=(i,)) for i in (1, 2)]
            for thread in attackers:
                thread.start()
            time.sleep(3)  # the attack is under way when people come
            others = [threading.Thread(target=normal, args=(i,)) for i in range(1, 5)]
            for thread in others:
                thread.start()
            for thread in others:
                thread.join()
            done.set()
            for thread in attackers:
                thread.join()
    statuses = {kind: Counter(status for status, _ in answers) for kind, answers in results.items()}
    slow = sum(seconds > share for _, seconds in results["normal"])
    assert slow >= 10, f"the starvation worked: {slow} of {len(results['normal'])} queries took longer than {share} s"
    assert statuses["normal"] == {200: len(results["normal"])}, statuses
    assert set(statuses["runaway"]) <= {429, 503}, statuses


def connections_to_each_worker(server, source: str, seconds: float = 120) -> dict[int, http.client.HTTPConnection]:
    """One open connection from ``source`` to each web process of the server (which one accepts is the kernel's
    choice, and on a loaded machine one process may win many times in a row: connect until every process has one)."""
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    found: dict[int, http.client.HTTPConnection] = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)  # let the other process's accept loop come round
        conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
        conn.request("GET", "/dumps/index.json")
        conn.getresponse().read()
        pid = serving_process(server, conn)
        if pid is not None and pid not in found:
            found[pid] = conn
        else:
            conn.close()
        if len(found) == len(server.web_workers()):
            break
    return found


def _cpu_ticks(pid: int) -> int:
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return 0


def computing(web: int, window: float = 0.3) -> bool:
    """Whether one of the query processes of web process ``web`` is running a query (used CPU over ``window``)."""
    pids = [pid for pid in descendants(web) if name(pid) == QUERY_PROCESS]
    before = {pid: _cpu_ticks(pid) for pid in pids}
    time.sleep(window)
    return any(_cpu_ticks(pid) - before[pid] >= 5 for pid in pids)


def ask(conn: http.client.HTTPConnection, query: str) -> int:
    conn.request("GET", sparql(query), headers={"Accept": "application/sparql-results+json"})
    response = conn.getresponse()
    response.read()
    return response.status


def test_a_clients_limits_hold_across_the_web_processes_of_one_server(built):
    """Before: each gunicorn web process counted a client on its own, so with two processes a client had twice its
    concurrent queries and twice its query-seconds. Now one table shared by the processes counts it."""
    env = {"KG_QUERY_TIMEOUT": "3", "KG_QUERY_WORKERS": "2", "KG_CLIENT_QUERIES": "1", "KG_QUERY_RESERVED": "0",
           "KG_CLIENT_QUERY_SECONDS": "0.25", "KG_CLIENT_WINDOW": "3600", "KG_QUERY_CACHE_MB": "0"}
    with gunicorn_server(built, env, workers=2, threads=8) as server:
        assert wait_for(lambda: len(server.web_workers()) == 2, 30)
        mine = connections_to_each_worker(server, "127.0.5.1")
        assert len(mine) == 2, "a connection to each of the two web processes"
        (first, a), (second, b) = mine.items()
        other = connections_to_each_worker(server, "127.0.5.2")[second]
        assert ask(other, "ASK {}") == 200  # the query processes of the second web process are up

        runaway = threading.Thread(target=ask, args=(a, RUNAWAY))
        runaway.start()
        # Admitted once a query process of the first web process burns CPU (they are started with the web process,
        # so being there says nothing): the client's one query.
        assert wait_for(lambda: computing(first), 60)
        # The client's one query runs in the first process: the second refuses it more (429), each refusal costs
        # 0.1 query-seconds, and another client is not affected.
        assert [ask(b, NORMAL.format(n)) for n in range(3)] == [429, 429, 429]
        assert ask(other, NORMAL.format("other")) == 200
        runaway.join()
        # 0.3 query-seconds of refusals in the second process (and the runaway's time): the first one sees the budget
        # of 0.25 used up, though nothing of this client runs any more.
        assert ask(a, NORMAL.format("after")) == 429
        assert ask(other, NORMAL.format("other, after")) == 200


def outcome(conn: http.client.HTTPConnection, query: str) -> str:
    """What became of a query: "answered", "time limit" (it ran, and was stopped at KG_QUERY_TIMEOUT) or "busy" (no
    slot became free for it within KG_QUERY_QUEUE_WAIT), from the status and the English line of the refusal."""
    conn.request("GET", sparql(query), headers={"Accept": "text/csv"})  # refusals in text/plain, both languages
    response = conn.getresponse()
    text = response.read().decode()
    if response.status == 200:
        return "answered"
    if response.status == 503 and "exceeded the time limit" in text:
        return "time limit"
    if response.status == 503 and "busy with other queries" in text:
        return "busy"
    return f"{response.status} {text}"


def test_at_most_kg_query_workers_queries_run_at_once_in_the_whole_server_not_per_web_process(built):
    """Before: each web process had KG_QUERY_WORKERS slots of its own, so with --workers 2 a server evaluated twice as
    many queries at once as configured. Now the slots are the server's: of four runaway queries sent at once, two to
    each web process, two run (until the time limit) and two find no slot (503 busy)."""
    env = {"KG_QUERY_TIMEOUT": "6", "KG_QUERY_WORKERS": "2", "KG_QUERY_QUEUE_WAIT": "2", "KG_QUERY_SHARE": "100",
           "KG_QUERY_RESERVED": "0", "KG_CLIENT_QUERIES": "4", "KG_QUERY_CACHE_MB": "0"}
    with gunicorn_server(built, env, workers=2, threads=8) as server:
        assert wait_for(lambda: len(server.web_workers()) == 2, 30)
        first, second = connections_to_each_worker(server, "127.0.6.1"), connections_to_each_worker(server, "127.0.6.1")
        assert len(first) == len(second) == 2, "two connections to each of the two web processes"
        conns = [*first.values(), *second.values()]
        assert [outcome(conn, "ASK {}") for conn in conns] == ["answered"] * 4  # both processes' query processes are up
        results: list[str] = []
        threads = [threading.Thread(target=lambda c=conn: results.append(outcome(c, RUNAWAY))) for conn in conns]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert Counter(results) == {"time limit": 2, "busy": 2}, results


def test_a_killed_web_process_leaves_no_query_slot_taken(built):
    """The slots of the queries a web process was running are free again once it is gone (SIGKILL: it cleans up
    nothing; its query processes die with it)."""
    env = {"KG_QUERY_TIMEOUT": "60", "KG_QUERY_WORKERS": "2", "KG_QUERY_QUEUE_WAIT": "1", "KG_QUERY_SHARE": "100",
           "KG_QUERY_RESERVED": "0", "KG_CLIENT_QUERIES": "4", "KG_QUERY_CACHE_MB": "0"}
    with gunicorn_server(built, env, workers=2, threads=8) as server:
        assert wait_for(lambda: len(server.web_workers()) == 2, 30)
        first, second = connections_to_each_worker(server, "127.0.6.2"), connections_to_each_worker(server, "127.0.6.2")
        assert len(first) == len(second) == 2
        (doomed, a1), (survivor, b) = first.items()
        a2 = second[doomed]
        assert outcome(a1, "ASK {}") == outcome(b, "ASK {}") == "answered"

        def runaway(conn: http.client.HTTPConnection) -> None:
            try:
                outcome(conn, RUNAWAY)
            except (OSError, http.client.HTTPException):
                pass  # its web process is killed under it

        for conn in (a1, a2):
            threading.Thread(target=runaway, args=(conn,), daemon=True).start()
        probes = iter(range(10_000))
        # Both slots taken by the first process's runaways: the other process finds none.
        assert wait_for(lambda: outcome(b, NORMAL.format(next(probes))) == "busy", 60, step=0.2)
        b.request("GET", "/doc/massnahme/5", headers={"Accept": "text/html"})
        assert b.getresponse().read() and True  # pages are answered meanwhile
        os.kill(doomed, signal.SIGKILL)
        assert wait_for(lambda: outcome(b, NORMAL.format(next(probes))) == "answered", 30, step=0.2)
        assert survivor in server.web_workers()
