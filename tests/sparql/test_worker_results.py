"""The query process's limits on their own: the row and byte caps of every result format (the answer read back
with the format's own parser), the TSV header, XML's character check, and the memory cap in a process of its own.
No web process and no build: a small store made here, so the exact boundaries can be tried."""

from __future__ import annotations

import csv
import io
import json
import pickle
import subprocess
import sys
import textwrap

import pyoxigraph as ox
import pytest

from server.formats import GRAPH_FORMATS, SOLUTION_FORMATS
from server.sparql.worker import HTML, Job, execute

EX = "http://example.org/"
BASE = "https://integration.region-hannover.example/"  # relative prefixes (id/, def/ik#) need a base, as in the app
ROWS = 7
SELECT = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    for i in range(ROWS):
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(f"Wert {i} " + "x" * 40)))
    return store


def solutions(store, fmt: str, max_rows: int = 100, max_bytes: int = 1 << 20, query: str = SELECT):
    outcome = execute(store, Job(base_iri=BASE, query=query, solutions_format=fmt, graph_format=None, max_rows=max_rows,
                                 max_bytes=max_bytes))
    assert outcome.error is None, outcome.error
    if fmt == HTML:
        return outcome, json.loads(outcome.table)["rows"]
    if fmt == "csv":
        return outcome, list(csv.reader(io.StringIO(outcome.body.decode(), newline="")))[1:]
    return outcome, list(ox.parse_query_results(outcome.body, SOLUTION_FORMATS[fmt].oxigraph))


def triples(store, fmt: str, max_rows: int = 100, max_bytes: int = 1 << 20):
    outcome = execute(store, Job(base_iri=BASE, query=CONSTRUCT, solutions_format=None, graph_format=fmt, max_rows=max_rows,
                                 max_bytes=max_bytes))
    assert outcome.error is None, outcome.error
    if fmt == HTML:
        return outcome, json.loads(outcome.table)["rows"]
    return outcome, list(ox.parse(outcome.body, format=GRAPH_FORMATS[fmt].oxigraph))


@pytest.mark.parametrize("fmt", [*SOLUTION_FORMATS, HTML])
def test_solutions_exactly_at_the_row_cap_are_whole_and_not_truncated(store, fmt):
    outcome, rows = solutions(store, fmt, max_rows=ROWS)
    assert (len(rows), outcome.rows, outcome.truncated, outcome.cut) == (ROWS, ROWS, False, None)
    assert outcome.format == fmt and outcome.kind == "solutions"


@pytest.mark.parametrize("fmt", [*SOLUTION_FORMATS, HTML])
def test_solutions_one_over_the_row_cap_are_cut_to_it_and_say_so(store, fmt):
    outcome, rows = solutions(store, fmt, max_rows=ROWS - 1)
    assert (len(rows), outcome.rows, outcome.truncated, outcome.cut) == (ROWS - 1, ROWS - 1, True, "rows")


@pytest.mark.parametrize("fmt", list(SOLUTION_FORMATS))
def test_solutions_over_the_byte_cap_keep_whole_rows_that_fit_and_say_bytes(store, fmt):
    full, _ = solutions(store, fmt)
    outcome, rows = solutions(store, fmt, max_bytes=len(full.body) // 2)
    assert 0 < len(rows) == outcome.rows < ROWS and len(outcome.body) <= len(full.body) // 2
    assert (outcome.truncated, outcome.cut) == (True, "bytes")
    exact, _ = solutions(store, fmt, max_bytes=len(full.body))
    assert (exact.rows, exact.truncated, exact.cut, exact.body) == (ROWS, False, None, full.body)


@pytest.mark.parametrize("fmt", [*GRAPH_FORMATS, HTML])
def test_triples_at_and_over_the_row_cap(store, fmt):
    outcome, found = triples(store, fmt, max_rows=ROWS)
    assert (len(found), outcome.rows, outcome.truncated, outcome.cut) == (ROWS, ROWS, False, None)
    outcome, found = triples(store, fmt, max_rows=ROWS - 1)
    assert (len(found), outcome.rows, outcome.truncated, outcome.cut) == (ROWS - 1, ROWS - 1, True, "rows")


@pytest.mark.parametrize("fmt", list(GRAPH_FORMATS))
def test_triples_over_the_byte_cap_keep_whole_triples_and_say_bytes(store, fmt):
    full, _ = triples(store, fmt)
    outcome, found = triples(store, fmt, max_bytes=len(full.body) * 2 // 3)
    assert 0 < len(found) == outcome.rows < ROWS and len(outcome.body) <= len(full.body) * 2 // 3
    assert (outcome.truncated, outcome.cut) == (True, "bytes")


def test_the_html_table_is_cut_in_bytes_too(store):
    full, rows = solutions(store, HTML)
    outcome, kept = solutions(store, HTML, max_bytes=3 * 600)  # each row: two cells of ~400 bytes markup each
    assert 0 < len(kept) == outcome.rows < ROWS and kept == rows[:len(kept)]
    assert (outcome.truncated, outcome.cut) == (True, "bytes")


FORMULA = 'SELECT ?t ?n WHERE { VALUES (?t ?n) { ("=HYPERLINK(1)" -5) ("harmlos" 2) } }'


def test_tsv_keeps_its_header_and_every_row_and_neutralises_formulas_in_the_rows(store):
    outcome = execute(store, Job(base_iri=BASE, query=FORMULA, solutions_format="tsv", graph_format=None, max_rows=10))
    lines = outcome.body.decode().rstrip("\n").split("\n")
    assert lines == ["?t\t?n", "\"'=HYPERLINK(1)\"\t-5", '"harmlos"\t2']


def test_csv_neutralises_formulas_but_not_numbers(store):
    outcome = execute(store, Job(base_iri=BASE, query=FORMULA, solutions_format="csv", graph_format=None, max_rows=10))
    assert list(csv.reader(io.StringIO(outcome.body.decode(), newline=""))) == [
        ["t", "n"], ["'=HYPERLINK(1)", "-5"], ["harmlos", "2"]]


CONTROL = 'SELECT ?t WHERE { BIND("a\\u0001b" AS ?t) }'


@pytest.mark.parametrize("fmt,readable", [("json", True), ("csv", True), ("tsv", True), ("xml", False)])
def test_only_xml_refuses_a_character_xml_cannot_carry(store, fmt, readable):
    outcome = execute(store, Job(base_iri=BASE, query=CONTROL, solutions_format=fmt, graph_format=None, max_rows=10))
    assert (outcome.error_kind is None) is readable, outcome.error


def test_a_result_form_the_client_accepts_no_format_for_is_refused_as_format(store):
    for query, job in [(SELECT, dict(solutions_format=None, graph_format="ttl")),
                       (CONSTRUCT, dict(solutions_format="json", graph_format=None))]:
        outcome = execute(store, Job(base_iri=BASE, query=query, max_rows=10, **job))
        assert outcome.error_kind == "format" and outcome.body == b""


# ------------------------------------------------------------------ the memory cap, in a process of its own

PROBE = textwrap.dedent("""
    import resource, sys
    from server.sparql.worker import memory_cap

    cap, hard_extra, size_mb = (int(a) for a in sys.argv[1:])
    if hard_extra:  # a finite hard limit above what the process uses now
        from server.sparql.worker import _address_space
        limit = _address_space() + hard_extra * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    before = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with memory_cap(cap):
            try:
                block = bytearray(size_mb * 2**20)
                print("allocated", end=" ")
                del block
            except MemoryError:
                print("refused", end=" ")
    except ValueError as exc:
        print("error", exc, end=" ")
    print("restored" if resource.getrlimit(resource.RLIMIT_AS) == before else "changed")
""")


def probe(cap: int, size_mb: int, hard_extra: int = 0) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, str(cap), str(hard_extra), str(size_mb)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("cap,size_mb,expected", [
    (64, 16, "allocated restored"),    # well inside the cap
    (64, 256, "refused restored"),     # beyond it: this allocation fails, the process lives on
    (1, 16, "refused restored"),       # a cap of 1 MB is a cap
    (0, 256, "allocated restored"),    # 0: no cap at all
    (-1, 256, "allocated restored"),   # nor below 0
])
def test_the_memory_cap_limits_only_what_is_allocated_inside_it(cap, size_mb, expected):
    assert probe(cap, size_mb) == expected


def test_the_memory_cap_never_exceeds_a_hard_limit_already_set():
    assert probe(1024, 16, hard_extra=128) == "allocated restored"  # cap clipped to the hard limit, not an error
    assert probe(1024, 256, hard_extra=128) == "refused restored"


# ------------------------------------------------------------------ as the web process sends a job, and more rows

@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_the_job_as_it_arrives_through_the_pipe_gets_the_same_neutralised_table(store, fmt):
    """The worker receives the job unpickled (its format name a fresh string, not the literal in the code)."""
    job = Job(base_iri=BASE, query=FORMULA, solutions_format=fmt, graph_format=None, max_rows=10)
    received = pickle.loads(pickle.dumps(job))
    assert received.solutions_format == fmt
    assert execute(store, received).body == execute(store, job).body
    assert "'=HYPERLINK(1)" in execute(store, received).body.decode()


@pytest.fixture(scope="module")
def large() -> ox.Store:
    store = ox.Store()
    for i in range(300):  # more than CPython's small integers, which `is` would find equal by accident
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{i:03}"), ox.NamedNode(f"{EX}p"), ox.Literal(str(i))))
    return store


@pytest.mark.parametrize("fmt", ["json", "tsv"])
def test_300_solutions_within_both_caps_are_whole(large, fmt):
    outcome, rows = solutions(large, fmt, max_rows=1000)
    assert (len(rows), outcome.rows, outcome.truncated, outcome.cut) == (300, 300, False, None)


@pytest.mark.parametrize("fmt", ["nt", HTML])
def test_triples_below_the_row_cap_and_300_within_both_caps_are_whole(store, large, fmt):
    outcome, found = triples(store, fmt, max_rows=ROWS + 1)
    assert (len(found), outcome.rows, outcome.truncated, outcome.cut) == (ROWS, ROWS, False, None)
    outcome, found = triples(large, fmt, max_rows=1000)
    assert (len(found), outcome.rows, outcome.truncated, outcome.cut) == (300, 300, False, None)


EXTRA = textwrap.dedent("""
    import resource
    from server.sparql.worker import _address_space, memory_cap

    base = _address_space()
    with memory_cap(1024):
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    print(soft - base)
""")


def test_the_memory_cap_is_the_address_space_at_its_start_plus_exactly_the_megabytes_given():
    done = subprocess.run([sys.executable, "-c", EXTRA], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert abs(int(done.stdout) - 1024 * 2**20) < 2**18  # within 256 KiB: one allocation between the two readings


@pytest.mark.parametrize("kind", ["solutions", "triples"])
def test_a_row_cap_of_0_returns_no_rows_and_says_it_cut_them(store, kind):
    outcome, found = (solutions if kind == "solutions" else triples)(store, "json" if kind == "solutions" else "nt",
                                                                       max_rows=0)
    assert (len(found), outcome.rows, outcome.truncated, outcome.cut) == (0, 0, True, "rows")


CONTROL_GRAPH = 'CONSTRUCT { <http://example.org/s> <http://example.org/p> ?v } WHERE { BIND("a\\u0001b" AS ?v) }'


@pytest.mark.parametrize("fmt,readable", [("ttl", True), ("nt", True), ("jsonld", True), ("rdf", False)])
def test_only_rdf_xml_refuses_a_triple_xml_cannot_carry(store, fmt, readable):
    outcome = execute(store, Job(base_iri=BASE, query=CONTROL_GRAPH, solutions_format=None, graph_format=fmt, max_rows=10))
    assert (outcome.error_kind is None) is readable, outcome.error
    if readable:
        [triple] = ox.parse(outcome.body, format=GRAPH_FORMATS[fmt].oxigraph)
        assert triple.object.value == "a\u0001b"


def test_a_turtle_answer_is_written_with_the_jobs_prefixes(store):
    job = Job(base_iri=BASE, query=CONSTRUCT, solutions_format=None, graph_format="ttl", max_rows=100,
              prefixes={"ex": EX})
    body = execute(store, job).body.decode()
    assert "@prefix ex: <http://example.org/> ." in body and "ex:s0" in body and f"<{EX}s0>" not in body
