"""Builds made by hand in tests: a copy of a real build, changed, then sealed with a manifest that matches it; or a
one-triple build of its own (server.state's tests)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from kg.build import seal_store
from kg.verify import GRAPH, MANIFEST, count_triples


def reseal(build: Path, build_id: str | None = None) -> dict:
    """Rewrite ``build``'s manifest for its files as they are now (sizes, SHA-256, triple count; the on-disk database
    made afresh from graph.nt); a new id if given."""
    manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
    for name, entry in manifest["files"].items():
        data = (build / name).read_bytes()
        entry.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    manifest["triples"] = count_triples(build / GRAPH)
    if manifest.get("store"):  # the on-disk database is made from graph.nt as it is now, as `kg build` would
        directory = build / manifest["store"]["dir"]
        shutil.rmtree(directory)
        manifest["store"].update(graph_sha256=manifest["files"][GRAPH]["sha256"],
                                 **seal_store(directory, (build / GRAPH).read_bytes()))
    if build_id:
        manifest["build_id"] = build_id
    (build / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


TRIPLE = "<https://example.org/s> <https://example.org/p> \"{}\" .\n"


def small_build(tmp_path: Path, name: str, manifest: str | None = None) -> Path:
    """A one-triple build in ``tmp_path/.builds/name``; sealed (its file's size and SHA-256, its triple count:
    server/state.py serves only a verified build) unless ``manifest`` is text that is no JSON object (a half-written
    manifest)."""
    path = tmp_path / ".builds" / name
    path.mkdir(parents=True)
    (path / "graph.nt").write_text(TRIPLE.format(name))
    try:
        fields = json.loads(manifest) if manifest is not None else {"build_id": name}
    except ValueError:
        fields = None
    if isinstance(fields, dict):
        data = (path / "graph.nt").read_bytes()
        manifest = json.dumps({**fields, "triples": 1,
                               "files": {"graph.nt": {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}}})
    (path / "manifest.json").write_text(manifest)
    return path


def seal(path: Path, triples: int) -> None:
    """Write a small build's manifest for the graph.nt it has now (as kg build would)."""
    data = (path / "graph.nt").read_bytes()
    (path / "manifest.json").write_text(json.dumps({"build_id": path.name, "triples": triples, "files": {
        "graph.nt": {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}}}))
