"""The build's files over HTTP: ``/dumps/`` (HTML), ``/dumps/index.json`` and ``/dumps/<file>``.

Only files the manifest lists (and the manifest itself) are served, straight from the resolved build directory, with the
manifest's SHA-256 as strong ETag: what the catalog promises is byte for byte what a client gets.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, render_template, send_from_directory

from kg.catalog import SETTINGS_PATH, load_settings, served_media_type
from server.caches import per_build, per_file
from server.i18n import current_lang
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


def _as_listed(build: Published, name: str, entry: dict) -> bool:
    """The file still has the size its manifest promises (a cheap look; the full check is server.state's)."""
    try:
        return (build.path / name).stat().st_size == entry["bytes"]
    except OSError:
        return False


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


ZIP_NAME = "integrationskonzept-region-hannover.zip"
# Which group a file belongs to on the page for people (first match of its name), with what it is for.
GROUPS = (("xlsx/", "spreadsheet"), ("csv/", "csv"), ("graph.", "rdf"), ("", "about"))
# RDF dumps are downloaded, not shown as a page of text in the browser.
ATTACHMENTS = (".ttl", ".nt", ".nt.gz", ".jsonld", ".rdf")


def size_text(n: int, lang: str) -> str:
    """Bytes for people: 912 B, 6,2 kB, 1,4 MB (decimal, as file managers show them)."""
    if n < 1000:
        return f"{n} B"
    value, unit = (n / 1000, "kB") if n < 1_000_000 else (n / 1_000_000, "MB")
    text = f"{value:.1f}" if value < 100 else f"{value:.0f}"
    return f"{text if lang == 'en' else text.replace('.', ',')} {unit}"


def _licence():
    path = Path(current_app.config.get("KG_CATALOG_SETTINGS") or SETTINGS_PATH)
    conf = per_file(path, load_settings)
    return {"uri": conf.licence, "label": conf.licence_label, "attribution": conf.attribution}


def grouped(listed: list[DumpFile]) -> list[tuple[str, list[DumpFile]]]:
    groups: dict[str, list[DumpFile]] = {name: [] for _, name in GROUPS}
    for f in listed:
        groups[next(name for prefix, name in GROUPS if f.name.startswith(prefix))].append(f)
    return [(name, members) for name, members in groups.items() if members]


def _zip(build: Published) -> bytes:
    """Every listed file in one ZIP (made once per build; the real data's files are a few MB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(build.manifest["files"]):
            archive.write(build.path / name, name)
        archive.write(build.path / MANIFEST, MANIFEST)
    return out.getvalue()


@bp.get("/dumps/")
def listing():
    build, root = published(), base()
    listed = files(build, root)
    zipped = per_build("dumps|zip", build, _zip)
    html = render_template("dumps/listing.html", files=listed, groups=grouped(listed), manifest=build.manifest, base=root,
                           size=lambda n: size_text(n, current_lang()), licence=_licence(), zip_name=ZIP_NAME,
                           zip_size=len(zipped))
    return for_build(Response(html, mimetype="text/html"), f"{build.etag}-dumps-html", build.modified, machine=False)


@bp.get("/dumps/index.json")
def index():
    build, root = published(), base()
    body = {"build_id": build.manifest["build_id"], "created": build.manifest["created"],
            "triples": build.manifest["triples"], "catalog": root + "catalog", "files": [asdict(f) for f in files(build, root)]}
    return for_build(jsonify(body), f"{build.etag}-dumps-json", build.modified)


@bp.get(f"/dumps/{ZIP_NAME}")
def everything():
    build = published()
    response = Response(per_build("dumps|zip", build, _zip), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{ZIP_NAME}"'
    return for_build(response, f"{build.etag}-dumps-zip", build.modified)


@bp.get("/dumps/<path:name>")
def download(name: str):
    build = published()
    entry = build.manifest["files"].get(name) or (_manifest_entry(build) if name == MANIFEST else None)
    if entry is None:  # only listed files: no directory walking, no .partial leftovers, no traversal
        abort(404)
    if not _as_listed(build, name, entry):  # damaged since it was checked: fall back to an intact build
        build = current_app.extensions["kg"].recheck()
        entry = build.manifest["files"].get(name) or (_manifest_entry(build) if name == MANIFEST else None)
        if entry is None or not _as_listed(build, name, entry):
            abort(503)
    response = send_from_directory(build.path, name, mimetype=served_media_type(name), etag=entry["sha256"],
                                   last_modified=build.modified, max_age=MAX_AGE, conditional=True)
    response.cache_control.public = True
    if name.endswith(ATTACHMENTS):
        response.headers["Content-Disposition"] = f'attachment; filename="{name.rsplit("/", 1)[-1]}"'
    return open_to_all(response)
