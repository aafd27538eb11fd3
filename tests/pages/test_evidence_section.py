"""The measure page shows every soft fact with the report's words it rests on, and where the measure stands in the
report – checked against the graph, on the parsed page."""

from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.namespace import PROV, RDFS

from kg.namespaces import DEFAULT_BASE, IK, uri
from tests.support.htmltree import parse_html, summary


def local(iri) -> str:
    return "/" + str(iri)[len(DEFAULT_BASE):]


def section(client, nr: int, lang: str = "de"):
    page = parse_html(client.get(f"/doc/massnahme/{nr}?lang={lang}").data)
    return page.find("section", cls="evidence")


@pytest.mark.parametrize("nr", [46, 53, 28, 76, 123])
def test_every_evidence_of_the_measure_is_on_its_page_with_its_words(client, graph, nr):
    found = section(client, nr)
    assert found is not None and found.find("h2") is not None
    shown = [(dd.find("span", cls="fact").text(), dd.find("q").text()) for dd in found.find_all("dd")]
    expected = []
    for b in graph.objects(uri("massnahme", nr), IK.beleg):
        value = graph.value(b, IK.wert)
        text = next((str(lbl) for lbl in graph.objects(value, RDFS.label) if lbl.language == "de"), None) if value is not None else None
        expected.append((text, str(graph.value(b, PROV.value))))
    assert sorted(q for _, q in shown) == sorted(q for _, q in expected)  # one entry per evidence, none left out
    assert {v for v, _ in shown} >= {v for v, _ in expected if v}       # target groups by their German name


def test_words_from_the_goal_are_marked_and_link_the_goal(client, graph):
    found = section(client, 53)
    goal = graph.value(uri("massnahme", 53), IK.verfolgtZiel)
    marked = [dd for dd in found.find_all("dd") if dd.find("small", cls="from-goal")]
    from_goal = [b for b in graph.objects(uri("massnahme", 53), IK.beleg) if (b, IK.zitiertAusZiel, goal) in graph]
    assert len(marked) == len(from_goal) == 1
    assert all(dd.find("small", cls="from-goal").find("a").get("href") == local(goal) for dd in marked)


def test_the_page_says_where_in_the_report_the_measure_stands(client, graph):
    found = section(client, 2)
    links = {a.get("href") for a in found.find("p", cls="muted").find_all("a")}
    entry = graph.value(uri("massnahme", 2), URIRef("http://xmlns.com/foaf/0.1/isPrimaryTopicOf"))
    assert {local(entry), local(uri("kapitel", "2020-6-1")), local(graph.value(uri("massnahme", 2), IK.handlungsfeld)),
            local(graph.value(uri("massnahme", 2), IK.verfolgtZiel))} == links


def test_a_measure_whose_text_names_nothing_soft_has_the_section_without_a_list(client, graph):
    assert not list(graph.objects(uri("massnahme", 88), IK.beleg))
    found = section(client, 88)
    assert found.find("dl") is None and found.find("p", cls="muted") is not None


def test_english_page_keeps_the_german_words_marked_german(client):
    found = section(client, 53, "en")
    assert all(q.get("lang") == "de" for q in found.find_all("q"))
    assert found.find("h2").text() != section(client, 53).find("h2").text()


@pytest.mark.parametrize(("lang", "heading", "expected"), [("de", "Dauer", "3 Monate"), ("en", "Duration", "3 months")])
def test_the_summary_reads_a_duration_as_words_like_the_evidence_does(client, graph, lang, heading, expected):
    assert str(graph.value(uri("massnahme", 53), URIRef("https://schema.org/duration"))) == "P3M"
    page = parse_html(client.get(f"/doc/massnahme/53?lang={lang}").data)
    rows = {heading: dd.text() for heading, dd in summary(page).items()}
    assert rows[heading] == expected
    facts = [dd.find("span", cls="fact").text() for dd in page.find("section", cls="evidence").find_all("dd")]
    assert expected in facts


def test_the_summary_gives_ages_in_years(client, graph):
    nr = next(int(str(m).rsplit("/", 1)[1]) for m in graph.subjects(IK.mindestalter, None))
    age = int(graph.value(uri("massnahme", nr), IK.mindestalter))
    page = parse_html(client.get(f"/doc/massnahme/{nr}?lang=de").data)
    rows = {heading: dd.text() for heading, dd in summary(page).items()}
    assert any(text == f"{age} Jahre" or text == f"{age} Jahr" for text in rows.values()), rows
