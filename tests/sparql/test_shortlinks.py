"""Short links /abfrage/<id> (content hash, SQLite outside the build, size cap, rate limit) and „In SPARQL öffnen“."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import urlsplit

import pytest
from lxml import html

from kg.namespaces import DEFAULT_BASE
from server.sparql.examples import EXAMPLES
from server.sparql.shortlinks import link_id

PER_FIELD = next(e for e in EXAMPLES if e.slug == "massnahmen-je-handlungsfeld").text(DEFAULT_BASE)


@pytest.fixture()
def make(make_app, tmp_path):
    """Apps whose short links go to this test's own SQLite file."""
    return lambda **settings: make_app(KG_SHORTLINK_DB=str(tmp_path / "abfragen.sqlite"), **settings)


def shorten(client, query: str, address: str = "192.0.2.1"):
    return client.post("/abfrage", data={"query": query}, environ_base={"REMOTE_ADDR": address})


def stored(path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM abfrage").fetchone()[0]


def test_the_same_query_always_gets_the_same_link_and_it_runs_the_query(make, tmp_path):
    client = make().test_client()
    first = shorten(client, PER_FIELD)
    assert first.status_code == 303
    path = urlsplit(first.headers["Location"]).path
    assert path == f"/abfrage/{link_id(PER_FIELD)}" and len(path) == len("/abfrage/") + 12
    assert urlsplit(shorten(client, PER_FIELD).headers["Location"]).path == path
    assert urlsplit(shorten(client, PER_FIELD + " ").headers["Location"]).path != path
    assert stored(tmp_path / "abfragen.sqlite") == 2

    doc = html.fromstring(client.get(path, headers={"Accept": "text/html"}).data.decode())
    assert doc.get_element_by_id("query").text_content() == PER_FIELD
    assert doc.get_element_by_id("result-count").text_content().strip() == "8 Zeilen"
    assert doc.get_element_by_id("shortlink").get("value") == DEFAULT_BASE + path.lstrip("/")
    as_json = client.get(path, headers={"Accept": "application/sparql-results+json"})
    assert len(json.loads(as_json.data)["results"]["bindings"]) == 8


def test_links_live_outside_the_build_and_survive_a_restart(make, built, tmp_path):
    path = urlsplit(shorten(make().test_client(), "ASK {}").headers["Location"]).path
    assert not list(built.glob("**/*.sqlite")) and (tmp_path / "abfragen.sqlite").exists()
    assert make().test_client().get(path, headers={"Accept": "application/sparql-results+json"}).status_code == 200


def test_an_unknown_link_is_a_404_page_with_a_way_back(make):
    client = make().test_client()
    for path in ("/abfrage/aaaaaaaaaaaa", "/abfrage/nicht-da", "/abfrage/" + "a" * 300):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 404
        doc = html.fromstring(response.data.decode())
        assert "Diesen Kurzlink gibt es hier nicht" in doc.get_element_by_id("query-error").text_content()
        assert doc.xpath("//form[@id='query-form' and @action='/sparql']") and doc.xpath("//a[contains(@href, 'format=html')]")


def test_a_client_may_make_only_so_many_new_links_per_hour(make):
    client = make(KG_SHORTLINK_RATE=2).test_client()
    assert shorten(client, "ASK { ?a ?b ?c } # 1").status_code == 303
    assert shorten(client, "ASK { ?a ?b ?c } # 2").status_code == 303
    refused = shorten(client, "ASK { ?a ?b ?c } # 3")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 3601
    assert "zu viele Kurzlinks" in refused.data.decode()
    assert shorten(client, "ASK { ?a ?b ?c } # 1").status_code == 303  # a known query: no write, no count
    assert shorten(client, "ASK { ?a ?b ?c } # 3", address="192.0.2.2").status_code == 303  # another client


def test_the_store_has_a_size_cap_and_old_links_keep_working(make):
    client = make(KG_SHORTLINK_MAX_MB=0.0001).test_client()  # about 100 bytes
    kept = shorten(client, "ASK { ?s ?p ?o }")
    assert kept.status_code == 303
    full = shorten(client, "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # " + "x" * 100)
    assert full.status_code == 507 and "voll" in full.data.decode()
    assert client.get(urlsplit(kept.headers["Location"]).path, headers={"Accept": "application/json"}).status_code == 200


def test_nothing_else_writes_the_store(make, tmp_path):
    client = make().test_client()
    shorten(client, "ASK {}")
    for request in (lambda: client.get("/sparql", query_string={"query": "ASK {}"}),
                    lambda: client.post("/sparql", data={"query": PER_FIELD}),
                    lambda: client.get("/abfrage", query_string={"query": "SELECT * {}"}),
                    lambda: client.put("/abfrage/" + link_id("x"), data="SELECT * {}")):
        request()
    assert stored(tmp_path / "abfragen.sqlite") == 1
    assert client.get("/abfrage").status_code == 405


def test_the_link_to_share_is_on_the_configured_public_address(make):
    public = "https://www.region-hannover.example/integration/"
    client = make(KG_PUBLIC_URL=public).test_client()
    path = urlsplit(shorten(client, PER_FIELD).headers["Location"]).path
    doc = html.fromstring(client.get(path, headers={"Accept": "text/html", "Host": "evil.example"}).data.decode())
    assert doc.get_element_by_id("shortlink").get("value") == public + path.lstrip("/")


def test_too_long_or_empty_queries_get_no_link(make):
    client = make(KG_MAX_QUERY_LENGTH=50).test_client()
    assert shorten(client, "   ").status_code == 400
    assert shorten(client, "SELECT * WHERE { ?s ?p ?o } # " + "y" * 40).status_code == 413


def test_the_result_page_offers_a_short_link(make):
    client = make().test_client()
    doc = html.fromstring(client.get("/sparql", query_string={"query": PER_FIELD, "format": "html"}).data.decode())
    form = doc.xpath("//form[@action='/abfrage']")[0]
    assert form.xpath(".//input[@name='query']")[0].get("value") == PER_FIELD
    assert form.xpath(".//button")


@pytest.mark.parametrize("path", ["/doc/massnahme/22", "/doc/handlungsfeld/gefluechtete", "/doc/oe/51", "/doc/drucksache/IV-0349"])
def test_every_resource_page_opens_a_describing_query_in_sparql(make, path):
    client = make().test_client()
    doc = html.fromstring(client.get(path, headers={"Accept": "text/html"}).data.decode())
    link = doc.xpath("//section[@class='sparql-open']//a")[0]
    assert link.text_content() == "In SPARQL öffnen"
    result = client.get(link.get("href"), headers={"Accept": "text/html"})
    assert result.status_code == 200
    page = html.fromstring(result.data.decode())
    subject = DEFAULT_BASE + "id/" + path.split("/doc/", 1)[1]
    assert f"<{subject}>" in page.get_element_by_id("query").text_content()
    assert int(page.get_element_by_id("result-count").text_content().split()[0]) > 3
