"""Citing a measure: the „Zitieren“ box on measure pages, BibTeX and CSL-JSON downloads."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from server.drucksache.cite_formats import INVISIBLE, bibtex, citation, clean_url, csl_json
from server.drucksache.queries import Measure, Report
from tests.support.htmltree import parse_html
from tests.support.servers import section_html

BASE = "https://integration.region-hannover.example/"
ACCESS_DATE_DE = r"\d{2}\.\d{2}\.\d{4}"
# A URL that a word processor keeps whole: plain http(s), no spaces, no trailing punctuation.
PASTE_SAFE_URL = re.compile(r"https?://[^\s<>\"]*[A-Za-z0-9/]")


def measure_box(app, nr: int) -> str:
    return section_html(app, "massnahme", f"{BASE}id/massnahme/{nr}")


def test_box_shows_uri_citation_line_and_downloads(app):
    box = parse_html(measure_box(app, 22))
    uri = f"{BASE}id/massnahme/22"
    [link] = [a for a in box.find("p", cls="zitat").find_all("a")]
    assert (link.get("href"), link.text()) == (uri, uri)
    assert uri in {i.get("value") for i in box.find_all("input")}  # the copy-friendly field
    assert {b.get("data-copy") for b in box.find_all("button") if b.has("data-copy")} == {"uri-kopieren", "zitat-kopieren"}
    assert re.fullmatch(
        r"Region Hannover \(2020\): Vielfalt und Zusammenhalt – Bericht zum Integrationskonzept der Region Hannover, "
        rf"Maßnahme Nr\. 22: Flächendeckende Implementierung .*?\. {re.escape(uri)} \(abgerufen am {ACCESS_DATE_DE}\)",
        box.find("p", cls="zitat").text())
    assert {"/doc/massnahme/22.bib", "/doc/massnahme/22.csl.json"} <= {a.get("href") for a in box.find_all("a")}


def test_uri_survives_copy_paste(app):
    html = measure_box(app, 27)  # a title with quotation marks
    for url in re.findall(r'href="(https?://[^"]+)"', html) + re.findall(r'value="(https?://[^"]+)"', html):
        assert PASTE_SAFE_URL.fullmatch(url), url
    assert not INVISIBLE.search(html)
    # the link text is exactly the URL, nothing glued to it inside the <a>
    for href, text in re.findall(r'<a href="(https?://[^"]+)">([^<]*)</a>', html):
        assert href == text
    # and what follows the URL in the citation is a space, never punctuation a word processor would pull into the link
    line = re.search(r'<p class="copy-text zitat"[^>]*>(.*?)</p>', html, re.S)[1]
    assert re.search(r"</a> \(abgerufen am", line)


def test_box_is_silent_for_other_uris(app):
    assert measure_box(app, 999).strip() == ""


def test_the_real_measure_page_has_the_box(client):
    r = client.get("/doc/massnahme/22", headers={"Accept": "text/html"})
    assert r.status_code == 200
    box = parse_html(r.data).find("section", aria_labelledby="zitieren")
    assert {"/doc/massnahme/22.bib", "/doc/massnahme/22.csl.json"} <= {a.get("href") for a in box.find_all("a")}
    quote = box.find("p", cls="zitat").text()
    assert quote.startswith("Region Hannover (2020): Vielfalt und Zusammenhalt") and "Maßnahme Nr. 22:" in quote
    assert re.search(r"/id/massnahme/22 \(abgerufen am \d\d\.\d\d\.\d{4}\)$", quote)


def test_bibtex_download(client):
    r = client.get("/doc/massnahme/22.bib")
    assert r.status_code == 200 and r.mimetype == "application/x-bibtex"
    assert r.headers["Content-Disposition"] == 'attachment; filename="massnahme-22.bib"'
    bib = r.get_data(as_text=True)
    assert bib.startswith("@misc{regionhannover2020massnahme22,")
    assert f"url          = {{{BASE}id/massnahme/22}}" in bib
    assert re.search(r"urldate      = \{\d{4}-\d{2}-\d{2}\}", bib)
    assert "title        = {{Maßnahme Nr. 22: Flächendeckende Implementierung" in bib
    assert bib.count("{") == bib.count("}")


def test_csl_json_download(client):
    r = client.get("/doc/massnahme/22.csl.json")
    assert r.status_code == 200 and r.mimetype == "application/vnd.citationstyles.csl+json"
    [item] = json.loads(r.get_data(as_text=True))
    assert item["URL"] == f"{BASE}id/massnahme/22" and item["type"] == "entry"
    assert item["title"].startswith("Maßnahme Nr. 22: ")
    assert item["author"] == [{"literal": "Region Hannover"}] and item["issued"] == {"date-parts": [[2020]]}
    assert len(item["accessed"]["date-parts"][0]) == 3


def test_downloads_of_unknown_measures_are_404(client):
    assert client.get("/doc/massnahme/999.bib").status_code == 404
    assert client.get("/doc/massnahme/999.csl.json").status_code == 404


def test_bibtex_escapes_special_characters():
    m = Measure(uri=f"{BASE}id/massnahme/1", nr=1, titel="50 % & mehr {Test} #1 C_2 ~x $y \\z")
    r = Report(uri="", publisher="Region Hannover", year="2020", title="Bericht")
    bib = bibtex(citation(m, r, m.uri, date(2024, 1, 2)))
    assert r"50 \% \& mehr \{Test\} \#1 C\_2 \~x \$y \\z" in bib
    assert "urldate      = {2024-01-02}" in bib and "Abgerufen am 02.01.2024" in bib
    assert csl_json(citation(m, r, m.uri, date(2024, 1, 2)))[0]["accessed"] == {"date-parts": [[2024, 1, 2]]}


def test_citation_line_adds_no_second_full_stop_and_cleans_the_url():
    m = Measure(uri="", nr=5, titel="Sprachkurse anbieten.")
    r = Report(uri="", publisher="Region Hannover", year="2020", title="Bericht")
    c = citation(m, r, f"{BASE}id/massnahme/\u00ad5\u200b ", date(2024, 1, 2))
    assert c.uri == f"{BASE}id/massnahme/5" == clean_url(c.uri)
    assert c.line == f"Region Hannover (2020): Bericht, Maßnahme Nr. 5: Sprachkurse anbieten. {BASE}id/massnahme/5 (abgerufen am 02.01.2024)"


@pytest.mark.parametrize("path, mimetype", [
    ("/doc/massnahme/22.bib", "application/x-bibtex"),
    ("/doc/massnahme/22.csl.json", "application/vnd.citationstyles.csl+json"),
    ("/doc/drucksache/IV-0349.oparl.json", "application/json"),
    ("/doc/massnahme/22.ttl", "text/turtle"),
])
def test_every_representation_of_a_document_has_one_route_and_its_own_media_type(app, client, path, mimetype):
    """/doc/ has one owner (server.linkeddata): the suffix picks a renderer of its one table."""
    assert app.url_map.bind("localhost").match(path)[0] == "linkeddata.document"
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == mimetype


def test_citation_formats_exist_only_for_the_kinds_they_describe(client):
    assert client.get("/doc/drucksache/IV-0349.bib").status_code == 404
    assert client.get("/doc/massnahme/22.oparl.json").status_code == 404
    assert client.get("/def/ik.bib").status_code == 404
