"""The URI stability registry (data/uri-registry.csv): retired URIs answer 410, merged ones 301 – never 404."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL

from kg import registry
from kg.build import ROOT

BASE = "https://integration.region-hannover.example/"
HEADER = "uri_path,status,successor_path,date,reason\n"
ROWS = (
    "/id/massnahme/200,gone,,2024-05-01,Doppelt erfasst; im Bericht gibt es keine Nr. 200\n"
    "/id/massnahme/300,moved,/id/massnahme/301,2024-05-01,Mit Nr. 301 zusammengelegt\n"
    "/id/massnahme/301,moved,/id/massnahme/22,2024-06-01,Zusammengeführt mit Nr. 22\n"
    "/id/drucksache/IV-9998,moved,/id/drucksache/IV-0349,2024-05-01,Tippfehler in der Erfassung\n"
)


def write(path: Path, rows: str) -> Path:
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


@pytest.fixture()
def registry_file(tmp_path) -> Path:
    return write(tmp_path / "uri-registry.csv", ROWS)


@pytest.fixture()
def client(built, registry_file, make_app):
    return make_app(KG_URI_REGISTRY=str(registry_file)).test_client()


# ------------------------------------------------------------------ the committed registry


def test_committed_registry_is_valid_and_has_the_columns():
    path = ROOT / "data" / "uri-registry.csv"
    assert path.read_text(encoding="utf-8").splitlines()[0] == HEADER.strip()
    registry.load(path)  # raises RegistryError naming the line


# ------------------------------------------------------------------ answers


def test_gone_is_410_in_html_json_and_turtle(client):
    html = client.get("/id/massnahme/200")
    assert html.status_code == 410 and html.mimetype == "text/html"
    assert "Doppelt erfasst" in html.get_data(as_text=True) and "Location" not in html.headers
    body = client.get("/id/massnahme/200", headers={"Accept": "application/json"}).get_json()
    assert body["status"] == "gone" and body["uri"] == f"{BASE}id/massnahme/200" and body["date"] == "2024-05-01"
    ttl = client.get("/id/massnahme/200", headers={"Accept": "text/turtle"})
    assert ttl.status_code == 410 and ttl.mimetype == "text/turtle"
    g = Graph().parse(data=ttl.get_data(as_text=True), format="turtle")
    assert (URIRef(f"{BASE}id/massnahme/200"), OWL.deprecated, Literal(True)) in g


def test_moved_is_301_to_the_final_successor_and_says_is_replaced_by(client):
    r = client.get("/id/massnahme/300")
    assert (r.status_code, r.headers["Location"]) == (301, "/id/massnahme/22")  # chain 300 → 301 → 22 in one hop
    ttl = client.get("/id/massnahme/300", headers={"Accept": "text/turtle"})
    assert ttl.status_code == 301 and ttl.headers["Location"] == "/id/massnahme/22"
    g = Graph().parse(data=ttl.get_data(as_text=True), format="turtle")
    assert g.value(URIRef(f"{BASE}id/massnahme/300"), DCTERMS.isReplacedBy) == URIRef(f"{BASE}id/massnahme/22")
    assert client.get("/id/massnahme/300", headers={"Accept": "application/json"}).get_json()["successor_uri"] == \
        f"{BASE}id/massnahme/22"


def test_documents_of_a_moved_uri_move_with_it(client):
    for old, new in [("/doc/massnahme/300", "/doc/massnahme/22"), ("/doc/massnahme/300.ttl", "/doc/massnahme/22.ttl"),
                     ("/doc/massnahme/301.bib", "/doc/massnahme/22.bib"), ("/doc/massnahme/300.csl.json", "/doc/massnahme/22.csl.json")]:
        r = client.get(old)
        assert (r.status_code, r.headers["Location"]) == (301, new)
    assert client.get("/doc/massnahme/200.jsonld").status_code == 410
    assert client.get("/doc/massnahme/200.bib").status_code == 410


def test_query_string_is_kept(client):
    assert client.get("/doc/massnahme/300?format=ttl").headers["Location"] == "/doc/massnahme/22?format=ttl"


def test_following_the_redirects_ends_on_the_successor(client):
    r = client.get("/id/massnahme/300", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert r.status_code == 200 and r.request.path == "/doc/massnahme/22.ttl"


def test_resolvers_lead_to_retired_uris_instead_of_404(client):
    r = client.get("/drucksache", query_string={"ref": "9998 (IV) BDs"})
    assert (r.status_code, r.headers["Location"]) == (303, "/id/drucksache/IV-9998")
    assert client.get(r.headers["Location"]).headers["Location"] == "/id/drucksache/IV-0349"
    r = client.get("/massnahme", query_string={"nr": "200"})
    assert r.status_code == 303 and client.get(r.headers["Location"]).status_code == 410


def test_other_paths_are_untouched(client):
    assert client.get("/id/massnahme/22").status_code == 303
    assert client.get("/id/massnahme/2000").status_code == 404  # never published, not registered


def test_registry_edits_take_effect_without_restart(client, registry_file):
    assert client.get("/id/massnahme/201").status_code == 404
    write(registry_file, ROWS + "/id/massnahme/201,gone,,2024-07-01,Zurückgezogen\n")
    stat = registry_file.stat()
    os.utime(registry_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert client.get("/id/massnahme/201").status_code == 410


def test_a_broken_registry_does_not_take_the_site_down(built, tmp_path, make_app):
    broken = write(tmp_path / "broken.csv", "/id/massnahme/5,vanished,,2024-01-01,x\n")
    client = make_app(KG_URI_REGISTRY=str(broken)).test_client()
    assert client.get("/id/massnahme/5").status_code == 303
    assert client.get("/id/drucksache/").status_code == 200


# ------------------------------------------------------------------ rules


@pytest.mark.parametrize("rows,complaint", [
    ("/id/massnahme/5,vanished,,2024-01-01,x\n", "status"),
    ("/id/massnahme/5,moved,,2024-01-01,x\n", "successor_path"),
    ("/id/massnahme/5,moved,https://evil.example/x,2024-01-01,x\n", "successor_path"),
    ("/id/massnahme/5,moved,//evil.example/id/x,2024-01-01,x\n", "successor_path"),
    ("/id/massnahme/5,moved,/id/../../etc,2024-01-01,x\n", "successor_path"),
    ("/id/massnahme/5,moved,/id/massnahme/5,2024-01-01,x\n", "successor_path"),
    ("/id/massnahme/5,gone,/id/massnahme/6,2024-01-01,x\n", "successor_path"),
    ("/id/massnahme/5,gone,,01.01.2024,x\n", "date"),
    ("/id/massnahme/5,gone,,2024-01-01,\n", "reason"),
    ("/sparql,gone,,2024-01-01,x\n", "uri_path"),
    ("/id/massnahme/5,gone,,2024-01-01,x\n/id/massnahme/5,gone,,2024-01-02,y\n", "doppelt"),
    ("/id/massnahme/5,moved,/id/massnahme/6,2024-01-01,x\n/id/massnahme/6,moved,/id/massnahme/5,2024-01-01,y\n", "kette ohne Ende"),
    ("/id/massnahme/5,moved,/id/massnahme/6,2024-01-01,x\n/id/massnahme/6,gone,,2024-01-01,y\n", "nicht mehr"),
])
def test_invalid_rows_are_refused_naming_the_problem(tmp_path, rows, complaint):
    with pytest.raises(registry.RegistryError, match=complaint):
        registry.load(write(tmp_path / "r.csv", rows))


def test_wrong_header_is_refused(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("path,status\n/id/massnahme/5,gone\n", encoding="utf-8")
    with pytest.raises(registry.RegistryError, match="Kopfzeile"):
        registry.load(path)


def test_missing_file_is_an_empty_registry(tmp_path):
    assert registry.load(tmp_path / "none.csv") == {}
