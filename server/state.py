"""The published build the server answers from, swapped in when `kg build` switches build/, and the accessors
a request uses to reach it."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from kg.store import RemoteStore, Store


@dataclass(frozen=True)
class Published:
    path: Path           # resolved build directory
    manifest: dict
    store: Store
    modified: float      # POSIX time of the build, for Last-Modified

    @property
    def etag(self) -> str:
        return self.manifest["build_id"]


class BuildState:
    """Holds the current build; a failed or partial build never replaces it."""

    def __init__(self, build_dir: str, check_seconds: float = 2.0, sparql_endpoint: str = "") -> None:
        self.build_dir = Path(build_dir)
        self.sparql_endpoint = sparql_endpoint  # when set, queries go to this engine instead of the embedded store
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._current: Published | None = None
        self._checked = 0.0
        self._load()

    def _load(self) -> None:
        target = self.build_dir.resolve()
        if self._current and self._current.path == target:
            return
        manifest_path = target / "manifest.json"
        if not manifest_path.exists():
            if self._current is None:
                raise FileNotFoundError(f"{manifest_path} fehlt: zuerst `kg build` ausführen / run `kg build` first")
            return
        manifest = json.loads(manifest_path.read_text())
        store = RemoteStore(self.sparql_endpoint) if self.sparql_endpoint else Store.from_ntriples(target / "graph.nt")
        self._current = Published(target, manifest, store, os.stat(manifest_path).st_mtime)

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


# ------------------------------------------------------------------ what a request works on

def init_app(app: Flask) -> None:
    app.extensions["kg"] = BuildState(
        app.config["KG_BUILD_DIR"], app.config["KG_RELOAD_CHECK_SECONDS"], app.config["KG_SPARQL_ENDPOINT"])


def published() -> Published:
    """The build being served (a newer one is picked up by BuildState on its own)."""
    return current_app.extensions["kg"].current


def base() -> str:
    """The base this server maps its own host onto (``KG_BASE_URI``)."""
    return current_app.config["KG_BASE_URI"]


def data_base() -> str:
    """The base of the URIs in the graph being served (the build's; the server config normally repeats it)."""
    return published().manifest.get("base_uri") or base()
