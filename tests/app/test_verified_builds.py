"""Builds are verified before they are served (real gunicorn): a damaged build is never served, the server falls back
to the newest intact build in .builds/ and says why; `kg verify` runs the same check by hand."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from tests.support.builds import reseal
from tests.support.processes import fetch, gunicorn_server, wait_for

pytestmark = pytest.mark.live
KG = Path(sys.executable).parent / "kg"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture()
def two_builds(built, tmp_path) -> tuple[Path, dict, dict]:
    """``srv/build`` -> a newer build B (the real build plus one triple); the real build A stays in ``.builds``."""
    builds = tmp_path / "srv" / ".builds"
    builds.mkdir(parents=True)
    older = builds / "20000101T000000000000Z"
    shutil.copytree(built, older)
    a = reseal(older, older.name)
    newer = builds / "20000102T000000000000Z"
    shutil.copytree(built, newer)
    with open(newer / "graph.nt", "a", encoding="utf-8") as nt:
        nt.write('<https://example.org/b> <https://example.org/p> "only in B" .\n')
    b = reseal(newer, newer.name)
    link = tmp_path / "srv" / "build"
    link.symlink_to(".builds/" + newer.name)
    return link, a, b


def get(url: str, accept: str = "application/sparql-results+json") -> tuple[int, Message, bytes]:
    return fetch(url, accept)


def served(root: str) -> dict:
    """What each part of the server says it serves: SPARQL's triple count, the dump index, the dump itself."""
    status, _, body = get(root + "sparql?" + urllib.parse.urlencode({"query": COUNT + f" # {time.monotonic()}"}))
    triples = int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) if status == 200 else status
    index = json.loads(get(root + "dumps/index.json", "application/json")[2])
    status, headers, dump = get(root + "dumps/graph.nt", "application/n-triples")
    return {"sparql_triples": triples, "index_build": index["build_id"], "index_triples": index["triples"],
            "dump_sha256": hashlib.sha256(dump).hexdigest(), "dump_etag": headers.get("ETag", "").strip('"')}


def as_published(manifest: dict) -> dict:
    sha = manifest["files"]["graph.nt"]["sha256"]
    return {"sparql_triples": manifest["triples"], "index_build": manifest["build_id"], "index_triples": manifest["triples"],
            "dump_sha256": sha, "dump_etag": sha}


def truncate(path: Path, mid_line: bool) -> None:
    data = path.read_bytes()
    cut = data.rindex(b"\n", 0, len(data) // 2) + 1  # half the lines
    path.write_bytes(data[:cut + (40 if mid_line else 0)])


def largest_store_file(build: Path) -> Path:
    """The biggest file of the build's on-disk database (a table file of the graph's triples)."""
    files = json.loads((build / "manifest.json").read_text())["store"]["files"]
    return build / "store" / max(files, key=lambda name: files[name]["bytes"])


def flip_a_byte(path: Path) -> None:
    """Change one byte in the middle: same size, so only the SHA-256 tells."""
    with open(path, "r+b") as fh:
        fh.seek(path.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0xFF]))


DAMAGE = {
    "graph.nt at a line boundary": ("graph.nt", lambda build: truncate(build / "graph.nt", mid_line=False)),
    "graph.nt mid-line": ("graph.nt", lambda build: truncate(build / "graph.nt", mid_line=True)),
    "a store file truncated": ("store/", lambda build: truncate(largest_store_file(build), mid_line=True)),
    "a store file changed in place": ("store/", lambda build: flip_a_byte(largest_store_file(build))),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_build_damaged_while_served_is_replaced_by_the_newest_intact_one(two_builds, damage):
    """Before: graph.nt cut at a line boundary, SPARQL answered 2,472 triples while pages showed 4,472 and the dump kept
    the full file's ETag; cut mid-line, every query failed with 503 „memory limit“. The on-disk database (store/) that
    pages and queries read is checked the same way."""
    link, a, b = two_builds
    named, damage_it = DAMAGE[damage]
    with gunicorn_server(link, {"KG_RELOAD_CHECK_SECONDS": "0.2"}) as server:
        assert served(server.url) == as_published(b)
        damage_it(link.resolve())
        get(server.url + "sparql?query=ASK%7B%7D")  # a query process may open the damaged build now
        assert wait_for(lambda: served(server.url) == as_published(a), 10), served(server.url)
        for _ in range(3):  # and it stays so: every part serves the complete build A
            assert served(server.url) == as_published(a)
        page = get(server.url + "doc/massnahme/1", "text/html")
        assert page[0] == 200
        server.process.terminate()
        server.process.wait(20)
        log = server.log()
    assert "abgelehnt / rejected" in log and named in log, log[-2000:]


@pytest.mark.parametrize("damage", ["graph.nt mid-line", "a store file truncated", "a store file changed in place"])
def test_the_server_starts_on_a_damaged_build_with_the_newest_intact_one(two_builds, damage):
    """Before: a damaged current build killed the gunicorn master at start."""
    link, a, _ = two_builds
    DAMAGE[damage][1](link.resolve())
    with gunicorn_server(link) as server:
        assert served(server.url) == as_published(a)


def test_a_store_not_made_from_the_builds_graph_is_not_served(two_builds):
    """graph.nt changed and its manifest entry rewritten, but the database left as it was: pages and queries would
    answer from another graph than the dumps offer."""
    link, a, b = two_builds
    newer = link.resolve()
    shutil.rmtree(newer / "store")  # A's database, intact and described as in A's manifest, in B with B's count
    shutil.copytree(link.parent / ".builds" / "20000101T000000000000Z" / "store", newer / "store")
    (newer / "manifest.json").write_text(json.dumps({**b, "store": {**a["store"], "triples": b["triples"]}}), encoding="utf-8")
    damaged = subprocess.run([str(KG), "verify", "--out", str(link)], capture_output=True, text=True)
    assert damaged.returncode == 1 and "store/ ist nicht aus diesem graph.nt erzeugt" in damaged.stderr, damaged.stderr
    with gunicorn_server(link) as server:
        assert served(server.url) == as_published(a)


def test_kg_verify_names_the_damage_and_the_build_the_server_falls_back_to(two_builds):
    link, a, b = two_builds
    ok = subprocess.run([str(KG), "verify", "--out", str(link)], capture_output=True, text=True)
    assert ok.returncode == 0 and b["build_id"] in ok.stdout and str(b["triples"]) in ok.stdout
    checked = re.search(r"(\d+) Dateien und (\d+) Dateien der Datenbank store/", ok.stdout)
    assert checked and [int(n) for n in checked.groups()] == [len(b["files"]), len(b["store"]["files"])], ok.stdout
    (link.resolve() / "csv" / "massnahmen.csv").write_text("nr,titel\n1,geändert\n", encoding="utf-8")
    damaged = subprocess.run([str(KG), "verify", "--out", str(link)], capture_output=True, text=True)
    assert damaged.returncode == 1
    assert "csv/massnahmen.csv" in damaged.stderr and a["build_id"] in damaged.stderr, damaged.stderr
    assert "Traceback" not in damaged.stderr


def test_nothing_intact_is_one_clear_line_not_a_traceback(two_builds):
    link, _, _ = two_builds
    for build in link.parent.joinpath(".builds").iterdir():
        (build / "graph.nt").write_bytes(b"")
    env = {**os.environ, "KG_BUILD_DIR": str(link)}
    probe = subprocess.run([sys.executable, "-c", "from server.app import create_app; create_app()"], capture_output=True,
                           text=True, env=env)
    assert probe.returncode != 0 and "Kein intakter Build" in probe.stderr


def test_a_manifest_naming_a_file_with_a_nul_byte_is_damage_not_a_crash(two_builds):
    """Such a name cannot be looked up at all (Python raises ValueError, not OSError): kg verify printed a traceback."""
    link, a, b = two_builds
    manifest = link.resolve() / "manifest.json"
    fields = json.loads(manifest.read_text(encoding="utf-8"))
    fields["files"]["csv/bad\u0000name.csv"] = {"bytes": 1, "sha256": "0" * 64}
    manifest.write_text(json.dumps(fields), encoding="utf-8")
    damaged = subprocess.run([str(KG), "verify", "--out", str(link)], capture_output=True, text=True)
    assert damaged.returncode == 1 and "Traceback" not in damaged.stderr, damaged.stderr
    assert "csv/bad" in damaged.stderr and a["build_id"] in damaged.stderr, damaged.stderr
