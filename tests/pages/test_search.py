"""Full-text search: German folding and stemming, ranking, highlighting, the HTML page and its JSON twin."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from kg.namespaces import DEFAULT_BASE
from server.pages.search_index import Doc, SearchIndex, fold, highlight, index_for, query_terms, stem
from tests.support.htmltree import parse_html


def search(client, q: str, **params) -> dict:
    r = client.get("/suche.json", query_string={"q": q, **params})
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


# ------------------------------------------------------------------ words


@pytest.mark.parametrize("variants", [
    ("Geflüchtete", "Geflüchteten", "geflüchteter", "GEFLÜCHTETE", "Gefluechtete"),
    ("Maßnahme", "Maßnahmen", "Massnahmen", "MASSNAHME"),
    ("Kind", "Kinder", "Kindern"),
    ("Familie", "Familien"),
    ("Migrantin", "Migrantinnen"),
    ("Prozess", "Prozesse", "Prozesses"),
    ("Integrationskurs", "Integrationskurse", "Integrationskurses"),
    ("Angebot", "Angebote", "Angeboten", "Angebots"),
])
def test_inflected_and_differently_spelled_forms_share_one_stem(variants):
    assert len({stem(v) for v in variants}) == 1, {v: stem(v) for v in variants}


def test_folding_spells_out_umlauts_and_drops_other_accents():
    assert fold("Äußere Übergänge Öffnung") == "aeussere uebergaenge oeffnung"
    assert fold("Poznań") == "poznan"
    assert stem("Haus") == "haus" and stem("Kurs") == "kurs"  # short words keep their last letters


def test_stop_words_are_ignored_unless_nothing_else_is_left():
    assert query_terms("Angebote für die Familien") == [stem("Angebote"), stem("Familien")]
    assert query_terms("die") == ["die"]


# ------------------------------------------------------------------ ranking (a small index with known texts)


def doc(uri: str, **fields: list[str]) -> Doc:
    d = Doc(uri, "/" + uri, "massnahme")
    for name, texts in fields.items():
        d.fields[name].extend(texts)
    return d


def test_title_outweighs_label_outweighs_description_and_frequency_counts():
    index = SearchIndex([
        doc("id/massnahme/1", description=["Sprachförderung in der Kita"]),
        doc("id/massnahme/2", title=["Sprachförderung"], description=["Ein Angebot"]),
        doc("id/massnahme/3", label=["Sprachförderung"]),
        doc("id/massnahme/4", description=["Sprachförderung und noch einmal Sprachförderung in der Kita"]),
        doc("id/massnahme/5", description=["Etwas ganz anderes"]),
    ])
    ranked = [h.doc.uri for h in index.search("Sprachförderung").hits]
    assert ranked == ["id/massnahme/2", "id/massnahme/3", "id/massnahme/4", "id/massnahme/1"]


def test_all_query_words_must_match_and_compounds_are_found_by_their_parts():
    index = SearchIndex([
        doc("id/massnahme/1", title=["Sprachförderung für Kinder"]),
        doc("id/massnahme/2", title=["Förderung von Frauen"]),
        doc("id/massnahme/3", title=["Kinderbetreuung"]),
    ])
    assert [h.doc.uri for h in index.search("Förderung Kinder").hits] == ["id/massnahme/1"]
    found = {h.doc.uri: h.score for h in index.search("Förderung").hits}
    assert set(found) == {"id/massnahme/1", "id/massnahme/2"}
    assert found["id/massnahme/2"] > found["id/massnahme/1"]  # the word itself counts more than a compound
    assert {h.doc.uri for h in index.search("Kinder").hits} == {"id/massnahme/1", "id/massnahme/3"}


# ------------------------------------------------------------------ highlighting


def test_highlight_escapes_the_text_and_marks_only_matching_words():
    result = SearchIndex([doc("id/massnahme/1", title=["Geflüchtete"])]).search("geflüchteten")
    out = highlight('<b onclick="x()">Geflüchtete & Co</b>', result.is_match)
    assert isinstance(out, Markup)
    assert str(out) == "&lt;b onclick=&#34;x()&#34;&gt;<mark>Geflüchtete</mark> &amp; Co&lt;/b&gt;"


def test_highlight_cuts_long_text_around_the_first_match():
    result = SearchIndex([doc("id/massnahme/1", title=["Ziel"])]).search("Ziel")
    text = "Anfang " + "Wort " * 100 + "das Ziel steht hier " + "Ende " * 100
    out = str(highlight(text, result.is_match, limit=120))
    assert out.startswith("…") and out.endswith("…") and "<mark>Ziel</mark>" in out and len(out) < 160


# ------------------------------------------------------------------ over HTTP, on the real graph


def test_inflected_queries_find_the_same_resources(client):
    uris = [{r["uri"] for r in search(client, q)["results"]} for q in ("Geflüchtete", "Geflüchteten", "geflüchteter")]
    assert uris[0] and uris[0] == uris[1] == uris[2]


def test_the_resource_named_like_the_query_comes_first(client):
    top = search(client, "Geflüchtete")["results"][:2]
    assert {r["uri"] for r in top} == {DEFAULT_BASE + "id/zielgruppe/gefluechtete", DEFAULT_BASE + "id/handlungsfeld/gefluechtete"}
    assert search(client, "Jobcenter")["results"][0]["uri"] == DEFAULT_BASE + "id/oe/jobcenter-region-hannover"
    assert search(client, "0349")["results"][0]["uri"] == DEFAULT_BASE + "id/drucksache/IV-0349"


@pytest.mark.parametrize("q,kind", [
    ("Sprachförderung in Kindertagesstätten", "schwerpunkt"), ("Fachbereich Soziales", "oe"),
    ("Resolution gegen Rechtsextremismus", "drucksache"), ("Refugees", "zielgruppe"),
])
def test_every_kind_of_resource_is_searchable(client, q, kind):
    assert kind in {r["type"] for r in search(client, q)["results"][:3]}


def test_json_twin_has_highlighted_and_plain_snippets(client):
    data = search(client, "Sprachförderung")
    assert data["total"] == len(data["results"]) or data["pages"] > 1
    first = data["results"][0]
    assert "<mark>" in first["snippet_html"] and "<mark>" not in first["snippet"]
    assert first["path"].startswith("/id/") and first["score"] > 0
    assert sum(data["per_type"].values()) == data["total"]


def test_accept_json_on_the_page_gives_the_json_twin(client):
    r = client.get("/suche?q=Kita", headers={"Accept": "application/json"})
    assert r.mimetype == "application/json" and r.get_json()["total"] > 0
    assert "Accept" in r.headers["Vary"]
    assert client.get("/suche?q=Kita", headers={"Accept": "*/*"}).mimetype == "text/html"


def test_type_filter_keeps_the_counts_per_type(client):
    everything = search(client, "Geflüchtete")
    measures = search(client, "Geflüchtete", typ="massnahme")
    assert {r["type"] for r in measures["results"]} == {"massnahme"}
    assert measures["total"] == everything["per_type"]["massnahme"]
    assert measures["per_type"] == everything["per_type"]


def test_search_page_lists_ranked_results_with_marks(client):
    page = parse_html(client.get("/suche?q=Sprachf%C3%B6rderung").data)
    results = [li for li in page.find("ol", cls="results").children if getattr(li, "tag", None) == "li"]
    assert 0 < len(results) <= 20
    assert all(li.find("a") is not None and li.find("a").get("href").startswith("/id/") for li in results)
    assert page.find("mark") is not None
    assert "Treffer" in page.find(id_="search-status").text()
    box = page.find("input", id_="site-q")
    assert box.get("value") == "Sprachförderung" and page.find("label", **{"for": "site-q"}) is not None


def test_search_page_escapes_the_query(client):
    r = client.get("/suche", query_string={"q": '<script>alert("x")</script> Kita'})
    page = parse_html(r.data)
    assert r.status_code == 200
    assert not [s for s in page.find_all("script") if "alert" in s.text()]
    assert '<script>alert("x")</script>' in page.find(id_="search-status").text()


def test_results_are_paged(client):
    first, second = search(client, "Integration"), search(client, "Integration", seite=2)
    assert first["pages"] >= 2 and len(first["results"]) == 20
    assert not {r["uri"] for r in first["results"]} & {r["uri"] for r in second["results"]}
    page = parse_html(client.get("/suche?q=Integration").data)
    assert page.find("a", rel="next").get("href") == "/suche?q=Integration&seite=2"


def test_empty_query_shows_the_hint(client):
    r = client.get("/suche")
    assert r.status_code == 200 and parse_html(r.data).find("ol", cls="results") is None
    assert search(client, "")["total"] == 0


def test_index_is_built_once_per_build(app):
    with app.app_context():
        published = app.extensions["kg"].current
        base = app.config["KG_BASE_URI"]
        assert index_for(published, base) is index_for(published, base)


@pytest.mark.parametrize("url,value", [("/suche", ""), ("/suche?q=Nr.%2022", "Nr. 22")])
def test_the_search_page_has_its_own_search_field(client, url, value):
    """On a phone the header's search is folded into the menu: the search page offers one in its content."""
    main = parse_html(client.get(url + "&lang=de" if "?" in url else url + "?lang=de").data).find("main")
    form = main.find("form", role="search")
    assert form is not None and form.get("action") == "/suche" and form.get("method") == "get"
    box = form.find("input", id_="q")
    assert box.get("name") == "q" and box.get("value") == value
    assert main.find("label", **{"for": "q"}).text() == "Suchbegriff"
