"""Is a build intact? Its manifest against its files: every listed file present with its size and SHA-256 (those of the
on-disk database in ``store/`` too), graph.nt holding as many triples as the manifest says, and the database made
from that graph.nt.

The server checks a build before it serves it and falls back to the newest intact one in ``.builds/``
(:mod:`server.state`); ``kg verify`` runs the same check by hand. A build is written once and never changed, so a
file that differs from the manifest was damaged afterwards (a truncated copy, a full disk, a stray edit).
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "manifest.json"
GRAPH = "graph.nt"


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
    try:
        listed = checked_files(manifest)
    except (KeyError, TypeError, AttributeError) as exc:
        return Verdict(build, [f"{MANIFEST}: Eintrag „store“ unlesbar / entry \"store\" unreadable: {exc}"])
    to_hash = []
    for name, entry in listed.items():
        path = build / name
        try:
            size = path.stat().st_size
        except (OSError, ValueError):  # ValueError: a name with a NUL byte (a damaged manifest)
            problems.append(f"{name} fehlt / is missing")
            continue
        stamp.append(_stamp(path))
        if size != entry["bytes"]:
            problems.append(f"{name}: {size} Bytes statt / bytes instead of {entry['bytes']}")
        elif hashes:
            to_hash.append((name, path, entry["sha256"]))
    # In threads: hashing releases the GIL, so a large build is checked on every core (a server waits for this).
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        digests = list(pool.map(lambda job: _sha256(job[1]), to_hash))
    problems += [f"{name}: SHA-256 stimmt nicht mit dem Manifest überein / does not match the manifest"
                 for (name, _, expected), digest in zip(to_hash, digests, strict=True) if digest != expected]
    if GRAPH not in files:
        problems.append(f"{GRAPH} steht nicht im Manifest / is not in the manifest")
    elif "store" in manifest:
        problems += _store_problems(manifest)
    if GRAPH in files and not problems:
        triples = count_triples(build / GRAPH)
        if triples != expected_triples:
            problems.append(f"{GRAPH}: {triples} Tripel statt / triples instead of {expected_triples}")
    return Verdict(build, problems, manifest, tuple(stamp))


def checked_files(manifest: dict) -> dict[str, dict]:
    """Every file the manifest vouches for, by path in the build: the listed files and those of the on-disk database
    (``store``, kg/build.py), which are checked the same way but are not offered as downloads."""
    listed = dict(sorted(manifest["files"].items()))
    store = manifest.get("store")
    if store:
        listed.update((f"{store['dir']}/{name}", entry) for name, entry in sorted(store["files"].items()))
    return listed


def store_dir(build: Path, manifest: dict) -> Path | None:
    """The build's on-disk database, or None for a build without one (it is then loaded from graph.nt)."""
    store = manifest.get("store")
    return Path(build) / store["dir"] if store else None


def _store_problems(manifest: dict) -> list[str]:
    """The database must hold this build's graph: made from its graph.nt, with as many triples."""
    store, problems = manifest["store"], []
    if store.get("graph_sha256") != manifest["files"][GRAPH]["sha256"]:
        problems.append(f"{store['dir']}/ ist nicht aus diesem {GRAPH} erzeugt / was not made from this {GRAPH}")
    if store.get("triples") != int(manifest["triples"]):
        problems.append(f"{store['dir']}/: {store.get('triples')} Tripel statt / triples instead of {manifest['triples']}")
    return problems


def current_stamp(verdict: Verdict) -> tuple:
    """The current stamp of the files a verdict covered (compare with ``verdict.stamp``)."""
    try:
        names = [MANIFEST, *checked_files(verdict.manifest or {"files": {}})]
    except (KeyError, TypeError, AttributeError):
        names = [MANIFEST]
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
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except (OSError, ValueError):  # gone since it was looked at (or no valid name): it cannot match
        return ""


def _stamp(path: Path) -> tuple:
    try:
        st = os.stat(path)
        return (str(path.name), st.st_size, st.st_mtime_ns, st.st_ino)
    except (OSError, ValueError):
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
