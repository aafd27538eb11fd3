"""Parallel validation: the split of targets is exact, the findings equal one pyshacl run, failures stay failures."""

from __future__ import annotations

import errno
import multiprocessing
import time

import pytest
from rdflib import Graph, URIRef

from kg import validate
from kg.build import build, prepare
from kg.errors import BuildError
from kg.namespaces import IK, SH


@pytest.fixture()
def broken(project_copy):
    """The real data under one more rule that measure 5 violates (the loader itself catches every data error it
    can, so the violation comes from a shape only SHACL checks)."""
    with open(project_copy.shapes / "ik-shapes.ttl", "a", encoding="utf-8") as fh:
        fh.write('\n[] a sh:NodeShape ; sh:targetClass ik:Massnahme ;\n'
                 '    sh:property [ sh:name "IK-T01 Testregel" ; sh:path dcterms:identifier ; sh:not [ sh:hasValue "5" ] ] .\n')
    return project_copy


@pytest.fixture()
def always_parallel(monkeypatch):
    monkeypatch.setattr(validate, "PARALLEL_FROM_TRIPLES", 0)


def test_split_targets_partitions_each_target_class_exactly(broken):
    prepared = prepare(broken)
    parts = validate.split_targets(prepared.graph, prepared.shapes, prepared.ontology, 3)
    assert len(parts) == 3
    for shape in set(prepared.shapes.subjects(SH.targetClass)):
        chunks = [set(part.objects(shape, SH.targetNode)) for part in parts]
        sizes = [len(c) for c in chunks]
        assert max(sizes) - min(sizes) <= 1, f"{shape}: parts balanced {sizes}"
        assert sum(sizes) == len(set().union(*chunks)), "no node in two parts"
        expected = set()
        for cls in prepared.shapes.objects(shape, SH.targetClass):
            instances = prepared.graph.query("SELECT ?n WHERE { ?n a/rdfs:subClassOf* ?c }", initBindings={"c": cls})
            expected |= {row.n for row in instances}
        assert set().union(*chunks) == expected
        assert all((shape, SH.targetClass, None) not in part for part in parts)
    assert len(set().union(*(part.objects(None, SH.targetNode) for part in parts))) > 129


def test_split_is_refused_for_targets_it_cannot_divide(broken):
    prepared = prepare(broken)
    shapes = Graph() + prepared.shapes
    shapes.add((URIRef("urn:x:shape"), SH.targetSubjectsOf, IK.handlungsfeld))
    assert validate.split_targets(prepared.graph, shapes, prepared.ontology, 2) is None


def test_parallel_findings_equal_a_single_run(broken, always_parallel):
    prepared = prepare(broken)
    args = (prepared.graph, prepared.shapes, prepared.ontology, prepared.origins)
    single = validate.run(*args, workers=1)
    parallel = validate.run(*args, workers=3)
    assert parallel == single
    rules = {(f.severity, f.rule, f.focus.rsplit("/", 1)[-1]) for f in parallel}
    assert ("Violation", "IK-T01 Testregel", "5") in rules
    assert ("Warning", "IK-W01 OE fehlt", "33") in rules and any(f.severity == "Info" for f in parallel)
    assert all(f.origin is not None for f in parallel if f.severity == "Violation")


@pytest.mark.parametrize("path", ["serial", "parallel"])
def test_a_build_with_a_violation_publishes_nothing_serial_and_parallel(broken, path, monkeypatch, tmp_path):
    """A graph of the real size is validated in this process (below PARALLEL_FROM_TRIPLES), a large one in forked
    workers: a violation stops either build, naming the rule and the source row."""
    if path == "parallel":
        monkeypatch.setattr(validate, "PARALLEL_FROM_TRIPLES", 0)
    forked = []
    can_fork = validate._can_fork
    monkeypatch.setattr(validate, "_can_fork", lambda *args: forked.append(can_fork(*args)) or forked[-1])
    out = tmp_path / "out" / "build"
    with pytest.raises(BuildError) as exc:
        build(out=out, project=broken, workers=2)
    assert forked == [path == "parallel"], "the build took the path this case is about"
    [violation] = exc.value.problems
    assert str(violation).startswith("data/massnahmen.csv, Maßnahme 5 (Tabellenzeile 6)") and "IK-T01 Testregel" in str(violation)
    assert not out.exists()
    assert not list((out.parent / ".builds").glob("*"))


def test_a_failing_worker_fails_the_build_with_its_error(project_copy, always_parallel, monkeypatch, tmp_path):
    def explode(*_args):
        raise ValueError("shapes graph unreadable")

    monkeypatch.setattr(validate, "_validate", explode)  # inherited by the forked workers
    with pytest.raises(RuntimeError, match="ValueError: shapes graph unreadable"):
        build(out=tmp_path / "build", project=project_copy, workers=2)
    assert not list((tmp_path / ".builds").glob("*"))


# ------------------------------------------------------------------ on a small graph of its own

EX = "http://example.org/"
TINY_SHAPES = f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
ex:Shape a sh:NodeShape ; sh:targetClass ex:A ;
    sh:property [ sh:name "EX-1 Name" ; sh:path ex:name ; sh:minCount 1 ; sh:severity sh:Violation ] ,
                [ sh:name "EX-2 Hinweis" ; sh:path ex:note ; sh:minCount 1 ; sh:severity sh:Info ] ."""
TINY_ONTOLOGY = f"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . <{EX}B> rdfs:subClassOf <{EX}A> . " \
                f"<{EX}C> rdfs:subClassOf <{EX}B> ."
TINY_DATA = f"<{EX}a> a <{EX}A> . <{EX}b> a <{EX}B> . <{EX}c> a <{EX}C> ; <{EX}name> \"c\" ."


def tiny() -> tuple[Graph, Graph, Graph]:
    return (Graph().parse(data=TINY_DATA + TINY_ONTOLOGY, format="turtle"), Graph().parse(data=TINY_SHAPES, format="turtle"),
            Graph().parse(data=TINY_ONTOLOGY, format="turtle"))


def test_the_split_reaches_instances_of_subclasses_at_any_depth():
    data, shapes, ontology = tiny()
    parts = validate.split_targets(data, shapes, ontology, 2)
    assert set().union(*(set(p.objects(None, SH.targetNode)) for p in parts)) == {URIRef(EX + n) for n in "abc"}


def test_data_without_the_ontology_is_validated_with_the_ontology_s_class_hierarchy():
    """Instances of subclasses the ontology declares (B and C under A) are targets of A's shape even when the data
    graph does not hold the ontology itself: the same findings as on data that does."""
    with_ontology, shapes, ontology = tiny()
    alone = Graph().parse(data=TINY_DATA, format="turtle")
    assert not all(t in alone for t in ontology)
    found = validate.run(alone, shapes, ontology, workers=1)
    assert {(f.rule, f.focus) for f in found if f.severity == "Violation"} == {("EX-1 Name", EX + "a"), ("EX-1 Name", EX + "b")}
    assert found == validate.run(with_ontology, shapes, ontology, workers=1)
    assert len(alone) == len(Graph().parse(data=TINY_DATA, format="turtle")), "the data graph is not changed"


def test_findings_are_ordered_by_severity_focus_rule_then_path_and_message():
    def finding(severity, focus, rule, path, message):
        return validate.Finding(severity, focus, path, rule, message, None)
    ordered = [finding("Violation", "x", "R", None, "z"), finding("Violation", "x", "R", "p1", "b"),
               finding("Violation", "x", "R", "p2", "a"), finding("Violation", "y", "A", None, "a"),
               finding("Warning", "a", "A", None, "a"), finding("Info", "a", "A", None, "a")]
    assert validate.merge(ordered[::-1][:3], ordered[::-1][3:], [ordered[0]]) == ordered


def test_a_serial_validation_reports_its_findings_and_a_duration_within_the_call():
    data, shapes, ontology = tiny()
    started = time.perf_counter()
    pending = validate.start(data, shapes, ontology, workers=1)
    wall = time.perf_counter() - started
    found = pending.result()
    assert 0 < pending.seconds <= wall
    assert [(f.severity, f.rule, f.focus) for f in found] == [
        ("Violation", "EX-1 Name", EX + "a"), ("Violation", "EX-1 Name", EX + "b"),
        ("Info", "EX-2 Hinweis", EX + "a"), ("Info", "EX-2 Hinweis", EX + "b"), ("Info", "EX-2 Hinweis", EX + "c")]


def test_a_parallel_validation_reports_the_duration_of_its_slowest_worker_within_the_call(always_parallel):
    data, shapes, ontology = tiny()
    started = time.perf_counter()
    pending = validate.start(data, shapes, ontology, workers=2)
    found = pending.result()
    wall = time.perf_counter() - started
    assert 0 < pending.seconds <= wall
    assert found == validate.run(data, shapes, ontology, workers=1)


@pytest.mark.parametrize("cpus,workers", [(None, 1), (1, 1), (2, 2), (8, 8), (9, 8), (64, 8)])
def test_the_default_number_of_validation_workers_is_the_cpus_up_to_eight(monkeypatch, cpus, workers):
    monkeypatch.setattr(validate.os, "cpu_count", lambda: cpus)
    assert validate.default_workers() == workers


def test_a_rule_without_a_name_is_named_by_its_constraint_component():
    data, _, ontology = tiny()
    shapes = Graph().parse(data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
        ex:Unnamed a sh:NodeShape ; sh:targetNode ex:c ; sh:property [ sh:path ex:note ; sh:minCount 1 ] .""",
        format="turtle")
    [finding] = validate.run(data, shapes, ontology, workers=1)
    assert (finding.rule, finding.focus, finding.path) == ("MinCountConstraintComponent", EX + "c", EX + "note")


def test_a_worker_that_cannot_be_started_stops_those_already_started_and_the_error_reaches_the_caller(
        always_parallel, monkeypatch):
    from multiprocessing.context import ForkProcess

    started, fork = [], ForkProcess.start

    def start_two_then_refuse(process):  # the third fork fails as it does when the machine is out of processes
        if len(started) == 2:
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        fork(process)
        started.append(process)

    def validating(*_args):  # a worker still at work when the next one cannot be started
        time.sleep(120)

    monkeypatch.setattr(ForkProcess, "start", start_two_then_refuse)
    monkeypatch.setattr(validate, "_worker", validating)
    data, shapes, ontology = tiny()
    try:
        with pytest.raises(OSError, match="Resource temporarily unavailable"):
            validate.start(data, shapes, ontology, workers=3)
        assert len(started) == 2
        assert [p.is_alive() for p in started] == [False, False], "no worker outlives the failed start"
    finally:
        for process in started:
            process.kill()
            process.join()


def test_one_worker_means_no_worker_process_even_for_a_graph_above_the_threshold(always_parallel, monkeypatch):
    def validating(*_args):  # would run in a child process
        time.sleep(120)

    monkeypatch.setattr(validate, "_worker", validating)
    data, shapes, ontology = tiny()
    pending = validate.start(data, shapes, ontology, workers=1)
    try:
        assert multiprocessing.active_children() == [], "--jobs 1: validated in this process"
        assert [f.rule for f in pending.result()][:2] == ["EX-1 Name", "EX-1 Name"]
    finally:
        for child in multiprocessing.active_children():
            child.kill()
            child.join()
