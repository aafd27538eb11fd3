"""Named, dated releases of the graph, kept under ``releases/``: ``kg release NAME`` freezes a build as one.

A release is a complete build directory (the files of ``kg build`` with their manifest) named after the release,
with what the graph says about its version (``owl:versionInfo``, ``dcat:version``, a fixed ``dct:issued``,
``prov:wasRevisionOf`` the previous release), the URI registry as it stood, and the change list against the previous
release (``changes.json``, kg/diff.py). The server serves the release ``build/`` points to and keeps every other one
readable under ``/release/<name>/``.

Like a build, a release is written into a hidden ``releases/.<name>.partial`` directory and appears in one rename
only when it is complete; ``build/`` is switched to it after that. A release stopped half-way (killed, disk full)
leaves the previous release served and is never listed; the next ``kg release`` removes its remains. Old releases
are deleted only when a number to keep is configured (``--keep``, ``KG_KEEP_RELEASES``; default 0: keep all).
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg import build as builder
from kg import diff
from kg.namespaces import DCAT_HAS_VERSION, DCAT_PREVIOUS, DCAT_VERSION, DEFAULT_BASE
from kg.registry import RegistryError
from kg.release import dataset_uri

ROOT = builder.ROOT
RELEASES = ROOT / "releases"
NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")
REGISTRY = "uri-registry.csv"  # the retired URIs as they stood at the release


@dataclass(frozen=True)
class Release:
    name: str
    path: Path
    issued: str            # ISO date
    previous: str | None   # name of the release it revises
    created: str           # when it was written (ISO timestamp)


def release_uri(name: str, base: str = DEFAULT_BASE) -> URIRef:
    """A release as a version of the dataset; its pages are served under ``/release/<name>/``."""
    return URIRef(f"{base}release/{name}")


def releases_dir() -> Path:
    return Path(os.environ.get("KG_RELEASES_DIR") or RELEASES)


def _read(path: Path) -> Release | None:
    """The release in ``path``, or None for anything that is not a complete release (a partial, a stray file)."""
    if path.name.startswith(".") or not path.is_dir():
        return None
    try:  # a release is written as .NAME.partial and renamed when complete, manifest included
        info = json.loads((path / "manifest.json").read_text(encoding="utf-8"))["release"]
        info["name"], info["issued"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Release(info["name"], path, info["issued"], info.get("previous"), info.get("created", ""))


def listed(directory: Path | None = None) -> list[Release]:
    """The complete releases, oldest first (by release date, then by when they were written)."""
    directory = Path(directory or releases_dir())
    if not directory.is_dir():
        return []
    found = [r for r in (_read(p) for p in directory.iterdir()) if r]
    return sorted(found, key=lambda r: (r.issued, r.created, r.name))


def find(name: str, directory: Path | None = None) -> Release | None:
    if not NAME.fullmatch(name or ""):
        return None
    return _read(Path(directory or releases_dir()) / name)


def served(build_dir: Path, directory: Path | None = None) -> Release | None:
    """The release ``build_dir`` points to, or None when it serves a plain build."""
    try:
        target = Path(build_dir).resolve()
    except OSError:
        return None
    return next((r for r in listed(directory) if r.path.resolve() == target), None)


# ------------------------------------------------------------------ what the graph says about its version

def stamp(graph: Graph, name: str, issued: str, history: list[Release], base: str = DEFAULT_BASE) -> None:
    """Make the dataset node say which release this is (replacing catalog.toml's version and date) and describe
    the release and the releases before it as versions of the dataset."""
    dataset = dataset_uri(base)
    versioned = [dataset, *graph.subjects(DCTERMS.isPartOf, dataset)]  # the dataset, its ontology and schemes
    for node in versioned:
        for p in (OWL.versionInfo, DCAT_VERSION):
            if node == dataset or (node, p, None) in graph:
                graph.remove((node, p, None))
                graph.add((node, p, Literal(name)))
    graph.remove((dataset, DCTERMS.issued, None))
    graph.add((dataset, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    chain = [(r.name, r.issued, r.previous) for r in history] + [(name, issued, history[-1].name if history else None)]
    for version, day, previous in chain:
        node = release_uri(version, base)
        for cls in (DCAT.Dataset, PROV.Entity):
            graph.add((node, RDF.type, cls))
        graph.add((node, RDFS.label, Literal(f"Release {version} ({day})", lang="de")))
        graph.add((node, DCTERMS.title, Literal(f"Release {version}", lang="de")))
        graph.add((node, OWL.versionInfo, Literal(version)))
        graph.add((node, DCAT_VERSION, Literal(version)))
        graph.add((node, DCTERMS.issued, Literal(day, datatype=XSD.date)))
        graph.add((node, DCTERMS.isVersionOf, dataset))
        graph.add((node, DCAT.landingPage, URIRef(f"{node}/")))
        graph.add((dataset, DCTERMS.hasVersion, node))
        graph.add((dataset, DCAT_HAS_VERSION, node))
        if previous:
            graph.add((node, PROV.wasRevisionOf, release_uri(previous, base)))
            graph.add((node, DCAT_PREVIOUS, release_uri(previous, base)))
    graph.add((dataset, SKOS.editorialNote, Literal(f"Stand: Release {name} vom {issued}", lang="de")))


# ------------------------------------------------------------------ writing a release

class ReleaseError(Exception):
    """A release that cannot be made as asked (name taken, bad name or date); the message says what to do."""


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One release at a time: a second ``kg release`` waits instead of mixing its files with the first one's."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_remains(directory: Path) -> list[str]:
    """Partial releases of a run that was stopped (under the lock, so none of them is being written)."""
    gone = []
    for partial in directory.glob(".*.partial"):
        shutil.rmtree(partial, ignore_errors=True)
        gone.append(partial.name)
    return gone


def check_name(name: str, directory: Path) -> None:
    if not NAME.fullmatch(name or ""):
        raise ReleaseError(f"„{name}“ taugt nicht als Name eines Release: Buchstaben, Ziffern, Punkt, Binde- und "
                           "Unterstrich, höchstens 40 Zeichen, z. B. „2024“ oder „2024-2“ / invalid release name")
    if find(name, directory):
        raise ReleaseError(f"Release „{name}“ gibt es schon ({directory / name}); einen neuen Namen wählen, z. B. "
                           f"„{name}-2“ / release exists")


def make(name: str, out: Path = ROOT / "build", project: builder.Project | None = None, base: str = DEFAULT_BASE,
         issued: date | None = None, directory: Path | None = None, workers: int | None = None,
         registry: Path | None = None, keep: int | None = None) -> tuple[Release, builder.Result]:
    """Build the data as release ``name`` into ``directory`` (default ``releases/``), then serve it from ``out``.

    Raises :class:`ReleaseError` for a taken or bad name and :class:`~kg.errors.BuildError` for bad data; in both
    cases nothing is listed and ``out`` keeps what it served.
    """
    directory = Path(directory or releases_dir())
    project = project or builder.Project()
    registry = Path(registry) if registry else project.data / REGISTRY
    day = (issued or date.today()).isoformat()
    with _locked(directory):
        _remove_remains(directory)
        check_name(name, directory)
        history = listed(directory)
        if history and history[-1].issued > day:
            raise ReleaseError(f"Release „{history[-1].name}“ ist vom {history[-1].issued}, später als {day}: "
                               "das Datum mit --date angeben / date before the latest release")
        prepared = builder.prepare(project)
        stamp(prepared.graph, name, day, history)
        result, staging = _build(prepared, out, base, directory / f".{name}.partial", workers)
        try:
            if registry.exists():
                staging.write(REGISTRY, registry.read_bytes())
            _changes(staging, result.graph, history, directory, base, registry)
            info = {"name": name, "issued": day, "previous": history[-1].name if history else None,
                    "created": staging.stamp.isoformat(timespec="seconds")}
            builder.finish(staging, result, base, extra={"release": info})
            final = directory / name
            staging.path.rename(final)  # from here on it is listed: complete, with its manifest
        except BaseException:
            shutil.rmtree(staging.path, ignore_errors=True)
            raise
        builder.switch(Path(out), final)
        made = _read(final)
        prune(directory, keep if keep is not None else int(os.environ.get("KG_KEEP_RELEASES") or 0), made)
    result.path = final
    return made, result


def _build(prepared: builder.Prepared, out: Path, base: str, into: Path, workers: int | None):
    """Written and validated exactly as kg build does (SHACL and the graph rules); a violation removes the partial
    release."""
    gc.collect()
    gc.freeze()
    staging = None
    try:
        staging = builder.new_staging(Path(out), into=into)
        return builder.stage_validated(prepared, staging, base, workers), staging
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging.path, ignore_errors=True)
        elif into.exists():
            shutil.rmtree(into, ignore_errors=True)
        raise
    finally:
        gc.unfreeze()


def _changes(staging, graph: Graph, history: list[Release], directory: Path, base: str, registry: Path) -> None:
    """The change list against the previous release (kg/diff.py), kept with the release for /aenderungen."""
    previous = history[-1] if history else None
    old = diff.load_graph(previous.path / "graph.nt") if previous else None
    try:
        changes = diff.compare(old, graph, base, registry=registry)
    except RegistryError as exc:  # the registry goes into the release: a broken one must not be frozen there
        raise ReleaseError(f"{exc} – die Zeile in {registry.name} berichtigen, dann erneut / fix the row") from None
    staging.write(diff.CHANGES, json.dumps(changes.to_json(), ensure_ascii=False, indent=1).encode())


def prune(directory: Path, keep: int, current: Release | None) -> list[str]:
    """Delete the oldest releases beyond the ``keep`` newest (0: none), never the one being served."""
    if keep <= 0:
        return []
    gone = []
    for old in listed(directory)[:-keep]:
        if current is None or old.path != current.path:
            # Unlisted first (its info file goes), then removed: a reader never sees half a release.
            hidden = old.path.with_name(f".{old.name}.partial")
            old.path.rename(hidden)
            shutil.rmtree(hidden, ignore_errors=True)
            gone.append(old.name)
    return gone
