"""The published build the server answers from, swapped in when `kg build` switches build/, and the accessors
a request uses to reach it."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from kg.store import RemoteStore, Store
from kg.verify import GRAPH, MANIFEST, Verdict, candidates, current_stamp, store_dir, verify
from kg.verify import build_id as verify_id


@dataclass(frozen=True)
class Published:
    path: Path           # resolved build directory
    manifest: dict
    store: Store
    modified: float      # POSIX time of the build, for Last-Modified

    @property
    def etag(self) -> str:
        return self.manifest["build_id"]

    @property
    def database(self) -> Path | None:
        """The build's on-disk database (``store/``), or None: then graph.nt is parsed into memory."""
        return store_dir(self.path, self.manifest)


class BuildUnavailable(RuntimeError):
    """No intact build to serve: neither the current one nor any in .builds/."""


class BuildState:
    """Holds the current build; a failed, partial or damaged build never replaces it.

    A build is served only after its manifest is checked (:func:`kg.verify.verify`: sizes, SHA-256, triple count).
    While it is served, its files are looked at again every ``check_seconds`` (sizes and times only); a build
    that was damaged meanwhile, or a new one that does not pass, makes the server fall back to the newest intact build
    in ``.builds/`` (logged with the reason). A rejected build is checked again only when its files change.
    """

    def __init__(self, build_dir: str, check_seconds: float = 2.0, sparql_endpoint: str = "",
                 log: logging.Logger | None = None) -> None:
        self.build_dir = Path(build_dir)
        self.sparql_endpoint = sparql_endpoint  # when set, queries go to this engine instead of the embedded store
        self.check_seconds = check_seconds
        self.log = log or logging.getLogger(__name__)
        self._lock = threading.Lock()
        self._current: Published | None = None
        self._verdict: Verdict | None = None
        self._rejected: dict[Path, tuple] = {}  # build -> stamp of its files when it was rejected
        self._lost: tuple | None = None  # the served build and its stamp when "no intact build left" was logged
        self._checked = 0.0
        self._load()

    def _load(self) -> None:
        target = self.build_dir.resolve()
        current = self._current
        current_intact = current is not None and current_stamp(self._verdict) == self._verdict.stamp
        if current_intact and current.path == target:
            return  # still the same, unchanged build
        for path in [target, *self._fallbacks(target)]:
            if current_intact and path == current.path:
                return  # the intact build already served is the best there is (why the others are not: logged)
            published = self._verified(path)
            if published is not None:
                if path != target:
                    self.log.warning("Build %s nicht verwendbar; es gilt der letzte intakte Build %s / "
                                     "build %s unusable; serving the newest intact build %s", target.name, path.name,
                                     target.name, path.name)
                self._current = published
                return
        if current_intact:
            return
        if current is None:
            raise BuildUnavailable(f"Kein intakter Build in {self.build_dir} oder {self.build_dir.parent / '.builds'}: "
                                   "zuerst `kg build` ausführen (Gründe: `kg verify`) / no intact build: run `kg build`")
        lost = (current.path, current_stamp(self._verdict))
        if self._lost != lost:  # once per state of the served build's files, not at every check
            self._lost = lost
            self.log.error("Kein intakter Build mehr, auch %s nicht; er wird weiter bedient, bis ein intakter kommt / "
                           "no intact build left, not even %s; still serving it until an intact one comes",
                           current.path.name, current.path.name)

    def _fallbacks(self, target: Path) -> list[Path]:
        """Intact-looking builds older than ``target``, newest first (a newer one than the link names is not wanted)."""
        older = [p for p in candidates(self.build_dir) if p.resolve() != target]
        target_id = verify_id(target)
        return [p.resolve() for p in older if not target_id or verify_id(p) < target_id]

    def _verified(self, path: Path) -> Published | None:
        rejected = self._rejected.get(path)
        if rejected is not None and rejected == _stamp_of(path):
            return None  # unchanged since it was rejected
        verdict = verify(path)
        if not verdict.intact:
            self._reject(path, verdict.problems)
            return None
        database = store_dir(path, verdict.manifest)
        source = database.name + "/" if database else GRAPH
        try:
            if self.sparql_endpoint:
                store = RemoteStore(self.sparql_endpoint)
            elif database:  # opened in milliseconds, shared with the query processes through the page cache
                store = Store.open_read_only(database)
            else:  # a build from before the on-disk database: parsed into memory
                store = Store.from_ntriples(path / GRAPH)
        except (OSError, ValueError, SyntaxError, RuntimeError) as exc:  # RuntimeError: RocksDB's "Corruption: …"
            self._reject(path, [f"{source} lässt sich nicht laden / cannot be loaded: {exc}"])
            return None
        # Counting a database's triples reads all of it (0.3 s at 100×); its files' SHA-256 and its recorded count were
        # just checked (kg/verify.py), so only a parsed graph.nt is counted.
        if not self.sparql_endpoint and not database and len(store) != int(verdict.manifest["triples"]):
            self._reject(path, [f"{source}: {len(store)} Tripel geladen statt / loaded instead of {verdict.manifest['triples']}"])
            return None
        self._verdict = verdict
        return Published(path, verdict.manifest, store, os.stat(path / MANIFEST).st_mtime)

    def _reject(self, path: Path, problems: list[str]) -> None:
        self._rejected[path] = _stamp_of(path)
        self.log.warning("Build %s abgelehnt / rejected: %s", path.name, "; ".join(problems))

    def recheck(self) -> Published:
        """Look at the build again now (e.g. a served file no longer matches its manifest)."""
        with self._lock:
            self._checked = time.monotonic()
            self._load()
            return self._current

    @property
    def current(self) -> Published:
        now = time.monotonic()
        if now - self._checked > self.check_seconds:
            with self._lock:
                if now - self._checked > self.check_seconds:
                    self._checked = now
                    try:
                        self._load()
                    except (OSError, ValueError):
                        pass  # keep serving the previous build
        return self._current


def _stamp_of(path: Path) -> tuple:
    """What a rejected build looked like: its directory's and manifest's stamps and its file sizes."""
    return current_stamp(Verdict(path, manifest=_manifest_or_none(path)))


def _manifest_or_none(path: Path) -> dict | None:
    try:
        return json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# ------------------------------------------------------------------ what a request works on

def init_app(app: Flask) -> None:
    app.extensions["kg"] = BuildState(
        app.config["KG_BUILD_DIR"], app.config["KG_RELOAD_CHECK_SECONDS"], app.config["KG_SPARQL_ENDPOINT"], app.logger)


def published() -> Published:
    """The build being served (a newer one is picked up by BuildState on its own)."""
    return current_app.extensions["kg"].current


def base() -> str:
    """The base this server maps its own host onto (``KG_BASE_URI``)."""
    return current_app.config["KG_BASE_URI"]


def data_base() -> str:
    """The base of the URIs in the graph being served (the build's; the server config normally repeats it)."""
    return published().manifest.get("base_uri") or base()
