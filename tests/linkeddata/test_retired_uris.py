"""The URI stability registry (data/uri-registry.csv): retired URIs answer 410, merged ones 301 – never 404."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS, XSD

from kg import registry
from kg.build import ROOT
from server import uri_registry

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


# ------------------------------------------------------------------ what each answer says, in every format


def test_a_gone_uri_states_its_date_and_reason_as_rdf_and_json(client):
    ttl = client.get("/id/massnahme/200", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=ttl.get_data(as_text=True), format="turtle")
    subject = URIRef(f"{BASE}id/massnahme/200")
    assert g.value(subject, DCTERMS.date) == Literal("2024-05-01", datatype=XSD.date)
    assert g.value(subject, RDFS.comment) == Literal("Doppelt erfasst; im Bericht gibt es keine Nr. 200", lang="de")
    assert g.value(subject, DCTERMS.isReplacedBy) is None
    body = client.get("/doc/massnahme/200.bib", headers={"Accept": "application/json"})
    assert body.status_code == 410
    assert body.get_json() == {"status": "gone", "http_status": 410, "uri": f"{BASE}id/massnahme/200",
                               "path": "/doc/massnahme/200.bib", "date": "2024-05-01",
                               "reason": "Doppelt erfasst; im Bericht gibt es keine Nr. 200"}


def test_a_moved_documents_json_names_where_it_went_and_the_successor_uri(client):
    body = client.get("/doc/massnahme/300.ttl", headers={"Accept": "application/json"})
    assert body.status_code == 301 and body.headers["Location"] == "/doc/massnahme/22.ttl"
    assert body.get_json() == {"status": "moved", "http_status": 301, "uri": f"{BASE}id/massnahme/300",
                               "path": "/doc/massnahme/300.ttl", "date": "2024-05-01",
                               "reason": "Mit Nr. 301 zusammengelegt", "successor_path": "/doc/massnahme/22.ttl",
                               "successor_uri": f"{BASE}id/massnahme/22"}
    ttl = client.get("/id/massnahme/300", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=ttl.get_data(as_text=True), format="turtle")
    assert (URIRef(f"{BASE}id/massnahme/300"), OWL.deprecated, None) not in g


def test_a_document_moved_to_a_document_path_redirects_there_unchanged(tmp_path, built, make_app):
    rows = "/doc/massnahme/400,moved,/doc/massnahme/22,2024-05-01,Dokument verschoben\n" \
           "/id/massnahme/401,moved,/doc/massnahme/22.ttl,2024-05-01,Auf das Dokument verwiesen\n"
    client = make_app(KG_URI_REGISTRY=str(write(tmp_path / "r.csv", rows))).test_client()
    r = client.get("/doc/massnahme/400")
    assert (r.status_code, r.headers["Location"]) == (301, "/doc/massnahme/22")
    r = client.get("/doc/massnahme/401.bib")  # the successor is no /id/ path: no document of it to derive
    assert (r.status_code, r.headers["Location"]) == (301, "/doc/massnahme/22.ttl")
    assert client.get("/doc/massnahme/400.ttl").status_code == 404  # only /id/ rows cover documents with extensions


def test_the_committed_registry_is_what_the_app_reads_by_default(built, make_app):
    client = make_app(KG_URI_REGISTRY="").test_client()
    assert registry.load(ROOT / "data" / "uri-registry.csv") == {}
    assert client.get("/id/massnahme/22").status_code == 303
    assert client.get("/id/massnahme/200").status_code == 404


# ------------------------------------------------------------------ reading rows


def test_cells_are_trimmed_and_the_status_read_in_any_case(tmp_path):
    rows = " /id/massnahme/5 , Gone ,, 2024-01-01 , Zurückgezogen \n/id/massnahme/6,MOVED, /id/massnahme/7 ,2024-01-01,x\n"
    entries = registry.load(write(tmp_path / "r.csv", rows))
    assert entries == {
        "/id/massnahme/5": registry.Entry("/id/massnahme/5", "gone", None, "2024-01-01", "Zurückgezogen"),
        "/id/massnahme/6": registry.Entry("/id/massnahme/6", "moved", "/id/massnahme/7", "2024-01-01", "x"),
    }


def test_a_uri_path_climbing_out_is_refused(tmp_path):
    with pytest.raises(registry.RegistryError, match="uri_path"):
        registry.load(write(tmp_path / "r.csv", "/id/massnahme/../../sparql,gone,,2024-01-01,x\n"))


def chain(length: int) -> str:
    """``length`` moved rows, each to the next; the last one's successor is not registered."""
    return "".join(f"/id/massnahme/{500 + i},moved,/id/massnahme/{501 + i},2024-01-01,x\n" for i in range(length))


def test_a_chain_of_moves_is_followed_up_to_its_bound_and_refused_beyond(tmp_path):
    longest = registry.MAX_CHAIN + 1  # the row asked for and MAX_CHAIN rows after it
    entries = registry.load(write(tmp_path / "ok.csv", chain(longest)))
    hit = registry.lookup(entries, "/id/massnahme/500")
    assert (hit.location, hit.replaced_by) == (f"/id/massnahme/{500 + longest}",) * 2
    with pytest.raises(registry.RegistryError, match="kette ohne Ende"):
        registry.load(write(tmp_path / "long.csv", chain(longest + 1)))


def test_only_registered_paths_count_as_registered(client):
    with client.application.app_context():
        assert uri_registry.is_registered("/id/massnahme/200")
        assert not uri_registry.is_registered("/id/massnahme/22")
