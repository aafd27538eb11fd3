"""Pages about one thing show a bounded number of items per list at any size of the data, with exact counts and a
link to the whole list (issue 18: report, fields of action, unit kinds, statuses).

On a synthetic build three times the real data (kg synth) the lists of a field of action pass their bounds; a
hub's page (more than describe.WHOLE incoming links) shows the same links, in the same order, as the whole fetch.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

from kg import synth
from kg.build import Project, build
from kg.namespaces import DEFAULT_BASE, IK
from server.caches import forget_pages
from server.linkeddata import describe, renderers
from server.pages import overviews
from tests.support.htmltree import parse_html

FACTOR = 3  # the field below: 81 measures, 24 goals, 27 units and target groups
FIELD = "interkulturelle-oeffnung"  # the largest field: 27 measures, 8 goals, 9 units, 9 target groups in the report


@pytest.fixture(scope="module")
def synthetic_build(tmp_path_factory):
    data = synth.generate(tmp_path_factory.mktemp("synth") / "data", FACTOR)
    out = tmp_path_factory.mktemp("synth-build") / "build"
    build(out=out, project=Project(data=data), workers=1)
    return out


@pytest.fixture(scope="module")
def synthetic_graph(synthetic_build) -> Graph:
    return Graph().parse(synthetic_build / "graph.nt", format="nt")


@pytest.fixture(scope="module")
def synthetic_client(make_app, synthetic_build):
    return make_app(KG_BUILD_DIR=str(synthetic_build)).test_client()


def thing(kind: str, key: str) -> URIRef:
    return URIRef(f"{DEFAULT_BASE}id/{kind}/{key}")


def page_of(client, url: str):
    r = client.get(url)
    assert r.status_code == 200, url
    return parse_html(r.data)


def measure_numbers(page, table_id: str) -> list[int]:
    return [int(tr.find("td").text()) for tr in page.find("table", id_=table_id).find("tbody").find_all("tr")]


def chart_rows(page, figure_id: str) -> dict[str, int]:
    figure = next(f for f in page.find_all("figure", cls="chart") if f.get("aria-labelledby") == f"{figure_id}-cap")
    return {tr.find("th").text(): int(tr.find("td").text()) for tr in figure.find("table").find("tbody").find_all("tr")}


def listed_total(client, url: str) -> int:
    """How many measures the list of measures at ``url`` lists (on one page)."""
    return len(measure_numbers(page_of(client, url + "&pro_seite=200"), "measures"))


def test_real_field_pages_show_every_measure_goal_unit_and_group(client, graph):
    """The bounds are above the report's largest lists: on the real data nothing is cut."""
    for field in set(graph.subjects(RDF.type, IK.Handlungsfeld)):
        key = str(field).rsplit("/", 1)[-1]
        page = page_of(client, f"/doc/handlungsfeld/{key}")
        assert page.find(id_="ov-measures-more") is None and page.find(id_="ov-goals-more") is None, key
        measures = {m for m in graph.subjects(IK.handlungsfeld, field) if (m, RDF.type, IK.Massnahme) in graph}
        goals = {z for z in graph.subjects(IK.handlungsfeld, field) if (z, RDF.type, IK.Ziel) in graph}
        assert len(measure_numbers(page, "ov-measures")) == len(measures), key
        assert len(page.find("section", aria_labelledby="ov-goals-h").find("ul").find_all("li")) == len(goals), key
        units = {u for m in measures for u in graph.objects(m, IK.zustaendig)}
        assert len(chart_rows(page, "chart-units")) == len(units), key


def test_a_large_field_lists_at_most_its_bounds_with_exact_counts_and_links(synthetic_client, synthetic_graph):
    g, field = synthetic_graph, thing("handlungsfeld", FIELD)
    measures = sorted(int(g.value(m, SKOS.notation)) for m in g.subjects(IK.handlungsfeld, field)
                      if (m, RDF.type, IK.Massnahme) in g)
    goals = {z for z in g.subjects(IK.handlungsfeld, field) if (z, RDF.type, IK.Ziel) in g}
    assert len(measures) > overviews.FIELD_MEASURES and len(goals) > overviews.FIELD_ROWS
    page = page_of(synthetic_client, f"/doc/handlungsfeld/{FIELD}?lang=de")

    # measures: the first FIELD_MEASURES by number, the exact total, the rest linked to the list of measures
    assert measure_numbers(page, "ov-measures") == measures[:overviews.FIELD_MEASURES]
    assert page.find("h2", id_="ov-measures-h").find("small").text() == f"({len(measures)})"
    more = page.find("p", id_="ov-measures-more")
    assert int(more.get("data-more")) == len(measures) - overviews.FIELD_MEASURES
    link = more.find("a")
    assert f"Alle {len(measures)} " in link.text()
    assert listed_total(synthetic_client, link.get("href")) == len(measures)

    # goals: those with the most measures, each with its exact count; all of them in the data section, paged
    per_goal = Counter(z for m in g.subjects(IK.handlungsfeld, field) for z in g.objects(m, IK.verfolgtZiel))
    listed = page.find("section", aria_labelledby="ov-goals-h").find("ul").find_all("a")
    assert len(listed) == overviews.FIELD_ROWS
    shown = {URIRef(DEFAULT_BASE + a.get("href")[1:]) for a in listed}
    assert shown <= goals
    largest = sorted((per_goal[z] for z in goals), reverse=True)
    assert sorted((per_goal[z] for z in shown), reverse=True) == largest[:overviews.FIELD_ROWS]
    chart = chart_rows(page, "chart-goals")
    assert len(chart) == overviews.FIELD_ROWS
    assert sorted(chart.values(), reverse=True) == largest[:overviews.FIELD_ROWS]
    more = page.find("p", id_="ov-goals-more")
    assert int(more.get("data-more")) == len(goals) - overviews.FIELD_ROWS
    target = more.find("a")
    assert f"Alle {len(goals)} Ziele" in target.text()
    anchor = page.find(id_=target.get("href").lstrip("#"))
    assert anchor is not None and anchor.tag == "h3"
    assert re.search(r"\((\d+)\)$", anchor.text()).group(1) == str(len(goals))
    assert page.find("details", id_="daten").find(id_=anchor.get("id")) is anchor

    # the distribution charts: the FIELD_ROWS largest units and groups, their numbers exact
    for figure, predicate in (("chart-units", IK.zustaendig), ("chart-groups", IK.zielgruppe)):
        counts = Counter(v for m in g.subjects(IK.handlungsfeld, field) if (m, RDF.type, IK.Massnahme) in g
                         for v in set(g.objects(m, predicate)))
        bars = chart_rows(page, figure)
        assert len(bars) == overviews.FIELD_ROWS < len(counts), figure
        assert list(bars.values()) == sorted(counts.values(), reverse=True)[:overviews.FIELD_ROWS], figure


def test_a_large_field_says_so_in_english(synthetic_client):
    page = page_of(synthetic_client, f"/doc/handlungsfeld/{FIELD}?lang=en")
    assert page.find("p", id_="ov-goals-more").find("a").text().startswith("All ")
    assert page.find("p", id_="ov-measures-more").find("a").text().startswith("All ")


def groups(page) -> dict[str, list[str]]:
    """Every group of incoming links on a resource page: its heading (with its total) -> the links listed."""
    found, heading = {}, None
    sections = [page.find("section", aria_labelledby=name) for name in ("here-h", "in-h")]
    for e in (e for section in sections if section is not None for e in section.children):
        if getattr(e, "tag", None) in ("h2", "h3"):
            heading = e.text()
        elif getattr(e, "tag", None) == "ul":
            found[heading] = [a.get("href") for a in e.find_all("a")]
    return found


@pytest.mark.parametrize("url", ["/doc/bericht/2020", "/doc/handlungsfeld/vernetzung", "/doc/oe-art/fachbereich",
                                 "/doc/status/laufend"])
@pytest.mark.parametrize("page", [1, 2])
def test_a_hub_page_shows_what_the_whole_fetch_shows(synthetic_client, monkeypatch, url, page):
    """A hub's window, cut from the groups kept in page order (and looked up by IRI where a group is larger than
    HUB), is the same list as fetching every link per request and cutting it: same totals, same links, same order."""
    monkeypatch.setattr(renderers, "PAGE_SIZE", 20)
    asked = f"{url}?seite={page}"
    monkeypatch.setattr(describe, "WHOLE", 10**6)
    whole = groups(page_of(synthetic_client, asked))
    forget_pages()
    monkeypatch.setattr(describe, "WHOLE", 0)
    monkeypatch.setattr(describe, "HUB", 50)  # the larger groups by IRI, the smaller ones kept whole
    hub = groups(page_of(synthetic_client, asked))
    assert hub == whole
    assert any(len(links) == 20 for links in hub.values()) if page == 1 else any(hub.values())


def test_a_resource_with_many_own_values_shows_the_first_and_links_them_all(client, graph, monkeypatch):
    """More own triples than describe.WHOLE (the report's 300 references at 100×; here the bounds lowered): each
    property shows its first values in page order, says how many more there are and links the Turtle document,
    which has them all."""
    report = URIRef(DEFAULT_BASE + "id/bericht/2020")
    chapters = set(graph.objects(report, DCTERMS.hasPart))
    monkeypatch.setattr(describe, "WHOLE", 5)
    monkeypatch.setattr(renderers, "PAGE_SIZE", 4)
    page = page_of(client, "/doc/bericht/2020?lang=de")
    row = next(tr for tr in page.find("details", id_="daten").find_all("tr")
               if tr.find("code") is not None and tr.find("code").text() == "dcterms:hasPart")
    items = row.find("td").find_all("li")
    assert len(items) == 5 and items[-1].get("class") == "more"
    assert f"{len(chapters) - 4} weitere" in items[-1].text()
    shown = [a.get("href") for li in items[:4] for a in li.find_all("a")]
    assert len(shown) == 4 and {DEFAULT_BASE + h[1:] for h in shown} <= {str(c) for c in chapters}
    turtle = items[-1].find("a").get("href")
    assert turtle == "/doc/bericht/2020.ttl"
    assert set(Graph().parse(data=client.get(turtle).data, format="turtle").objects(report, DCTERMS.hasPart)) == chapters


def kind_units(page) -> list[tuple[str, str, int]]:
    """A unit kind's list of units: (the heading it stands under – a unit's link or the text –, its link, its count)."""
    out, heading = [], None
    for e in page.find("section", aria_labelledby="ov-kind-h").children:
        if getattr(e, "tag", None) == "h3":
            a = e.find("a")
            heading = a.get("href") if a is not None else e.text()
        elif getattr(e, "tag", None) == "ul":
            for li in e.find_all("li"):
                count = re.search(r"\((\d+) Maßnahmen?\)", li.text())
                out.append((heading, li.find("a").get("href"), int(count.group(1))))
    return out


def path(resource) -> str:
    return "/" + str(resource)[len(DEFAULT_BASE):]


def test_a_unit_kind_lists_its_units_under_what_they_are_part_of_with_their_measures(client, graph):
    """„Welche Fachbereiche gibt es, in welchem Dezernat?“ – answered on the kind's page itself, not only in its data
    section; a unit the report does not place stands under a heading that says so."""
    kinds = set(graph.objects(None, ORG.classification))
    assert len(kinds) >= 5
    left_open = set(graph.subjects(IK.nichtAngegeben, ORG.subOrganizationOf))
    for kind in kinds:
        page = page_of(client, f"/doc/oe-art/{str(kind).rsplit('/', 1)[1]}?lang=de")
        units = set(graph.subjects(ORG.classification, kind))
        expected = set()
        for u in units:
            sups = set(graph.objects(u, ORG.subOrganizationOf))
            n = len({m for m in graph.subjects(IK.zustaendig, u) if (m, RDF.type, IK.Massnahme) in graph})
            heads = {path(s) for s in sups} or {"Zu welcher Einheit sie gehören, sagt der Bericht nicht" if u in left_open
                                                else "Keiner anderen Einheit zugeordnet"}
            expected |= {(h, path(u), n) for h in heads}
        listed = kind_units(page)
        assert sorted(listed) == sorted(expected), kind
        assert page.find(id_="ov-kind-more") is None
        assert page.find("h2", id_="ov-kind-h").find("small").text() == f"({len(units)})"
    assert any(h.startswith("Zu welcher") for h, _, _ in kind_units(page_of(client, "/doc/oe-art/fachbereich?lang=de")))


def test_a_large_unit_kind_lists_the_first_units_and_links_all_of_them(synthetic_client, synthetic_graph, monkeypatch):
    monkeypatch.setattr(overviews, "KIND_UNITS", 10)
    kind = thing("oe-art", "fachbereich")
    units = set(synthetic_graph.subjects(ORG.classification, kind))
    assert len(units) > 10
    page = page_of(synthetic_client, "/doc/oe-art/fachbereich?lang=de")
    listed = {href for _, href, _ in kind_units(page)}
    assert len(listed) == 10 and listed <= {path(u) for u in units}
    more = page.find("p", id_="ov-kind-more")
    assert int(more.get("data-more")) == len(units) - 10
    target = more.find("a")
    assert f"Alle {len(units)} " in target.text()
    anchor = page.find("details", id_="daten").find(id_=target.get("href").lstrip("#"))
    assert anchor is not None and re.search(r"\((\d+)\)$", anchor.text()).group(1) == str(len(units))
