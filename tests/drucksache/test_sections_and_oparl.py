"""Drucksache page sections (drucksache/section_drucksache.html), the functions behind them, and the OParl view."""

from __future__ import annotations

import re

import pytest

from server.drucksache.documents import drucksache_details
from tests.support.htmltree import Element, definitions, parse_html, table_rows
from tests.support.servers import routed, section_html

BASE = "https://integration.region-hannover.example/"
RIS = "https://ris.example/vorlage?wp={wahlperiode}&nr={nummer:04d}"


@pytest.fixture(scope="module")
def ris_app(built, make_app):
    return make_app(KG_RIS_URL_TEMPLATE=RIS)


def render_extra(app, key: str) -> str:
    """The sections of the Drucksache page, as server.linkeddata renders them on /doc/drucksache/{key}."""
    return section_html(app, "drucksache", f"{BASE}id/drucksache/{key}")


# ------------------------------------------------------------------ context functions


def test_details_of_a_drucksache_cited_by_two_measures(app):
    with app.test_request_context("/"):
        d = drucksache_details(f"{BASE}id/drucksache/IV-2832")
    assert (d["nummer"], d["wahlperiode"], d["jahr"], d["art_text"]) == (2832, "IV", None, "Beschlussdrucksache")
    assert [m.nr for m in d["measures"]] == [23, 27]
    assert d["angaben"][27] == ["2832 (IV) BDs (aktive Eltern)", "2832 (IV) BDs (übrige Willkommensorte)"]
    assert "3266 (IV) BDs (Willkommensorte Garbsen)" not in d["angaben"][27]  # another Drucksache of measure 27
    assert set(d["zitiert_als"]) == {"2832 (IV) BDs", "2832 (IV) BDs (aktive Eltern)", "2832 (IV) BDs (übrige Willkommensorte)"}
    assert d["ris_url"] is None


def test_details_say_when_the_report_gives_no_type(app):
    with app.test_request_context("/"):
        d = drucksache_details(f"{BASE}id/drucksache/2009-372")
    assert d["art_text"] == "im Bericht nicht angegeben" and d["jahr"] == 2009


def test_details_of_other_uris_are_none(app):
    with app.test_request_context("/"):
        assert drucksache_details(f"{BASE}id/massnahme/1") is None
        assert drucksache_details(f"{BASE}id/drucksache/IV-9999") is None
        assert drucksache_details('x"> <script>') is None
        assert drucksache_details(None) is None


# ------------------------------------------------------------------ the include template


def section(app, key: str) -> Element:
    return parse_html(render_extra(app, key))


def test_include_shows_measures_number_wahlperiode_type_and_citations(app):
    page = section(app, "IV-2832")
    facts = definitions(page)
    assert {k: facts[k].text() for k in ("Nummer", "Wahlperiode", "Art")} == {
        "Nummer": "2832", "Wahlperiode": "IV", "Art": "Beschlussdrucksache"}
    assert [li.text() for li in facts["Im Bericht zitiert als"].find_all("li")] == [
        "„2832 (IV) BDs“", "„2832 (IV) BDs (aktive Eltern)“", "„2832 (IV) BDs (übrige Willkommensorte)“"]
    rows = table_rows(page.find("table"))
    assert [(r[0].text(), r[1].find("a").get("href"), r[1].text()) for r in rows] == [
        ("23", "/id/massnahme/23", "FlüKi Flüchtlingskinder"),
        ("27", "/id/massnahme/27", "Programm „Willkommensorte“ und „Aktive Eltern“")]
    assert [(r[2].text(), r[3].text()) for r in rows] == [
        ("Bildung und Sprache", "Niedrigschwelligen Zugang zum deutschen Bildungssystem ermöglichen"),
        ("Bildung und Sprache", "Elternkompetenz verbessern und stärken")]
    assert rows[1][4].text() == "„2832 (IV) BDs (aktive Eltern)“; „2832 (IV) BDs (übrige Willkommensorte)“"
    assert "/doc/drucksache/IV-2832.oparl.json" in {a.get("href") for a in page.find_all("a")}


def test_include_for_chapter_4_drucksache_without_measures(app):
    page = section(app, "IV-1193")
    facts = definitions(page)
    assert facts["Titel"].text() == "Bekräftigung der Positionen beider Resolutionen"
    assert facts["Fundstelle im Bericht"].text() == "Kapitel 4"
    assert page.find("table") is None
    assert any(p.text().startswith("Keine Maßnahme") and "Kapitel 4" in p.text() for p in page.find_all("p"))


def test_include_says_type_not_given(app):
    facts = definitions(section(app, "2009-372"))
    assert facts["Art"].text() == "im Bericht nicht angegeben"
    assert "Wahlperiode" not in facts and facts["Jahr (ältere Zählung Nummer/Jahr)"].text() == "2009"


def test_no_council_link_unless_configured(app, ris_app):
    assert section(app, "IV-0349").find("a", rel="external") is None
    link = section(ris_app, "IV-0349").find("a", rel="external")
    assert link.get("href") == "https://ris.example/vorlage?wp=IV&nr=0349"
    # the template needs a Wahlperiode that 372/2009 does not have: no link rather than a wrong one
    assert section(ris_app, "2009-372").find("a", rel="external") is None


def test_include_is_silent_for_unknown_uris(app):
    assert render_extra(app, "IV-9999").strip() == ""


def test_the_real_drucksache_page(app):
    assert routed(app, "/doc/drucksache/IV-0349")
    r = app.test_client().get("/doc/drucksache/IV-0349", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = parse_html(r.data)
    facts = definitions(page)
    assert facts["Art"].text() == "Beschlussdrucksache"
    assert "„0349 (IV) BDs“" in [li.text() for li in facts["Im Bericht zitiert als"].find_all("li")]
    citing = table_rows(page.find("section", aria_labelledby="drucksache-massnahmen").find("table"))
    assert [(r[0].text(), r[1].find("a").get("href")) for r in citing] == [("2", "/id/massnahme/2")]


# ------------------------------------------------------------------ OParl


def test_oparl_paper_fields(app):
    r = app.test_client().get("/doc/drucksache/IV-0349.oparl.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    p = r.get_json()
    assert p["type"] == "https://schema.oparl.org/1.1/Paper"
    assert p["id"] == f"{BASE}doc/drucksache/IV-0349.oparl.json"
    assert p["reference"] == "0349 (IV) BDs" and p["paperType"] == "Beschlussdrucksache"
    assert p["web"] == f"{BASE}doc/drucksache/IV-0349"
    assert "date" not in p and "body" not in p and "mainFile" not in p  # not in the report: not invented
    assert [m["nr"] for m in p["ik:zitiertVonMassnahme"]] == [2]
    assert set(p["ik:nichtAngegeben"]) == {"name", "date"}
    assert not set(p["ik:nichtAngegeben"]) & set(p), "a field said to be not given is not written either"
    # every non-OParl property carries the vendor prefix
    oparl = {"id", "type", "name", "reference", "date", "paperType", "web", "keyword"}
    assert all(k in oparl or k.startswith("ik:") for k in p)


def test_oparl_papers_leave_out_empty_lists_and_never_write_a_field_they_call_not_given(app):
    for entry in app.test_client().get("/id/drucksache/?format=json").get_json()["gruppen"]:
        for d in entry["drucksachen"]:
            p = app.test_client().get(f"/doc/drucksache/{d['key']}.oparl.json").get_json()
            assert all(value != [] for value in p.values()), (d["key"], p)
            assert not set(p.get("ik:nichtAngegeben", ())) & set(p), (d["key"], p)
            assert ("name" in p) == bool(d["titel"]), d["key"]


def test_oparl_paper_with_title_and_date_from_chapter_4(app):
    p = app.test_client().get("/doc/drucksache/IV-1193.oparl.json").get_json()
    assert p["name"] == "Bekräftigung der Positionen beider Resolutionen"
    assert p["date"] == "2018-03-06" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", p["date"])
    year_only = app.test_client().get("/doc/drucksache/2009-131.oparl.json").get_json()
    assert "date" not in year_only and year_only["ik:datum"] == "2009"
    assert year_only["reference"] == "II 131/2009 BDs"


def test_oparl_paper_type_left_out_when_unknown_and_unknown_key_404(app, ris_app):
    p = app.test_client().get("/doc/drucksache/2009-372.oparl.json").get_json()
    assert "paperType" not in p and "paperType" in p["ik:nichtAngegeben"]
    assert app.test_client().get("/doc/drucksache/IV-9999.oparl.json").status_code == 404
    linked = ris_app.test_client().get("/doc/drucksache/IV-0349.oparl.json").get_json()
    assert linked["ik:ratsinformationssystem"] == "https://ris.example/vorlage?wp=IV&nr=0349"
