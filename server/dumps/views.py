"""The build's files over HTTP: ``/dumps/`` (HTML), ``/dumps/index.json`` and ``/dumps/<file>``.

Only files the manifest lists (and the manifest itself) are served, straight from the resolved build directory, with the
manifest's SHA-256 as strong ETag: what the catalog promises is byte for byte what a client gets.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

from flask import Blueprint, Flask, Response, abort, jsonify, render_template, send_from_directory

from kg.catalog import served_media_type
from server.caches import per_build
from server.state import Published, base, published
from server.web.caching import MAX_AGE, for_build
from server.web.cors import open_to_all

bp = Blueprint("dumps", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class DumpFile:
    name: str
    url: str
    bytes: int
    sha256: str
    media_type: str
    modified: str


def _manifest_entry(build: Published) -> dict:
    """Size and checksum of manifest.json itself (it cannot list its own), computed once per build."""
    def measure(b: Published) -> dict:
        data = (b.path / MANIFEST).read_bytes()
        return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return per_build("dumps|manifest", build, measure)


def files(build: Published, base: str) -> list[DumpFile]:
    entries = {**build.manifest["files"], MANIFEST: _manifest_entry(build)}
    modified = build.manifest["created"]
    return [DumpFile(name, f"{base}dumps/{name}", info["bytes"], info["sha256"], served_media_type(name), modified)
            for name, info in sorted(entries.items())]


@bp.get("/dumps/")
def listing():
    build, root = published(), base()
    html = render_template("dumps/listing.html", files=files(build, root), manifest=build.manifest, base=root)
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
                                   last_modified=build.modified, max_age=MAX_AGE, conditional=True)
    response.cache_control.public = True
    return open_to_all(response)
