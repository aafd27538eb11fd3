"""/dumps/: the listing (HTML and JSON) and the files, byte for byte as the manifest states, and nothing else."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest

from tests.support.htmltree import parse_html, table_rows

BASE = "http://test.example/"


@pytest.fixture(scope="module")
def client(built, make_app):
    return make_app(KG_BASE_URI=BASE).test_client()


@pytest.fixture(scope="module")
def manifest(built) -> dict:
    return json.loads((built / "manifest.json").read_text())


def test_json_listing_names_every_file_with_size_checksum_and_date(client, manifest):
    response = client.get("/dumps/index.json")
    assert response.mimetype == "application/json" and response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["build_id"] == manifest["build_id"] and body["triples"] == manifest["triples"]
    files = {f["name"]: f for f in body["files"]}
    assert set(files) == set(manifest["files"]) | {"manifest.json"}
    for name, info in manifest["files"].items():
        assert (files[name]["bytes"], files[name]["sha256"]) == (info["bytes"], info["sha256"])
        assert files[name]["url"] == f"{BASE}dumps/{name}" and files[name]["modified"] == manifest["created"]


def test_html_listing_links_every_file(client, manifest):
    response = client.get("/dumps/")
    page = parse_html(response.data)
    assert response.mimetype == "text/html" and "Access-Control-Allow-Origin" not in response.headers
    assert page.find("html").get("lang") == "de"
    # One table per group of files (graph, tables, reports): every file of the build is in one of them.
    rows = {r[0].find("a").get("href"): " ".join(c.text() for c in r)
            for table in page.find_all("table") for r in table_rows(table) if r[0].find("a")}
    assert len(rows) >= len(manifest["files"])
    for name, info in manifest["files"].items():
        assert info["sha256"] in rows[f"/dumps/{name}"], name


@pytest.mark.parametrize(("name", "mimetype"), [
    ("graph.ttl", "text/turtle"), ("graph.nt", "application/n-triples"), ("graph.jsonld", "application/ld+json"),
    ("graph.rdf", "application/rdf+xml"), ("graph.nt.gz", "application/gzip"), ("csv/massnahmen.csv", "text/csv"),
    ("quality.json", "application/json"), ("manifest.json", "application/json")])
def test_files_are_served_as_listed(client, manifest, built, name, mimetype):
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.data == (built / name).read_bytes()
    assert "Content-Encoding" not in response.headers  # gzip stays a gzip file; its checksum is the file's
    sha = hashlib.sha256(response.data).hexdigest()
    if name in manifest["files"]:
        assert sha == manifest["files"][name]["sha256"]
    assert response.headers["ETag"] == f'"{sha}"' and response.headers["Last-Modified"]
    assert response.headers["Access-Control-Allow-Origin"] == "*" and "max-age" in response.headers["Cache-Control"]


def test_gzip_dump_holds_the_n_triples(client, built):
    assert gzip.decompress(client.get("/dumps/graph.nt.gz").data) == (built / "graph.nt").read_bytes()


def test_conditional_requests(client):
    first = client.get("/dumps/graph.ttl")
    assert client.get("/dumps/graph.ttl", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get("/dumps/graph.ttl", headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    listing = client.get("/dumps/index.json")
    assert client.get("/dumps/index.json", headers={"If-None-Match": listing.headers["ETag"]}).status_code == 304
    assert client.head("/dumps/graph.nt").status_code == 200


@pytest.mark.parametrize("path", [
    "/dumps/../pyproject.toml", "/dumps/%2e%2e/pyproject.toml", "/dumps/..%2fpyproject.toml", "/dumps/csv/../../catalog.toml",
    "/dumps//etc/passwd", "/dumps/csv/", "/dumps/csv", "/dumps/graph.ttl.bak", "/dumps/.builds", "/dumps/%00"])
def test_nothing_outside_the_manifest_is_served(client, path):
    assert client.get(path, follow_redirects=True).status_code == 404


@pytest.mark.parametrize("url", ["/dumps/", "/catalog", "/catalog/dataset/wissensgraph"])
def test_the_version_is_a_date_people_read(client, manifest, url):
    """„Stand“ as people write the day, the exact time for machines in the time element."""
    page = parse_html(client.get(url + "?lang=de").data)
    stamp = page.find("time", datetime=manifest["created"])
    year, month, day = (int(part) for part in manifest["created"][:10].split("-"))
    months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"]
    assert stamp is not None and stamp.text() == f"{day}. {months[month - 1]} {year}"
