"""The build pipeline: load → map → merge ontology → validate → write build/ atomically.

A build is written into a fresh directory under ``.builds/`` and only then switched in by replacing
the ``build`` symlink (a single rename), so readers see either the old or the new build, never a mix,
and a failed build leaves the previous one untouched.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg import export, mapping, sources
from kg.errors import BuildError
from kg.namespaces import DEFAULT_BASE, PREFIXES, bind_prefixes
from kg.store import Store
from kg.validate import Finding, load_shapes, run

ROOT = Path(__file__).resolve().parent.parent
KEEP_BUILDS = 3


@dataclass
class Project:
    """Where the inputs live; tests point this at fixture copies."""

    data: Path = ROOT / "data"
    ontology: Path = ROOT / "ontology"
    shapes: Path = ROOT / "shapes"


@dataclass
class Result:
    graph: Graph
    findings: list[Finding]
    timings: dict[str, float]
    path: Path | None = None


def rebase(graph: Graph, base: str) -> Graph:
    """Move every IRI under the default base onto ``base``."""
    if base == DEFAULT_BASE:
        return graph

    def move(term):
        if isinstance(term, URIRef) and str(term).startswith(DEFAULT_BASE):
            return URIRef(base + str(term)[len(DEFAULT_BASE):])
        return term

    out = bind_prefixes(Graph(), base)
    for s, p, o in graph:
        out.add((move(s), move(p), move(o)))
    return out


def _parse_dir(directory: Path) -> Graph:
    g = Graph()
    for path in sorted(directory.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def compile_graph(project: Project | None = None, base: str = DEFAULT_BASE) -> Result:
    """Load, map and validate; raise :class:`BuildError` on any data error or SHACL violation."""
    project = project or Project()
    timings = {}
    t = time.perf_counter()
    srcs = sources.load(project.data)
    mapped = mapping.to_graph(srcs)
    timings["load_map"] = time.perf_counter() - t

    t = time.perf_counter()
    ontology = _parse_dir(project.ontology)
    shapes = load_shapes(sorted(project.shapes.glob("*.ttl")))
    full = mapped.graph + ontology
    findings = run(full, shapes, ontology, mapped.origins)
    timings["validate"] = time.perf_counter() - t
    violations = [f for f in findings if f.severity == "Violation"]
    if violations:
        raise BuildError(violations)
    return Result(graph=bind_prefixes(rebase(full, base), base), findings=findings, timings=timings)


def _write(path: Path, content: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def quality_report(result: Result, counts: dict[str, int]) -> dict:
    by_severity: dict[str, int] = {}
    for f in result.findings:
        by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
    return {
        "conforms": not any(f.severity == "Violation" for f in result.findings),
        "findings_by_severity": by_severity,
        "findings": [
            {"severity": f.severity, "rule": f.rule, "focus": f.focus, "path": f.path, "message": f.message,
             "source": str(f.origin) if f.origin else None}
            for f in result.findings
        ],
        "counts": counts,
    }


def class_counts(graph: Graph) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, _, cls in graph.triples((None, RDF.type, None)):
        key = graph.namespace_manager.normalizeUri(cls)
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def write(result: Result, out: Path, base: str) -> Path:
    """Write the build into a new directory and switch ``out`` (a symlink) to it atomically."""
    out = Path(out)
    builds = out.parent / ".builds"
    builds.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC)
    build_id = stamp.strftime("%Y%m%dT%H%M%S%fZ")
    staging = builds / f"{build_id}.partial"
    staging.mkdir()
    t = time.perf_counter()
    graph = result.graph
    # rdflib writes N-Triples once; Oxigraph loads them and writes the other formats far faster than rdflib
    # (JSON-LD in expanded form, one node object per resource, like the /doc/…jsonld documents).
    _write(staging / "graph.nt", export.rdf(graph, "nt"))
    with open(staging / "graph.nt", "rb") as src:
        _write(staging / "graph.nt.gz", gzip.compress(src.read(), mtime=0))
    store = Store.from_ntriples(staging / "graph.nt")
    # Vocabulary prefixes only: an "id:" prefix would force escapes like id:massnahme\/1 in Turtle.
    prefixes = {p: str(ns) for p, ns in graph.namespaces() if p in PREFIXES}
    triples = export.sorted_triples(store)
    for fmt in ("ttl", "rdf", "jsonld"):
        _write(staging / export.RDF_FORMATS[fmt][1], export.dump(triples, fmt, prefixes))
    del triples
    (staging / "csv").mkdir()
    for name in export.CSV_VIEWS:
        _write(staging / "csv" / f"{name}.csv", export.csv_table(store, name).encode("utf-8"))
    counts = class_counts(graph)
    _write(staging / "quality.json", json.dumps(quality_report(result, counts), ensure_ascii=False, indent=1).encode())
    result.timings["write"] = time.perf_counter() - t
    files = {}
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        rel = path.relative_to(staging).as_posix()
        files[rel] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
    manifest = {
        "build_id": build_id, "created": stamp.isoformat(timespec="seconds"), "base_uri": base,
        "triples": len(graph), "counts": counts, "files": files, "timings_s": result.timings,
    }
    _write(staging / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    final = builds / build_id
    staging.rename(final)
    _switch(out, final)
    _prune(builds, keep=final)
    return final


def _switch(out: Path, target: Path) -> None:
    if out.exists() and not out.is_symlink():
        # A plain directory from elsewhere: keep it as an old build rather than delete it.
        out.rename(out.parent / ".builds" / f"legacy-{int(time.time())}")
    link = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if link.is_symlink():
        link.unlink()
    link.symlink_to(os.path.relpath(target, out.parent))
    os.replace(link, out)  # atomic on POSIX: readers see the old or the new build


def _prune(builds: Path, keep: Path) -> None:
    # Newest first by time, so a moved-aside legacy directory ages out like any other build.
    done = sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.endswith(".partial")),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for old in done[KEEP_BUILDS:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for partial in builds.glob("*.partial"):
        if partial.stat().st_mtime < time.time() - 3600:
            shutil.rmtree(partial, ignore_errors=True)


def build(out: Path = ROOT / "build", project: Project | None = None, base: str = DEFAULT_BASE) -> Result:
    result = compile_graph(project, base)
    # Everything allocated so far lives until the end; without freezing, the collector rescans millions of
    # graph objects during serialisation (about a fifth of the write time at 100×, bench/scale.py).
    gc.collect()
    gc.freeze()
    try:
        result.path = write(result, out, base)
    finally:
        gc.unfreeze()
    return result
