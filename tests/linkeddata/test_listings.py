"""/id/<kind>/ lists every thing of its kind – all of them, in number order, a page of LISTING_PAGE at a time – from one
scan per build that the sitemap shares (a scan per request read every triple: 22 s for /id/massnahme/ at 1000×)."""

from __future__ import annotations

import re

import pytest

from kg.namespaces import DEFAULT_BASE, TYPES
from server.linkeddata import views
from tests.support.htmltree import parse_html


def things_of(graph, kind: str) -> list[str]:
    prefix = f"{DEFAULT_BASE}id/{kind}/"
    keys = {str(s)[len(prefix):] for s in graph.subjects() if str(s).startswith(prefix)}
    return sorted(keys, key=lambda k: (0, int(k), "") if k.isdigit() else (1, 0, k))


def listed(client, url: str) -> tuple[list[str], object]:
    r = client.get(url)
    assert r.status_code == 200, url
    page = parse_html(r.data)
    links = [a.get("href") for a in page.find("main").find("ul").find_all("a")]
    return links, page


def test_every_kind_lists_all_its_things_in_number_order(client, graph):
    kinds = [k for k in TYPES if things_of(graph, k)]
    assert {"massnahme", "drucksache", "zielgruppe", "oe", "mitgliedschaft"} <= set(kinds)
    for kind in kinds:
        if kind == "drucksache":  # the Drucksachen index has its own page (tests/drucksache)
            continue
        keys = things_of(graph, kind)
        links, page = listed(client, f"/id/{kind}/?lang=de")
        assert links == [f"/id/{kind}/{k}" for k in keys], kind
        count = re.search(r"([\d.]+) Eintr(?:ag|äge)\.", page.find("main").find("p").text())
        assert int(count.group(1).replace(".", "")) == len(keys), kind
        assert page.find("nav", cls="pager") is None, kind
    assert things_of(graph, "massnahme")[:3] == ["1", "2", "3"] and len(things_of(graph, "massnahme")) == 129


def test_a_long_listing_is_paged_and_the_pages_together_are_the_whole_list(client, graph, monkeypatch):
    monkeypatch.setattr(views, "LISTING_PAGE", 20)
    keys = things_of(graph, "massnahme")
    pages = -(-len(keys) // 20)
    seen = []
    for n in range(1, pages + 1):
        links, page = listed(client, f"/id/massnahme/?seite={n}&lang=de")
        assert len(links) == (20 if n < pages else len(keys) - 20 * (pages - 1))
        seen += links
        pager = page.find("nav", cls="pager")
        rels = {a.get("rel"): a.get("href") for a in pager.find_all("a") if a.get("rel")}
        assert rels.get("next") == (f"/id/massnahme/?seite={n + 1}" if n < pages else None)
        assert rels.get("prev") == (f"/id/massnahme/?seite={n - 1}" if n > 1 else None)
        assert f"Seite {n} von {pages}" in page.find("main").find("p").text()
    assert seen == [f"/id/massnahme/{k}" for k in keys]
    assert client.get(f"/id/massnahme/?seite={pages + 1}").status_code == 404
    assert client.get("/id/massnahme/?seite=-1").status_code == 404


@pytest.mark.parametrize("kind", ["massnahme", "zielgruppe"])
def test_a_listing_is_revalidated_by_its_tag(client, kind):
    first = client.get(f"/id/{kind}/?lang=de")
    again = client.get(f"/id/{kind}/?lang=de", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    english = client.get(f"/id/{kind}/?lang=en")
    assert english.headers["ETag"] != first.headers["ETag"] and "entries" in english.get_data(as_text=True)


def test_the_sitemap_names_the_page_of_every_thing_described(client, graph):
    import xml.etree.ElementTree as ET

    locs = {e.text for e in ET.fromstring(client.get("/sitemap.xml").data).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    things = {str(s)[len(DEFAULT_BASE + "id/"):] for s in graph.subjects() if str(s).startswith(DEFAULT_BASE + "id/")}
    assert {loc.rsplit("/doc/", 1)[1] for loc in locs if "/doc/" in loc} == things
