"""Is a build intact? Its manifest against its files: every listed file present with its size and SHA-256, and
graph.nt holding as many triples as the manifest says.

The server checks a build before it serves it and falls back to the newest intact one in ``.builds/``
(:mod:`server.state`); ``kg verify`` runs the same check by hand. A build is written once and never changed, so a
file that differs from the manifest was damaged afterwards (a truncated copy, a full disk, a stray edit).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "manifest.json"
GRAPH = "graph.nt"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Verdict:
    path: Path
    problems: list[str] = field(default_factory=list)  # German and English, one sentence each
    manifest: dict | None = None
    stamp: tuple = ()  # sizes and modification times of the checked files: a change means "check again"

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(build: Path, hashes: bool = True) -> Verdict:
    """Check ``build`` (a directory) against its manifest; ``hashes=False`` checks sizes and the triple count only."""
    build = Path(build)
    manifest_path = build / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
        expected_triples = int(manifest["triples"])
        manifest["build_id"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Verdict(build, [f"{MANIFEST} fehlt oder ist unlesbar / is missing or unreadable: {exc}"])
    problems = []
    stamp = [_stamp(manifest_path)]
    for name, entry in sorted(files.items()):
        path = build / name
        try:
            size = path.stat().st_size
        except OSError:
            problems.append(f"{name} fehlt / is missing")
            continue
        stamp.append(_stamp(path))
        if size != entry["bytes"]:
            problems.append(f"{name}: {size} Bytes statt / bytes instead of {entry['bytes']}")
        elif hashes and _sha256(path) != entry["sha256"]:
            problems.append(f"{name}: SHA-256 stimmt nicht mit dem Manifest überein / does not match the manifest")
    if GRAPH not in files:
        problems.append(f"{GRAPH} steht nicht im Manifest / is not in the manifest")
    elif not problems:
        triples = count_triples(build / GRAPH)
        if triples != expected_triples:
            problems.append(f"{GRAPH}: {triples} Tripel statt / triples instead of {expected_triples}")
    return Verdict(build, problems, manifest, tuple(stamp))


def current_stamp(verdict: Verdict) -> tuple:
    """The current stamp of the files a verdict covered (compare with ``verdict.stamp``)."""
    names = [MANIFEST, *sorted((verdict.manifest or {}).get("files", {}))]
    return tuple(_stamp(verdict.path / name) for name in names)


def count_triples(path: Path) -> int:
    """Triples of an N-Triples file as the build writes it: one per line (a cut last line is not one)."""
    count = 0
    with open(path, "rb") as fh:
        for line in fh:
            if line.endswith(b".\n") or line.endswith(b". \n"):
                count += 1
    return count


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp(path: Path) -> tuple:
    try:
        st = os.stat(path)
        return (str(path.name), st.st_size, st.st_mtime_ns, st.st_ino)
    except OSError:
        return (str(path.name), None, None, None)


def candidates(build_link: Path) -> list[Path]:
    """Builds to fall back to, newest first (by their build id, a UTC time stamp): the finished directories in
    ``.builds/`` next to the build link."""
    builds = Path(build_link).parent / ".builds"
    try:
        found = [p for p in builds.iterdir() if p.is_dir() and not p.name.endswith(".partial")]
    except OSError:
        return []
    return sorted(found, key=build_id, reverse=True)


def build_id(path: Path) -> str:
    """The id in a build's manifest (a UTC time stamp, so ids sort by age), or '' if it cannot be read."""
    try:
        return str(json.loads((path / MANIFEST).read_text(encoding="utf-8"))["build_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""  # unreadable: tried last (and rejected by verify)
