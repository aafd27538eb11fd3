"""The build's files over HTTP: ``/dumps/`` (HTML), ``/dumps/index.json`` and ``/dumps/<file>``.

Registered inside the catalog blueprint (server/catalog.py), so the app factory needs no change. Only files the
manifest lists (and the manifest itself) are served, straight from the resolved build directory, with the
manifest's SHA-256 as strong ETag: what the catalog promises is byte for byte what a client gets.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, send_from_directory

from kg.catalog import served_media_type
from server.state import Published

bp = Blueprint("dumps", __name__)

MAX_AGE = 60  # seconds; a new build may appear at any time, revalidation is cheap (ETag / Last-Modified)
MANIFEST = "manifest.json"


def published() -> Published:
    return current_app.extensions["kg"].current


def finish(response: Response, etag: str, modified: float | datetime, machine: bool = True) -> Response:
    """Caching (ETag, Last-Modified, Cache-Control, 304) and CORS for a response that depends only on the build."""
    response.set_etag(etag)
    response.last_modified = modified if isinstance(modified, datetime) else datetime.fromtimestamp(modified, UTC)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    if machine:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


@dataclass(frozen=True)
class DumpFile:
    name: str
    url: str
    bytes: int
    sha256: str
    media_type: str
    modified: str


_manifest_info: dict[str, dict] = {}
_lock = threading.Lock()


def _manifest_entry(build: Published) -> dict:
    """Size and checksum of manifest.json itself (it cannot list its own), computed once per build."""
    with _lock:
        if build.etag not in _manifest_info:
            data = (build.path / MANIFEST).read_bytes()
            _manifest_info.clear()
            _manifest_info[build.etag] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        return _manifest_info[build.etag]


def files(build: Published, base: str) -> list[DumpFile]:
    entries = {**build.manifest["files"], MANIFEST: _manifest_entry(build)}
    modified = build.manifest["created"]
    return [DumpFile(name, f"{base}dumps/{name}", info["bytes"], info["sha256"], served_media_type(name), modified)
            for name, info in sorted(entries.items())]


@bp.get("/dumps/")
def listing():
    build, base = published(), current_app.config["KG_BASE_URI"]
    html = render_template("dumps.html", files=files(build, base), manifest=build.manifest, base=base)
    return finish(Response(html, mimetype="text/html"), f"{build.etag}-dumps-html", build.modified, machine=False)


@bp.get("/dumps/index.json")
def index():
    build, base = published(), current_app.config["KG_BASE_URI"]
    body = {"build_id": build.manifest["build_id"], "created": build.manifest["created"],
            "triples": build.manifest["triples"], "catalog": base + "catalog", "files": [asdict(f) for f in files(build, base)]}
    return finish(jsonify(body), f"{build.etag}-dumps-json", build.modified)


@bp.get("/dumps/<path:name>")
def download(name: str):
    build = published()
    entry = build.manifest["files"].get(name) or (_manifest_entry(build) if name == MANIFEST else None)
    if entry is None:  # only listed files: no directory walking, no .partial leftovers, no traversal
        abort(404)
    response = send_from_directory(build.path, name, mimetype=served_media_type(name), etag=entry["sha256"],
                                   last_modified=build.modified, max_age=MAX_AGE, conditional=True)
    response.cache_control.public = True
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
