"""A query on an old release (/release/NAME/sparql) runs in the current site's query processes; when one of them has to
load that release's graph for it, the load is the client's work like the query itself (before: the load was free, so
a client asking old releases in turn made the server reload graphs at no cost to itself)."""

from __future__ import annotations

from pathlib import Path

from server.app import create_app
from server.sparql.admission import Limits
from server.sparql.cpu_time import cpu_seconds
from server.sparql.pool import GraphRef, QueryPool
from server.sparql.worker import Job

ASK = Job(query="ASK { ?s ?p ?o }", solutions_format="json", graph_format=None, max_rows=10, timeout=60,
          base_iri="http://example.org/")
BIG = 400_000  # triples: parsing them costs every machine many 10-ms CPU ticks


def graph_file(directory: Path, triples: int) -> Path:
    directory.mkdir()
    path = directory / "graph.nt"
    with open(path, "w", encoding="ascii") as out:
        out.writelines(f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n' for i in range(triples))
    return path


def test_loading_an_old_release_for_a_query_is_charged_to_its_client_as_cpu_time(tmp_path):
    current = GraphRef(str(graph_file(tmp_path / "current", 10)), "current", triples=10)
    old = GraphRef(str(graph_file(tmp_path / "old", BIG)), "old", triples=BIG, release="2020")
    # One query process, no spare: the old release's query must load it into the process that holds the current build.
    pool = QueryPool(1, limits=Limits(slots=1, reserved=0, share=1000, budget=1000, window=1e6), spares=0)
    try:
        assert pool.run(ASK, current, wait=60, client="198.51.100.1").error_kind is None
        [process] = pool.worker_pids()
        before = cpu_seconds(process)
        assert pool.run(ASK, old, wait=60, client="198.51.100.2").error_kind is None  # loads release 2020
        spent = cpu_seconds(process) - before
        charged, _ = pool.admission.usage("198.51.100.2")
        assert spent >= 0.05, f"the load cost {spent:.2f} s of CPU: too little to tell"
        assert charged >= spent - 0.03, f"charged {charged:.2f} s for a load and query that took {spent:.2f} s of CPU"
        # The same query again finds the release loaded: only the query is charged, a few ticks at most.
        assert pool.run(ASK, old, wait=60, client="198.51.100.3").error_kind is None
        assert pool.admission.usage("198.51.100.3")[0] < spent / 2
    finally:
        pool.close()


def test_an_old_release_s_queries_reach_the_pool_as_that_release_s(two_releases):
    """The release app names its release in what it hands the shared pool (and the current site names none)."""
    app = create_app({"KG_BUILD_DIR": str(two_releases["out"]), "KG_RELEASES_DIR": str(two_releases["directory"]),
                      "KG_URI_REGISTRY": str(two_releases["project"].data / "uri-registry.csv")})
    pool = app.extensions["sparql_pool"]
    seen: list[str] = []
    run = pool.run

    def spy(job, graph, wait, client=""):
        seen.append(graph.release)
        return run(job, graph, wait, client)

    pool.run = spy
    try:
        client = app.test_client()
        accept = {"Accept": "application/sparql-results+json"}
        assert client.get("/release/2020/sparql", query_string={"query": "ASK {}"}, headers=accept).status_code == 200
        assert client.get("/sparql", query_string={"query": "ASK {}"}, headers=accept).status_code == 200
        assert seen == ["2020", ""]
    finally:
        pool.close()
