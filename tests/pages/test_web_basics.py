"""What search engines, link previews and browsers expect of every site: favicon, meta description, canonical
link, Open Graph, hreflang alternates, robots.txt, a sitemap of every dereferenceable page, compressed text."""

from __future__ import annotations

import gzip
from xml.etree import ElementTree

import brotli
import pytest
from rdflib import URIRef

from kg.namespaces import DEFAULT_BASE
from tests.support.htmltree import parse_html

PAGES = ["/", "/massnahmen", "/doc/massnahme/22", "/doc/drucksache/IV-0349", "/doc/oe/50", "/id/drucksache/", "/dumps/",
         "/suche?q=Jobcenter", "/sparql", "/def/ik", "/barrierefreiheit"]
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def head(client, url: str):
    return parse_html(client.get(url, headers={"Accept": "text/html"}).data).find("head")


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_description_canonical_open_graph_and_language_alternates(client, url):
    h = head(client, url)
    description = h.find("meta", name="description").get("content")
    assert 50 <= len(description) <= 300, description
    canonical = h.find("link", rel="canonical").get("href")
    path, _, query = url.partition("?")
    assert canonical.startswith(DEFAULT_BASE) and canonical[len(DEFAULT_BASE) - 1:].startswith(path)
    alternates = {e.get("hreflang"): e.get("href") for e in h.find_all("link", rel="alternate") if e.get("hreflang")}
    assert set(alternates) == {"de", "en", "x-default"} and alternates["de"] == canonical
    assert alternates["en"].endswith("lang=en")
    assert h.find("meta", property="og:title").get("content")
    assert h.find("meta", property="og:url").get("content") == canonical
    assert h.find("link", rel="icon").get("href")


def test_canonical_ignores_the_host_header(client):
    h = parse_html(client.get("/doc/massnahme/22", headers={"Host": "evil.example"}).data).find("head")
    assert h.find("link", rel="canonical").get("href") == f"{DEFAULT_BASE}doc/massnahme/22"


@pytest.mark.parametrize("url, canonical", [
    ("/doc/massnahme/22?utm_source=newsletter&v=3", "doc/massnahme/22"),
    ("/doc/massnahme/22?seite=2&fbclid=x", "doc/massnahme/22?seite=2"),
    ("/?utm_campaign=x", ""),
    ("/massnahmen?handlungsfeld=gefluechtete&utm_medium=mail&sort=titel", "massnahmen?handlungsfeld=gefluechtete&sort=titel"),
    ("/suche?q=Jobcenter&ref=twitter", "suche?q=Jobcenter"),
    ("/barrierefreiheit?x=1", "barrierefreiheit"),
])
def test_a_link_with_tracking_or_unknown_parameters_names_the_page_itself_as_canonical(client, url, canonical):
    """A shared link (?utm_source=…, ?fbclid=…) is the same page: its canonical and language links keep only the
    parameters the page reads, so search engines and link previews see one page, not one per link."""
    h = head(client, url)
    assert h.find("link", rel="canonical").get("href") == DEFAULT_BASE + canonical
    alternates = {e.get("hreflang"): e.get("href") for e in h.find_all("link", rel="alternate") if e.get("hreflang")}
    assert alternates["de"] == DEFAULT_BASE + canonical
    assert alternates["en"] == DEFAULT_BASE + canonical + ("&" if "?" in canonical else "?") + "lang=en"


def test_english_page_is_its_own_canonical(client):
    h = head(client, "/doc/massnahme/22?lang=en")
    assert h.find("link", rel="canonical").get("href") == f"{DEFAULT_BASE}doc/massnahme/22?lang=en"


def test_favicon(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.mimetype == "image/vnd.microsoft.icon" and r.data[:4] == b"\x00\x00\x01\x00"
    assert client.get(head(client, "/").find("link", rel="icon").get("href")).status_code == 200


def test_robots_txt_allows_pages_and_names_the_sitemap(client):
    r = client.get("/robots.txt")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    lines = r.get_data(as_text=True).splitlines()
    assert "Allow: /" in lines and f"Sitemap: {DEFAULT_BASE}sitemap.xml" in lines
    assert "Disallow: /" not in lines


def test_sitemap_lists_every_dereferenceable_page_and_each_answers(client, graph):
    r = client.get("/sitemap.xml")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    urls = [e.text for e in ElementTree.fromstring(r.data).iter(SITEMAP + "loc")]
    assert len(urls) == len(set(urls))
    things = {str(s) for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(DEFAULT_BASE + "id/")}
    assert {DEFAULT_BASE + "doc/" + t[len(DEFAULT_BASE + "id/"):] for t in things} <= set(urls)
    for url in urls:
        response = client.get(url[len(DEFAULT_BASE) - 1:], headers={"Accept": "text/html"})
        assert response.status_code == 200, url


@pytest.mark.parametrize("encoding,decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
@pytest.mark.parametrize("url", ["/doc/massnahme/22", "/massnahmen", "/static/site.css", "/doc/massnahme/22.ttl"])
def test_text_responses_are_compressed_when_the_client_accepts_it(client, url, encoding, decode):
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": encoding})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == encoding and "Accept-Encoding" in packed.headers["Vary"]
    assert decode(packed.data) == plain.data and len(packed.data) < len(plain.data)


def test_a_compressed_page_revalidates_with_its_own_etag(client):
    for url in ("/doc/massnahme/22", "/doc/massnahme/22?lang=en"):
        first = client.get(url, headers={"Accept-Encoding": "gzip"})
        again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, url


def test_dump_files_keep_their_bytes_and_checksum(client, built):
    r = client.get("/dumps/graph.ttl", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in r.headers and r.data == (built / "graph.ttl").read_bytes()
    assert r.headers["Content-Disposition"] == 'attachment; filename="graph.ttl"'


def test_absolute_links_for_sharing_and_crawling_use_the_configured_public_address(make_app):
    """Behind a proxy the site is reached at KG_PUBLIC_URL, not at the data URIs' base: the canonical link, the
    language alternates, robots.txt's sitemap and every sitemap entry point there (never at the Host header)."""
    public = "https://www.region-hannover.example/integration/"
    client = make_app(KG_PUBLIC_URL=public).test_client()
    h = parse_html(client.get("/doc/massnahme/22", headers={"Accept": "text/html", "Host": "evil.example"}).data).find("head")
    assert h.find("link", rel="canonical").get("href") == public + "doc/massnahme/22"
    assert {a.get("href") for a in h.find_all("link", rel="alternate") if a.get("hreflang")} == {
        public + "doc/massnahme/22", public + "doc/massnahme/22?lang=en"}
    assert f"Sitemap: {public}sitemap.xml" in client.get("/robots.txt").get_data(as_text=True).splitlines()
    locs = [e.text for e in ElementTree.fromstring(client.get("/sitemap.xml").data).iter(SITEMAP + "loc")]
    assert len(locs) > 100 and all(loc.startswith(public) for loc in locs)
