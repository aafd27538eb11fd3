"""The build's files over HTTP: ``/dumps/`` (HTML), ``/dumps/index.json`` and ``/dumps/<file>``.

Registered inside the catalog blueprint (server/catalog.py), so the app factory needs no change. Only files the
manifest lists (and the manifest itself) are served, straight from the resolved build directory, with the
manifest's SHA-256 as strong ETag: what the catalog promises is byte for byte what a client gets.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import asdict, dataclass

from flask import Blueprint, Response, abort, jsonify, render_template, send_from_directory

from kg.catalog import served_media_type
from server import caching
from server.caching import for_build
from server.current import base, published
from server.state import Published

bp = Blueprint("dumps", __name__)

MANIFEST = "manifest.json"


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
    build, root = published(), base()
    html = render_template("dumps.html", files=files(build, root), manifest=build.manifest, base=root)
    return for_build(Response(html, mimetype="text/html"), f"{build.etag}-dumps-html", build.modified, machine=False)


@bp.get("/dumps/index.json")
def index():
    build, root = published(), base()
    body = {"build_id": build.manifest["build_id"], "created": build.manifest["created"],
            "triples": build.manifest["triples"], "catalog": root + "catalog", "files": [asdict(f) for f in files(build, root)]}
    return for_build(jsonify(body), f"{build.etag}-dumps-json", build.modified)


@bp.get("/dumps/<path:name>")
def download(name: str):
    build = published()
    entry = build.manifest["files"].get(name) or (_manifest_entry(build) if name == MANIFEST else None)
    if entry is None:  # only listed files: no directory walking, no .partial leftovers, no traversal
        abort(404)
    response = send_from_directory(build.path, name, mimetype=served_media_type(name), etag=entry["sha256"],
                                   last_modified=build.modified, max_age=caching.MAX_AGE, conditional=True)
    response.cache_control.public = True
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
