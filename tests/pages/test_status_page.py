"""A measure page shows its status, date and source; /massnahmen filters by status."""

from __future__ import annotations

from html.parser import HTMLParser


class _Text(HTMLParser):
    """The text of the status section and its links (parsed, not matched against our template)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.text, self.links = 0, [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("class") == "status":
            self.depth = 1
        elif self.depth and tag == "section":
            self.depth += 1
        if self.depth and tag == "a":
            self.links.append(a.get("href"))

    def handle_endtag(self, tag):
        if self.depth and tag == "section":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def _status(client, nr):
    r = client.get(f"/doc/massnahme/{nr}.html")
    assert r.status_code == 200
    p = _Text()
    p.feed(r.get_data(as_text=True))
    return " ".join(" ".join(p.text).split()), p.links


def test_a_measure_page_shows_status_date_source_and_the_quote(client):
    text, links = _status(client, 2)
    assert "Aktueller Stand: laufend seit Juli 2017" in text
    assert "„Einrichtung einer Orientierungsberatungsstelle in den Räumen der Ausländerbehörde der Region Hannover seit Juli 2017“" in text
    assert "/id/bericht/2020" in links and "/id/kapitel/2020-6-1" in links


def test_a_measure_with_two_statements_shows_its_timeline(client):
    text, _ = _status(client, 25)
    assert "abgeschlossen am 31.12.2018" in text
    assert text.index("01.01.2016 laufend") < text.index("31.12.2018 abgeschlossen")


def test_a_measure_the_report_says_nothing_about_says_not_given(client):
    text, _ = _status(client, 3)
    assert "Nicht angegeben" in text and "laufend" not in text


def test_the_status_facet_filters_and_counts(client):
    j = client.get("/massnahmen.json?status=geplant").get_json()
    assert [i["nr"] for i in j["items"]] == [116, 125, 129]
    assert client.get("/massnahmen.json?status=abgeschlossen").get_json()["total"] == 2
    assert client.get("/massnahmen.json?status=laufend").get_json()["total"] == 14


def test_the_status_facet_offers_the_measures_no_source_speaks_of(client):
    """110 of 129 measures have no stated status: a value of its own, last, so nobody reads silence as „laufend“."""
    j = client.get("/massnahmen.json?status=nicht-angegeben").get_json()
    assert j["total"] == 129 - 19 and 3 in [i["nr"] for i in j["items"]] and 2 not in [i["nr"] for i in j["items"]]
    assert j["items"][0]["status"] == [{"key": "nicht-angegeben", "label": "im Bericht nicht angegeben",
                                         "uri": "https://integration.region-hannover.example/def/ik#nichtAngegeben"}]
    from tests.support.htmltree import parse_html

    page = parse_html(client.get("/massnahmen").get_data(as_text=True))
    labels = [" ".join(label.text().split()) for label in page.find_all("label") if (label.get("for") or "").startswith("f-status-")]
    assert labels[-1].startswith("im Bericht nicht angegeben") and len(labels) == 4, labels  # geplant, laufend, abgeschlossen, nicht angegeben


def test_the_status_concepts_are_served_with_their_schema_org_matches(client):
    from rdflib import Graph, URIRef
    from rdflib.namespace import SKOS

    r = client.get("/doc/status/laufend.ttl")
    assert r.status_code == 200
    g = Graph().parse(data=r.get_data(as_text=True), format="turtle")
    laufend = URIRef("https://integration.region-hannover.example/id/status/laufend")
    assert (laufend, SKOS.exactMatch, URIRef("https://schema.org/ActiveActionStatus")) in g
    assert (laufend, SKOS.inScheme, URIRef("https://integration.region-hannover.example/def/status")) in g
    assert client.get("/def/status").status_code == 200
