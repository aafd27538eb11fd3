"""Every URI this project has ever published, kept in the repository as ``published-uris.txt``.

One URI path per line (``/id/massnahme/1``, ``/def/ik``), sorted. A published URI must keep answering: 200 (after
the 303 from /id/ to /doc/), 301 to a successor or 410 Gone as recorded in ``data/uri-registry.csv`` – never 404.
Each build adds the URIs it contains; nothing ever removes one, so a dropped resource shows up as a failing test
until the registry says what became of it.

Regenerate from the current build:  ``.venv/bin/python -m kg.published [build-dir]``
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urldefrag

from rdflib import Graph, URIRef

from kg.namespaces import DEFAULT_BASE

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "published-uris.txt"


def uri_paths(graph_or_uris: Graph | Iterable[str], base: str = DEFAULT_BASE) -> set[str]:
    """Paths (without fragment) of all IRIs under ``base``: subjects, predicates and objects of a graph,
    or the given URIs (full URIs under ``base`` or paths starting with ``/``)."""
    if isinstance(graph_or_uris, Graph):
        terms = (t for triple in graph_or_uris for t in triple if isinstance(t, URIRef))
    else:
        terms = iter(graph_or_uris)
    paths = set()
    for term in terms:
        text = urldefrag(str(term))[0]
        if text.startswith(base):
            text = "/" + text[len(base):]
        if text.startswith("/") and len(text) > 1:
            paths.add(text)
    return paths


def read(path: Path = DEFAULT_PATH) -> list[str]:
    path = Path(path)
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def update(graph_or_uris: Graph | Iterable[str], path: Path = DEFAULT_PATH, base: str = DEFAULT_BASE) -> list[str]:
    """Add the URIs of this build to the list (never remove one); returns the newly added paths."""
    path = Path(path)
    known = set(read(path))
    new = uri_paths(graph_or_uris, base) - known
    if new or not path.exists():
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        tmp.write_text("".join(f"{p}\n" for p in sorted(known | new)), encoding="utf-8")
        os.replace(tmp, path)  # readers never see a half-written list
    return sorted(new)


def update_from_build(build_dir: Path, path: Path = DEFAULT_PATH) -> list[str]:
    build_dir = Path(build_dir)
    base = json.loads((build_dir / "manifest.json").read_text())["base_uri"]
    graph = Graph()
    graph.parse(build_dir / "graph.nt", format="nt")
    return update(graph, path, base)


if __name__ == "__main__":
    added = update_from_build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build")
    shown = "".join(f"\n  {p}" for p in added[:20]) + ("\n  …" if len(added) > 20 else "")
    print(f"{len(added)} neue URI(s) in {DEFAULT_PATH.name}{shown}")
