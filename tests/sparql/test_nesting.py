"""Refuse, don't crash: Oxigraph parses and evaluates recursively, and deep enough queries overflow its stack.

Fuzzing the engine with generated queries (the grammar below, up to the 20,000-character limit) found these to crash
the default 8 MB stack: chains of operators (``1+1+…`` from about 6,900 links, ``!!…`` 9,300, ``1*1*…``), property
path sequences (``a/a/…``, 8,200), collections (``(1 2 3 …)``, 4,100 members: one bracket, no nesting in brackets),
nested ``EXISTS`` (830 levels), ``IF``/``COALESCE``/``TRIPLE`` (950), brackets (4,700); longer chains of
``UNION``/``OPTIONAL``/``MINUS`` too; and, once the grammar generated every query form, the resources of
``DESCRIBE <a> <b> …`` (2,600). The guard used to count brackets only. Now it counts every one of them
(server/sparql/guard.py: nesting), and the property below holds: whatever the guard accepts runs without crashing.
Sequences (``{} {} …``, ``BIND``/``VALUES``/``GRAPH``/``FILTER`` one after another, long triple lists) and projection
or template lists did not crash it up to the length limit; some are slow, which the query timeout bounds.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from server.sparql.guard import MAX_NESTING, Refused, inspect

MAX_LENGTH = 20000  # KG_MAX_QUERY_LENGTH's default
PROBE = Path(__file__).parents[1] / "support" / "engine_probe.py"
OWN = frozenset({"https://integration.region-hannover.example/catalog/dataset/wissensgraph"})

# What fuzzing found to crash the engine within the length limit (each about 10-20 KB).
CRASHERS = {
    "plus-chain": "SELECT * WHERE { BIND(" + "+".join(["1"] * 9000) + " AS ?x) }",
    "not-chain": "SELECT * WHERE { FILTER(" + "!" * 19900 + "true) }",
    "times-chain": "SELECT * WHERE { BIND(" + "*".join(["1"] * 9000) + " AS ?x) }",
    "path-sequence": "SELECT * WHERE { ?s " + "/".join(["a"] * 9900) + " ?o }",
    "collection": "SELECT * WHERE { ?s <http://example.org/p> (" + " 1" * 9900 + ") }",
    "nested-exists": "SELECT * WHERE { " + "FILTER EXISTS {" * 1200 + "}" * 1200 + " }",
    "nested-if": "SELECT * WHERE { BIND(" + "IF(true,1," * 1800 + "1" + ")" * 1800 + " AS ?x) }",
    "nested-triple": "SELECT * WHERE { BIND(" + "TRIPLE(" * 1600 + "1,1,1" + ",1,1)" * 1600 + " AS ?x) }",
    "describe-list": "PREFIX e: <http://e.org/> DESCRIBE" + " e:r" * 4900,
}
PROBE_CPU_SECONDS = 3.0  # a query still running after this much CPU time is slow, not crashing: the timeout bounds it


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # ended: its crash is read from its exit status
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Probe:
    """A long-lived engine process (engine_probe.py); restarted after a crash."""

    def __init__(self) -> None:
        self.process = self._start()

    @staticmethod
    def _start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, str(PROBE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def crashes(self, query: str) -> bool:
        """Whether the engine dies of the query; one still running after PROBE_CPU_SECONDS is stopped and is not
        (CPU time, not wall time: a loaded machine must not turn a crash into "slow")."""
        try:
            self.process.stdin.write(json.dumps(query) + "\n")
            self.process.stdin.flush()
            start = cpu_seconds(self.process.pid)
            while not select.select([self.process.stdout], [], [], 0.1)[0]:
                if cpu_seconds(self.process.pid) - start > PROBE_CPU_SECONDS:
                    answer = None
                    break
            else:
                answer = self.process.stdout.readline()
        except BrokenPipeError:
            answer = ""
        if answer:
            return False
        if answer is None:  # slow
            self.process.kill()
        self.process.wait(10)
        crashed = answer is not None and self.process.returncode != 0
        self.process = self._start()
        return crashed

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(10)


@pytest.fixture(scope="module")
def probe():
    engine = Probe()
    yield engine
    engine.close()


@pytest.mark.parametrize("name", sorted(CRASHERS))
def test_what_crashes_the_engine_is_refused(name, probe):
    query = CRASHERS[name]
    assert len(query) <= MAX_LENGTH
    assert probe.crashes(query), f"{name} no longer crashes the engine: the case is obsolete"
    with pytest.raises(Refused) as refused:
        inspect(query, OWN)
    assert refused.value.status == 400 and "verschachtelt" in refused.value.german


# The grammar: each step wraps what was built so far (an expression, a group pattern, a path or a collection) or
# puts something next to it, and may turn it into another kind. Long runs of one step make the chains that crashed
# the engine. The query form around it (below) brings its own lists: projections, templates, described resources.
STEPS = {
    "expr": [
        ("expr", lambda e: f"({e})"), ("expr", lambda e: f"{e} + 1"), ("expr", lambda e: f"{e} * 2"),
        ("expr", lambda e: f"!{e}"), ("expr", lambda e: f"{e} && true"), ("expr", lambda e: f"{e} || false"),
        ("expr", lambda e: f"{e} = 1"), ("expr", lambda e: f"IF({e}, 1, 0)"), ("expr", lambda e: f"COALESCE({e}, 1)"),
        ("expr", lambda e: f"STR({e})"), ("expr", lambda e: f"{e} IN (1, 2)"), ("expr", lambda e: f"TRIPLE(1, 1, {e})"),
        ("expr", lambda e: f"-{e}"), ("expr", lambda e: f"{e} / 2"), ("expr", lambda e: f"{e} < 1"),
        ("expr", lambda e: f"CONCAT({e}, 1)"), ("expr", lambda e: f"1 IN ({e}, {e})"),
        ("pattern", lambda e: f"FILTER({e})"), ("pattern", lambda e: f"BIND({e} AS ?b)"),
    ],
    "pattern": [
        ("pattern", lambda p: f"{{ {p} }}"), ("pattern", lambda p: f"{{ {p} }} UNION {{ }}"),
        ("pattern", lambda p: f"?s ?p ?o OPTIONAL {{ {p} }}"), ("pattern", lambda p: f"?s ?p ?o MINUS {{ {p} }}"),
        ("pattern", lambda p: f"{{ SELECT * WHERE {{ {p} }} }}"), ("pattern", lambda p: f"{p} ?s ?p ?o ."),
        ("pattern", lambda p: f"GRAPH ?g {{ {p} }}"), ("pattern", lambda p: f"{p} {{}}"),
        ("pattern", lambda p: f"{p} BIND(1 AS ?b{len(p)})"), ("pattern", lambda p: f"{p} VALUES ?v {{ 1 }}"),
        ("pattern", lambda p: f"{p} FILTER(true)"), ("pattern", lambda p: f"{p} GRAPH ?g {{}}"),
        ("pattern", lambda p: f"{p} [] a [] ."), ("pattern", lambda p: f"{p} ?s a 1, 2 ; a 3 ."),
        ("expr", lambda p: f"EXISTS {{ {p} }}"), ("expr", lambda p: f"NOT EXISTS {{ {p} }}"),
    ],
    "path": [
        ("path", lambda t: f"{t}/a"), ("path", lambda t: f"{t}|a"), ("path", lambda t: f"^{t}"),
        ("path", lambda t: f"({t})"), ("path", lambda t: f"({t})*"), ("path", lambda t: f"({t})?"),
        ("path", lambda t: f"{t}/!(a|^a)"), ("pattern", lambda t: f"?s {t} ?o"),
    ],
    "collection": [
        ("collection", lambda c: f"{c} 1"), ("collection", lambda c: f"({c})"), ("collection", lambda c: f"[ a {c} ]"),
        ("collection", lambda c: f"<< {c} a 1 >>"), ("collection", lambda c: f"[ a 1 ; a {c} ]"),
        ("pattern", lambda c: f"?s a ({c})"), ("pattern", lambda c: f"<< ?s a ({c}) >> a ?o"),
    ],
}
START = {"expr": "1", "pattern": "?s ?p ?o", "path": "a", "collection": "1"}
TO_PATTERN = {"expr": lambda e: f"FILTER({e})", "pattern": lambda p: p, "path": lambda t: f"?s {t} ?o",
              "collection": lambda c: f"?s a ({c})"}


REPEATS = [1, 2, 5, 20, 100, 190, 400, 1000, 3000]
# Query forms: (head, one list member, tail); the member repeated as often as drawn and as fits.
FORMS = [
    ("SELECT * WHERE {{ {p} }}", "", ""), ("ASK {{ {p} }}", "", ""),
    ("SELECT", " ?v", " WHERE {{ {p} }}"), ("SELECT", " (1 AS ?v{i})", " WHERE {{ {p} }}"),
    ("DESCRIBE", " <e:r>", " WHERE {{ {p} }}"), ("DESCRIBE", " ?v{i}", " WHERE {{ {p} }}"),
    ("PREFIX e: <http://e.org/> DESCRIBE", " e:r", ""),
    ("CONSTRUCT {{", " ?s ?p ?o{i} .", " }} WHERE {{ {p} }}"),
    ("SELECT * WHERE {{ {p} }} ORDER BY", " ?s", ""), ("SELECT ?s WHERE {{ {p} }} GROUP BY", " ?s", ""),
]


@st.composite
def deep_queries(draw) -> str:
    kind = draw(st.sampled_from(sorted(START)))
    built = START[kind]
    for _ in range(draw(st.integers(1, 12))):
        choice = draw(st.integers(0, len(STEPS[kind]) - 1))
        repeat = draw(st.sampled_from(REPEATS))
        next_kind, step = STEPS[kind][choice]
        for _ in range(repeat):
            grown = step(built)
            if len(grown) > MAX_LENGTH - 200:
                break
            built = grown
        kind = next_kind
    head, member, tail = draw(st.sampled_from(FORMS))
    pattern = TO_PATTERN[kind](built)
    query = head.format(p=pattern)
    end = tail.format(p=pattern)
    for i in range(draw(st.sampled_from(REPEATS)) if member else 0):
        grown = query + member.format(i=i)
        if len(grown) + len(end) > MAX_LENGTH:
            break
        query = grown
    return query + end


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(query=deep_queries())
def test_whatever_the_guard_accepts_runs_without_crashing_the_engine(query, probe):
    try:
        inspect(query, OWN)
    except Refused:
        event("refused")
        return
    event("accepted")
    assert not probe.crashes(query), f"the guard accepted a query that crashes the engine: {query[:300]}…"


def test_real_queries_are_far_below_the_limit():
    from server.sparql.examples import EXAMPLES
    from server.sparql.guard import _tokens, nesting

    base = "https://integration.region-hannover.example/"
    deepest = max(nesting(list(_tokens(example.query(base)))) for example in EXAMPLES)
    assert deepest < MAX_NESTING // 4, deepest


@pytest.mark.live
def test_the_endpoint_refuses_them_and_its_query_process_lives_on(built):
    """Each crash used to cost a 503 „memory limit“ and a full reload of the graph; now a 400 that says why."""
    from tests.support.processes import fetch, gunicorn_server

    with gunicorn_server(built, {"KG_QUERY_WORKERS": "1"}) as server:
        def post(query: str) -> tuple[int, str]:
            status, _, body = fetch(server.url + "sparql", data=query.encode(), content_type="application/sparql-query")
            return status, body.decode()

        assert post("ASK { ?s ?p ?o }")[0] == 200
        before = server.query_processes()
        for name, query in sorted(CRASHERS.items()):
            status, body = post(query)
            assert status == 400 and "nested too deeply" in body, (name, status, body[:200])
        assert post("ASK { ?s ?p ?o . }")[0] == 200
        assert set(before) <= set(server.query_processes()), "a query process died and was replaced"
