"""The reverse index /id/drucksache/: every Drucksache by Wahlperiode with the measures citing it."""

from __future__ import annotations

import pytest

from tests.support.htmltree import parse_html

# The index as a SPARQL query anyone can run at /sparql; the test checks it yields what the page shows.
INDEX_BY_GROUP = """
PREFIX ik: <https://integration.region-hannover.example/def/ik#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?gruppe ?key (COUNT(DISTINCT ?massnahme) AS ?massnahmen) WHERE {
  ?drucksache a ik:Drucksache ; dcterms:identifier ?key .
  OPTIONAL { ?drucksache ik:wahlperiode ?wahlperiode }
  OPTIONAL { ?drucksache ik:jahr ?jahr }
  OPTIONAL { ?massnahme a ik:Massnahme ; dcterms:references ?drucksache }
  BIND(IF(BOUND(?jahr), "Nummer/Jahr", ?wahlperiode) AS ?gruppe)
} GROUP BY ?gruppe ?key ORDER BY ?gruppe ?key
"""


@pytest.fixture(scope="module")
def index(client):
    r = client.get("/id/drucksache/", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


def test_groups_are_wahlperioden_newest_first_then_the_old_year_numbering(index):
    assert [g["gruppe"] for g in index["gruppen"]] == ["IV", "III", "Nummer/Jahr"]
    assert [g["label"] for g in index["gruppen"]][0] == "Wahlperiode IV"
    assert index["anzahl"] == sum(g["anzahl"] for g in index["gruppen"]) == 49
    years = index["gruppen"][-1]["drucksachen"]
    assert {d["key"] for d in years} >= {"2009-372", "2009-131"}
    assert all(d["jahr"] for d in years)


def test_counts_of_citing_measures(index):
    by_key = {d["key"]: d for g in index["gruppen"] for d in g["drucksachen"]}
    assert by_key["IV-2832"]["massnahmen"] == [23, 27]
    assert by_key["III-2916"]["massnahmen"] == [16, 22]
    assert by_key["IV-0349"]["massnahmen_anzahl"] == 1
    # cited in chapter 4 only: in the index, with no citing measure
    assert by_key["IV-1193"]["massnahmen_anzahl"] == 0 and by_key["IV-1193"]["titel"]
    assert by_key["2009-131"]["zitierform"] == "II 131/2009 BDs"


def test_same_data_via_sparql(app, index):
    rows = app.extensions["kg"].current.store.select(INDEX_BY_GROUP)
    via_sparql = {(r["gruppe"], r["key"], int(r["massnahmen"])) for r in rows}
    via_http = {(g["gruppe"], d["key"], d["massnahmen_anzahl"]) for g in index["gruppen"] for d in g["drucksachen"]}
    assert via_sparql == via_http


def test_the_query_shown_on_the_page_is_the_one_the_index_runs(app, index):
    rows = app.extensions["kg"].current.store.select(index["sparql"])
    assert {(r["gruppe"], r["key"]) for r in rows} == {(g["gruppe"], d["key"]) for g in index["gruppen"] for d in g["drucksachen"]}


def test_html_page_lists_groups_and_links(client):
    r = client.get("/id/drucksache/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = parse_html(r.data)
    groups = [h.text().split(" (")[0] for h in page.find("main").find_all("h2")]
    assert groups == ["Wahlperiode IV", "Wahlperiode III", "Ältere Zählung Nummer/Jahr"], "newest first, old style last"
    links = {a.get("href") for a in page.find("main").find_all("a")}
    assert {"/id/drucksache/IV-0349", "/id/drucksache/2009-372", "/id/massnahme/2"} <= links
    assert "Accept" in r.headers["Vary"]


def test_format_parameter_and_conditional_get(client):
    r = client.get("/id/drucksache/?format=json")
    assert r.mimetype == "application/json"
    again = client.get("/id/drucksache/?format=json", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/id/drucksache/?format=xml").status_code == 400


def test_drucksachen_redirects_to_the_index(client):
    r = client.get("/drucksachen")
    assert (r.status_code, r.headers["Location"]) == (301, "/id/drucksache/")


def test_each_drucksache_page_finds_its_own_entry(client, index):
    """The pages look up one Drucksache (not the whole index) and find the same entry the index shows."""
    from tests.support.htmltree import parse_html

    for d in (d for g in index["gruppen"] for d in g["drucksachen"]):
        r = client.get(f"/doc/drucksache/{d['key']}?lang=de")
        assert r.status_code == 200, d["key"]
        assert d["zitierform"] in parse_html(r.data).find("main").text()
        paper = client.get(f"/doc/drucksache/{d['key']}.oparl.json").get_json()
        assert [m["nr"] for m in paper.get("ik:zitiertVonMassnahme", [])] == d["massnahmen"]
    for unknown in ("IV-9999", 'IV-0349" } ?x ?y ?z {', "IV-0349\\"):
        assert client.get(f"/doc/drucksache/{unknown}.oparl.json").status_code == 404
