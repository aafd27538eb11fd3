"""SHACL validation with findings that name the source row of the offending resource.

Large graphs are validated in parallel: the focus nodes of every ``sh:targetClass`` are split into parts, each
part is validated by a forked worker process that shares the data graph copy-on-write, and the findings are
merged. Every shape still sees the whole data graph, so the findings are exactly those of one pyshacl run
(tests/kg/test_validate.py compares both on data with violations).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import Origin
from kg.namespaces import SH

SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
# Below this size a worker process costs more than it saves (the real data: 4,300 triples, 0.2 s).
PARALLEL_FROM_TRIPLES = 100_000
# Targets the split cannot divide; shapes using them make validation run in one process.
_OTHER_TARGETS = (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


@dataclass(frozen=True)
class Finding:
    severity: str
    focus: str
    path: str | None
    rule: str
    message: str
    origin: Origin | None

    def __str__(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        path = f" ({self.path})" if self.path else ""
        return f"{where}[{self.severity} {self.rule}] {self.focus}{path}: {self.message}"


def load_shapes(paths: list[Path]) -> Graph:
    g = Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def run(data: Graph, shapes: Graph, ontology: Graph, origins: dict[URIRef, Origin] | None = None,
        workers: int | None = None) -> list[Finding]:
    """Validate ``data``; return every finding, most severe first."""
    return start(data, shapes, ontology, origins, workers).result()


class Pending:
    """A validation running in worker processes (or already done); :meth:`result` waits for the findings."""

    def __init__(self, workers: list | None = None, done: list[Finding] | None = None, seconds: float = 0.0) -> None:
        self._workers, self._done = workers or [], done
        self.seconds = seconds  # wall time of the validation itself (the slowest worker), known after result()

    def result(self) -> list[Finding]:
        if self._done is None:
            try:
                found = []
                for process, pipe in self._workers:
                    try:
                        ok, value, seconds = pipe.recv()
                    except EOFError:
                        process.join()
                        raise RuntimeError(f"SHACL-Validierung: Arbeitsprozess beendet (exit code {process.exitcode}) "
                                           "/ validation worker died – out of memory?") from None
                    if not ok:
                        raise RuntimeError(f"SHACL-Validierung fehlgeschlagen / validation failed: {value}")
                    found.extend(value)
                    self.seconds = max(self.seconds, seconds)
                self._done = _sorted(found)
            finally:
                self.close()
        return self._done

    def close(self) -> None:
        """Stop the workers (after an error elsewhere, so none outlives the build)."""
        for process, pipe in self._workers:
            if process.is_alive():
                process.terminate()
            process.join()
            pipe.close()
        self._workers = []


def start(data: Graph, shapes: Graph, ontology: Graph, origins: dict[URIRef, Origin] | None = None,
          workers: int | None = None) -> Pending:
    """Start validating ``data``. With several workers and a large graph this returns at once and the caller
    may do other work (kg.build writes the files) while the forked workers validate."""
    origins = origins or {}
    workers = default_workers() if workers is None else workers
    parts = split_targets(data, shapes, ontology, workers) if _can_fork(len(data), workers) else None
    if not parts:
        started = time.perf_counter()
        findings = _validate(data, shapes, ontology, origins)
        return Pending(done=findings, seconds=time.perf_counter() - started)
    context = get_context("fork")  # the workers share the data graph copy-on-write; nothing is pickled to them
    running = []
    try:
        for part in parts:
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_worker, args=(data, part, ontology, origins, send), daemon=True)
            process.start()
            send.close()
            running.append((process, receive))
    except BaseException:
        Pending(running).close()
        raise
    return Pending(running)


def _can_fork(triples: int, workers: int) -> bool:
    return workers > 1 and triples >= PARALLEL_FROM_TRIPLES and "fork" in get_all_start_methods()


def _worker(data: Graph, shapes: Graph, ontology: Graph, origins: dict, send) -> None:
    started = time.perf_counter()
    try:
        send.send((True, _validate(data, shapes, ontology, origins), time.perf_counter() - started))
    except Exception as exc:  # reported by the parent, which fails the build with it
        send.send((False, f"{type(exc).__name__}: {exc}", time.perf_counter() - started))
    finally:
        send.close()


def split_targets(data: Graph, shapes: Graph, ontology: Graph, parts: int) -> list[Graph] | None:
    """``parts`` shapes graphs that together have exactly the focus nodes of ``shapes``: each ``sh:targetClass C``
    becomes ``sh:targetNode`` for every ``parts``-th SHACL instance of C (rdf:type/rdfs:subClassOf*).

    None when the shapes use other kinds of targets (or are classes themselves, implicit class targets); those
    are validated in one piece."""
    if any((None, t, None) in shapes for t in _OTHER_TARGETS):
        return None
    if any((s, RDF.type, c) in shapes for s in shapes.subjects(SH.targetClass) for c in (RDFS.Class, OWL.Class)):
        return None
    schema = [data, ontology]
    out = []
    targets = sorted(shapes.subject_objects(SH.targetClass))
    base = Graph()
    for triple in shapes:
        if triple[1] != SH.targetClass:
            base.add(triple)
    for _ in range(parts):
        part = Graph()
        part += base  # copies the triples, not the prefixes
        for prefix, namespace in shapes.namespaces():  # pyshacl writes paths in messages with them, as in one run
            part.bind(prefix, namespace, replace=True)
        out.append(part)
    focus: dict = {}
    for shape, cls in targets:  # a node targeted through two classes of one shape is still one focus node
        focus.setdefault(shape, set()).update(_instances(schema, cls))
    for shape, nodes in focus.items():
        for i, node in enumerate(sorted(nodes)):
            out[i % parts].add((shape, SH.targetNode, node))
    return out


def _instances(graphs: list[Graph], cls: URIRef) -> set:
    classes, todo = {cls}, [cls]
    while todo:
        c = todo.pop()
        for g in graphs:
            for sub in g.subjects(RDFS.subClassOf, c):
                if sub not in classes:
                    classes.add(sub)
                    todo.append(sub)
    return {s for c in classes for s in graphs[0].subjects(RDF.type, c)}


def _validate(data: Graph, shapes: Graph, ontology: Graph, origins: dict[URIRef, Origin]) -> list[Finding]:
    # Given an ont_graph (and in advanced mode regardless) pyshacl validates a full copy of the data graph.
    # When the data already holds the ontology and no shape has an sh:rule that could write into it,
    # validating in place runs the same checks without that copy: ~20 % less peak memory per build.
    in_place = (None, SH.rule, None) not in shapes and all(t in data for t in ontology)
    _conforms, report, _text = shacl_validate(
        data, shacl_graph=shapes, ont_graph=None if in_place else ontology, inplace=in_place,
        inference="none", advanced=True, allow_warnings=True,
    )
    return _sorted(_findings(report, shapes, origins))


def _findings(report: Graph, shapes: Graph, origins: dict[URIRef, Origin]) -> list[Finding]:
    findings = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        source_shape = report.value(result, SH.sourceShape)
        constraint = report.value(result, SH.sourceConstraint)
        rule = (constraint is not None and shapes.value(constraint, SH.name)) or shapes.value(source_shape, SH.name) \
            or report.value(result, SH.sourceConstraintComponent)
        path = report.value(result, SH.resultPath)
        messages = [str(m) for m in report.objects(result, SH.resultMessage)]
        findings.append(Finding(
            severity=SEVERITY.get(report.value(result, SH.resultSeverity), "Violation"),
            focus=str(focus),
            path=str(path) if isinstance(path, URIRef) else None,
            rule=str(rule).rsplit("#", 1)[-1],
            message="; ".join(sorted(messages)),
            origin=origins.get(focus),
        ))
    return findings


def merge(*parts: list[Finding]) -> list[Finding]:
    """Findings of several checks (SHACL, kg.checks) as one list, most severe first."""
    return _sorted([f for part in parts for f in part])


def _sorted(findings: list[Finding]) -> list[Finding]:
    # Once each: sh:equals (IK-M14) reports a mismatch from both sides with the same focus, rule and message.
    return sorted(set(findings), key=lambda f: (ORDER[f.severity], f.focus, f.rule, f.path or "", f.message))

