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
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg import catalog, checks, editions, export, mapping, release, sources, spreadsheet, status, validate
from kg.errors import BuildError, DataError, Origin
from kg.namespaces import DEF, DEFAULT_BASE, PREFIXES, bind_prefixes, uri
from kg.store import STORE_DIR, Store, store_files, write_store
from kg.validate import Finding, load_shapes

ROOT = Path(__file__).resolve().parent.parent
KEEP_BUILDS = 3  # finished builds kept in .builds/ (KG_KEEP_BUILDS, kg build --keep): the server falls back to them


@dataclass
class Project:
    """Where the inputs live; tests point this at fixture copies."""

    data: Path = ROOT / "data"
    ontology: Path = ROOT / "ontology"
    shapes: Path = ROOT / "shapes"
    workbook: Path | None = None  # read the tables from this XLSX instead of data/*.csv (kg/workbook.py)
    catalog: Path = ROOT / "catalog.toml"  # licence, publisher, version and release date of the dataset node


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


@dataclass
class Prepared:
    """The mapped graph with the ontology merged in, ready to validate."""

    graph: Graph
    shapes: Graph
    ontology: Graph
    origins: dict
    timings: dict[str, float]


def prepare(project: Project | None = None) -> Prepared:
    """Load and map the sources (raise :class:`BuildError` on data errors) and merge the ontology."""
    project = project or Project()
    t = time.perf_counter()
    srcs = sources.load(project.data, _tables(project))
    mapped = mapping.to_graph(srcs)
    editions.add(mapped, srcs)  # which edition of the report lists which measure
    status.add(mapped, srcs)  # the status rows (checked by sources.load, their quotes against the source texts)
    ontology = _parse_dir(project.ontology)
    for triple in ontology:  # in place: a `graph + ontology` copy costs ~15 % of the build at scale
        mapped.graph.add(triple)
    try:
        settings = catalog.load_settings(project.catalog)
    except catalog.SettingsError as exc:
        raise BuildError([DataError(Origin(project.catalog.name, 0), "D04", str(exc))]) from exc
    release.describe(mapped.graph, settings, uri("bericht", srcs.bericht["key"]), DEF.ik)
    shapes = load_shapes(sorted(project.shapes.glob("*.ttl")))
    return Prepared(mapped.graph, shapes, ontology, mapped.origins, {"load_map": time.perf_counter() - t})


def _tables(project: Project) -> sources.TableSource | None:
    if project.workbook is None:
        return None
    from openpyxl.utils.exceptions import InvalidFileException

    from kg import workbook  # openpyxl only when a workbook is read

    try:
        stale = workbook.stale(project.workbook, project.data)
        tables = workbook.WorkbookTables(project.workbook)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:  # half saved, or not an XLSX at all
        raise BuildError([DataError(Origin(str(project.workbook), 0), "D01", f"Arbeitsmappe nicht lesbar: {exc}",
                                    fix="Die Mappe in Excel/LibreOffice als .xlsx speichern und schließen; "
                                        "sonst mit kg workbook neu erzeugen.")]) from None
    if stale:
        raise BuildError(stale)
    return tables


def _check(findings: list[Finding]) -> None:
    violations = [f for f in findings if f.severity == "Violation"]
    if violations:
        raise BuildError(violations)


def compile_graph(project: Project | None = None, base: str = DEFAULT_BASE, workers: int | None = None) -> Result:
    """Load, map and validate; raise :class:`BuildError` on any data error or SHACL violation."""
    prepared = prepare(project)
    t = time.perf_counter()
    findings = validate.run(prepared.graph, prepared.shapes, prepared.ontology, prepared.origins, workers)
    findings = validate.merge(findings, checks.run(prepared.graph, prepared.origins))
    prepared.timings["validate"] = time.perf_counter() - t
    _check(findings)
    return Result(graph=bind_prefixes(rebase(prepared.graph, base), base), findings=findings,
                  timings=prepared.timings)


def _write(path: Path, content: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())


@dataclass
class Staging:
    """A build being written into ``.builds/<id>.<pid>.partial``; remembers each file's size and SHA-256 for the
    manifest as it writes it, so nothing is read back. The process id tells a later build whether the writer of a
    partial directory is still at work or gone (then the directory is removed)."""

    path: Path
    stamp: datetime
    build_id: str = ""
    files: dict[str, dict] = field(default_factory=dict)
    store: dict | None = None  # the on-disk database's entry of the manifest (kg/verify.py checks it)

    def write(self, rel: str, content: bytes) -> None:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        _write(target, content)
        self.files[rel] = {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}

    def write_store(self, nt: bytes) -> None:
        """The graph as an on-disk Oxigraph database in ``store/`` (what the server's processes open read-only), its
        files recorded apart from the downloads: they are checked like every file, but not offered."""
        self.store = {"dir": STORE_DIR, "graph_sha256": self.files["graph.nt"]["sha256"],
                      **seal_store(self.path / STORE_DIR, nt)}


def seal_store(directory: Path, nt: bytes) -> dict:
    """Write the database of ``nt`` into ``directory`` and describe it for the manifest: its triple count and each of
    its files' size and SHA-256, read back once it is closed."""
    triples = write_store(nt, directory)
    files = {}
    for path in store_files(directory):
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
            digest = hashlib.file_digest(fh, "sha256")
        files[path.name] = {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}
    return {"triples": triples, "files": files}


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


def new_staging(out: Path, into: Path | None = None) -> Staging:
    """A fresh ``.builds/<id>.<pid>.partial`` next to ``out``, after removing the partial directories of builds
    that died (killed, or stopped by a full disk before they could clean up); or the new directory ``into``, which
    a release names itself (kg/releases.py)."""
    stamp = datetime.now(UTC)
    if into is None:
        builds = out.parent / ".builds"
        builds.mkdir(parents=True, exist_ok=True)
        remove_abandoned_partials(builds)
        build_id = stamp.strftime("%Y%m%dT%H%M%S%fZ")
        into = builds / f"{build_id}.{os.getpid()}.partial"
    else:
        build_id = into.name.removesuffix(".partial").lstrip(".")
    staging = Staging(into, stamp, build_id)
    staging.path.mkdir()
    return staging


def remove_abandoned_partials(builds: Path) -> list[Path]:
    """Remove ``*.partial`` directories whose writing process is gone; a running build's stays."""
    removed = []
    for partial in builds.glob("*.partial"):
        writer = partial.name.removesuffix(".partial").rpartition(".")[2]
        if writer.isdigit() and _running(int(writer)):
            continue
        shutil.rmtree(partial, ignore_errors=True)
        removed.append(partial)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def stage(graph: Graph, staging: Staging, timings: dict[str, float]) -> Staging:
    """Write the graph's files into the ``staging`` directory."""
    t = time.perf_counter()
    # N-Triples sorted line by line: the same graph always gives the same bytes, builds diff cleanly, and each
    # resource's statements are adjacent, so Oxigraph's Turtle, RDF/XML and JSON-LD writers group them.
    nt = export.sorted_ntriples(graph)
    staging.write("graph.nt", nt)
    staging.write("graph.nt.gz", gzip.compress(nt, compresslevel=6, mtime=0))
    staging.write_store(nt)
    store = Store.open_read_only(staging.path / STORE_DIR)  # the tables are queried from what the server will query
    triples = export.parse_ntriples(nt)
    del nt
    # Vocabulary prefixes only: an "id:" prefix would force escapes like id:massnahme\/1 in Turtle.
    prefixes = {p: str(ns) for p, ns in graph.namespaces() if p in PREFIXES}
    for fmt in ("ttl", "rdf", "jsonld"):
        staging.write(export.RDF_FORMATS[fmt][1], export.dump(triples, fmt, prefixes))
    del triples
    for name in export.CSV_VIEWS:
        columns, rows = export.table(store, name)
        staging.write(f"csv/{name}.csv", spreadsheet.csv_text(columns, rows).encode("utf-8"))
        staging.write(f"xlsx/{name}.xlsx", spreadsheet.xlsx_bytes([(name, columns, rows)]))
    timings["write"] = time.perf_counter() - t
    return staging


def finish(staging: Staging, result: Result, base: str, extra: dict | None = None) -> None:
    """Add the quality report and the manifest (with ``extra`` entries, e.g. a release's name) to the staging."""
    graph = result.graph
    counts = class_counts(graph)
    staging.write("quality.json", json.dumps(quality_report(result, counts), ensure_ascii=False, indent=1).encode())
    build_id = staging.build_id
    manifest = {
        "build_id": build_id, "created": staging.stamp.isoformat(timespec="seconds"), "base_uri": base,
        "triples": len(graph), "counts": counts, "files": dict(sorted(staging.files.items())), "timings_s": result.timings,
        **({"store": staging.store} if staging.store else {}),
        **(extra or {}),
    }
    _write(staging.path / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())


def publish(staging: Staging, result: Result, out: Path, base: str, keep: int = KEEP_BUILDS) -> Path:
    """Add the quality report and the manifest, then switch ``out`` to the finished build; keep ``keep`` builds."""
    finish(staging, result, base)
    final = staging.path.with_name(staging.build_id)
    staging.path.rename(final)
    switch(out, final)
    prune(final.parent, current=final, keep=keep)
    return final


def switch(out: Path, target: Path) -> None:
    if out.exists() and not out.is_symlink():
        # A plain directory from elsewhere: keep it as an old build rather than delete it.
        out.rename(out.parent / ".builds" / f"legacy-{int(time.time())}")
    link = out.parent / f".{out.name}.tmp-{os.getpid()}"
    link.parent.mkdir(parents=True, exist_ok=True)  # `kg release --out site/build` on a fresh machine, as kg build
    if link.is_symlink():
        link.unlink()
    link.symlink_to(os.path.relpath(target, out.parent))
    os.replace(link, out)  # atomic on POSIX: readers see the old or the new build


def prune(builds: Path, current: Path, keep: int = KEEP_BUILDS) -> list[Path]:
    """Keep the ``keep`` newest finished builds (the current one always); remove older ones."""
    # Newest first by time, so a moved-aside legacy directory ages out like any other build.
    done = sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.endswith(".partial")),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    removed = []
    for old in done[max(1, keep):]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old)
    return removed


def stage_validated(prepared: Prepared, staging: Staging, base: str, workers: int | None = None) -> Result:
    """Write the files into ``staging`` while SHACL validates (in worker processes for large graphs), run the graph
    rules of kg/checks.py, and raise :class:`BuildError` on any violation – what every build and every release
    goes through before it is published."""
    timings = prepared.timings
    started = time.perf_counter()
    pending = validate.start(prepared.graph, prepared.shapes, prepared.ontology, prepared.origins, workers)
    try:
        graph = bind_prefixes(rebase(prepared.graph, base), base)
        stage(graph, staging, timings)
        t = time.perf_counter()
        graph_rules = checks.run(prepared.graph, prepared.origins)  # kg/checks.py: what SHACL Core cannot say
        timings["checks"] = time.perf_counter() - t
        findings = validate.merge(pending.result(), graph_rules)
    finally:
        pending.close()
    timings["validate"] = pending.seconds  # in worker processes it overlaps "write"
    _check(findings)
    timings["total"] = timings["load_map"] + time.perf_counter() - started
    return Result(graph=graph, findings=findings, timings=timings)


def build(out: Path = ROOT / "build", project: Project | None = None, base: str = DEFAULT_BASE,
          workers: int | None = None, keep: int = KEEP_BUILDS) -> Result:
    """Load, map, validate and write; the files are written while the validation runs (in worker processes
    for large graphs) and are published only if it finds no violation."""
    out = Path(out)
    prepared = prepare(project)
    # Everything allocated so far lives until the end. Frozen, the collector neither rescans millions of graph
    # objects while writing nor touches them in the forked validation workers (which would copy their pages).
    gc.collect()
    gc.freeze()
    staging = None
    try:
        staging = new_staging(out)  # before anything is written: whatever fails later, it is removed again
        result = stage_validated(prepared, staging, base, workers)
        result.path = publish(staging, result, out, base, keep)
        staging = None
        return result
    finally:
        gc.unfreeze()
        if staging is not None:
            shutil.rmtree(staging.path, ignore_errors=True)
