"""The summary at the top of a resource page, read from the real HTML against the graph: every measure's field,
goal, unit, target groups and cited Drucksachen as the graph has them (linked to their pages); dates and durations
in words in both languages; no summary anywhere shows a bare IRI."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.namespaces import DEFAULT_BASE, IK
from server.i18n.language import duration_text, stated_date
from tests.support.htmltree import parse_html, summary

SCHEMA_DURATION = URIRef("https://schema.org/duration")
SCHEMA_START = URIRef("https://schema.org/startDate")


def summary_rows(client, url: str) -> dict[str, list[tuple[str, str | None]]]:
    """heading -> [(text, link)] of the page's first summary list (the one under the title)."""
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200, url
    rows = {}
    for heading, dd in summary(parse_html(response.data)).items():
        links = dd.find_all("a")
        rows[heading] = [(a.text().strip(), a.get("href")) for a in links] if links else [(" ".join(dd.text().split()), None)]
    return rows


def local(uri) -> str:
    return "/" + str(uri).removeprefix(DEFAULT_BASE)


def measures(graph) -> list[URIRef]:
    return sorted(graph.subjects(RDF.type, IK.Massnahme), key=lambda m: int(str(m).rsplit("/", 1)[-1]))


def test_every_measure_summary_shows_what_the_graph_says(client, graph):
    checked = 0
    for m in measures(graph):
        rows = summary_rows(client, local(m).replace("/id/", "/doc/", 1) + "?lang=de")
        for heading, prop in (("Handlungsfeld", IK.handlungsfeld), ("Ziel", IK.verfolgtZiel), ("Zuständig", IK.zustaendig),
                              ("Zielgruppen", IK.zielgruppe)):
            expected = {local(v) for v in graph.objects(m, prop)}
            shown = {href for _, href in rows[heading] if href}
            if expected:
                assert shown == expected, f"{m} „{heading}“: {shown} ≠ {expected}"
            else:
                assert rows[heading] == [("im Bericht nicht angegeben", None)], f"{m} „{heading}“: {rows[heading]}"
        cited = sorted(str(v) for v in graph.objects(m, IK.drucksachenangabe))
        assert sorted(text for text, _ in rows.get("Drucksachen", [])) == cited, m
        checked += 1
    assert checked == 129


def test_dates_and_durations_read_as_words_in_both_languages(client, graph):
    with_duration = [(m, str(v)) for m, v in graph.subject_objects(SCHEMA_DURATION)]
    with_start = [(m, str(v)) for m, v in graph.subject_objects(SCHEMA_START)]
    assert with_duration and with_start
    for lang, heading_d, heading_s in (("de", "Dauer", "Beginn"), ("en", "Duration", "Start")):
        for m, value in with_duration:
            shown = summary_rows(client, local(m).replace("/id/", "/doc/", 1) + f"?lang={lang}")[heading_d]
            number = re.fullmatch(r"P(\d+)[YMD]", value)[1]
            assert shown[0][0].startswith(number + " ") and not shown[0][0].startswith("P"), (m, value, shown)
        for m, value in with_start:
            shown = summary_rows(client, local(m).replace("/id/", "/doc/", 1) + f"?lang={lang}")[heading_s][0][0]
            assert value[:4] in shown and (len(value) == 4 or not re.search(r"\d-\d", shown)), (m, value, shown)


@pytest.mark.parametrize("url", ["/doc/massnahme/22", "/doc/massnahme/38", "/doc/handlungsfeld/gefluechtete",
                                 "/doc/ziel/fluechtlingssozialarbeit-in-den-kommunen", "/doc/oe/50", "/doc/oe/dezernat-ii",
                                 "/doc/zielgruppe/gefluechtete", "/doc/bericht/2020", "/doc/schwerpunkt/wirtschaft-und-arbeit",
                                 "/def/zielgruppen", "/def/handlungsfelder"])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_no_summary_shows_a_bare_iri(client, url, lang):
    for heading, values in summary_rows(client, f"{url}?lang={lang}").items():
        for text, _ in values:
            assert not text.startswith(("http://", "https://")), f"{url} „{heading}“ shows {text}"


@pytest.mark.parametrize("scheme", ["zielgruppen", "handlungsfelder", "ziele", "oe-arten"])
def test_a_concept_scheme_lists_its_concepts(client, graph, scheme):
    """A scheme's page is more than a citation box: its concepts, each linked to its own page."""
    expected = {local(c) for c in graph.objects(URIRef(f"{DEFAULT_BASE}def/{scheme}"), SKOS.hasTopConcept)}
    assert expected
    rows = summary_rows(client, f"/def/{scheme}?lang=de")
    assert {href for _, href in rows["Begriffe (oberste Ebene)"]} == expected


def test_the_report_language_is_named(client):
    assert summary_rows(client, "/doc/bericht/2020?lang=de")["Sprache"] == [("Deutsch", None)]
    assert summary_rows(client, "/doc/bericht/2020?lang=en")["Language"] == [("German", None)]


@given(st.integers(0, 30), st.integers(0, 11), st.integers(0, 40))
def test_durations_in_words(app, years, months, days):
    parts = [(n, unit) for n, unit in ((years, "Y"), (months, "M"), (days, "D")) if n]
    iso = "P" + "".join(f"{n}{unit}" for n, unit in parts)
    for lang, names in (("de", {"Y": ("Jahr", "Jahre"), "M": ("Monat", "Monate"), "D": ("Tag", "Tage")}),
                        ("en", {"Y": ("year", "years"), "M": ("month", "months"), "D": ("day", "days")})):
        with app.test_request_context(f"/?lang={lang}"):
            app.preprocess_request()
            words = duration_text(iso)
        expected = " ".join(f"{n} {names[unit][0] if n == 1 else names[unit][1]}" for n, unit in parts) if parts else iso
        assert words == expected, (iso, lang, words)


@pytest.mark.parametrize("value,de,en", [("2018", "2018", "2018"), ("2017-07", "Juli 2017", "July 2017"),
                                         ("2016-01-01", "1. Januar 2016", "1 January 2016"), ("unbekannt", "unbekannt", "unbekannt")])
def test_dates_as_precise_as_stated(app, value, de, en):
    for lang, expected in (("de", de), ("en", en)):
        with app.test_request_context(f"/?lang={lang}"):
            app.preprocess_request()
            assert stated_date(Literal(value)) == expected


PROV = "http://www.w3.org/ns/prov#"


def test_every_beleg_page_says_which_statement_it_backs(client, graph):
    """A Beleg's own page, for a reader who follows it from a measure: the measure (number and title, linked back), the
    statement (property and value as the graph has them), the report's words and where they stand – all of them
    checked against the graph, in German and English."""
    from rdflib.namespace import RDFS

    belege = sorted(graph.subjects(RDF.type, IK.Beleg))
    assert len(belege) > 200
    for b in belege:
        (m,) = graph.subjects(IK.beleg, b)
        nr = str(graph.value(m, SKOS.notation))
        prop = graph.value(b, IK.eigenschaft)
        value = graph.value(b, IK.wert)
        literal = graph.value(b, IK.wertLiteral)
        for lang, headings in (("de", ("Maßnahme", "Angabe", "Worte des Berichts", "Fundstelle im Bericht", "Aus dem Ziel")),
                               ("en", ("Measure", "Statement", "The report's words", "Where in the report", "Quoted from the goal"))):
            rows = summary_rows(client, local(b).replace("/id/", "/doc/", 1) + f"?lang={lang}")
            measure, statement, words, where, goal = headings
            assert rows[measure][0][1] == local(m) and rows[measure][0][0].endswith(
                f" {nr}: {graph.value(m, RDFS.label)}"), (b, rows[measure])
            label = next((str(v) for v in graph.objects(prop, RDFS.label) if v.language == lang), None)
            text = rows[statement][0][0] if value is None else None
            if value is not None:
                assert rows[statement] == [(rows[statement][0][0], local(value))], (b, rows[statement])
            else:
                number = re.search(r"\d+", str(literal))[0]  # the year of a date, the count of a duration, an age
                assert number in text.split(": ", 1)[1] and not re.match(r"P\d", text.split(": ", 1)[1]), (b, text)
                assert label is None or text.split(": ", 1)[0].lower() == label.lower(), (b, text)
            quote = str(graph.value(b, URIRef(PROV + "value")))
            assert rows[words][0][0].startswith(quote), (b, rows[words])  # quotation marks by <q>
            assert rows[where][0][1] == local(graph.value(b, URIRef(PROV + "wasQuotedFrom"))), (b, rows[where])
            from_goal = graph.value(b, IK.zitiertAusZiel)
            assert (goal in rows) == (from_goal is not None), b
            if from_goal is not None:
                assert rows[goal][0][1] == local(from_goal), b


def test_a_beleg_page_links_back_to_its_measure(client):
    page = parse_html(client.get("/doc/beleg/22-zielgruppe-gefluechtete?lang=en", headers={"Accept": "text/html"}).data)
    back = [a for a in page.find_all("a") if a.text().strip() == "← Back to measure 22"]
    assert back and back[0].get("href") == "/id/massnahme/22#belege-h"
    assert page.find("q").get("lang") == "de"  # the report's German words, marked so on the English page
