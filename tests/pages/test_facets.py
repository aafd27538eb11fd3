"""The filterable list of measures: facets and their counts, sorting, paging, CSV/JSON of exactly the filtered rows.

Expected values are computed independently from the built graph with rdflib, not from the server's own code.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from urllib.parse import parse_qs, urlparse

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.namespaces import DEFAULT_BASE, IK
from server.i18n.labels import labels_for
from server.pages.facets import FACET_NAMES, table_for
from server.pages.search_index import fold
from server.state import base, published
from tests.support.htmltree import parse_html

PREDICATES = {"handlungsfeld": IK.handlungsfeld, "ziel": IK.verfolgtZiel, "oe": IK.zustaendig,
              "zielgruppe": IK.zielgruppe, "drucksache": DCTERMS.references}


@pytest.fixture(scope="module")
def measures(graph) -> dict[int, dict]:
    """nr -> {title, facet -> set of value keys}, straight from the graph."""
    out = {}
    for m in graph.subjects(RDF.type, IK.Massnahme):
        nr = int(graph.value(m, SKOS.notation))
        entry = {"title": str(graph.value(m, DCTERMS.title))}
        for facet, p in PREDICATES.items():
            entry[facet] = {str(o).rsplit("/", 1)[-1] for o in graph.objects(m, p) if str(o).startswith(DEFAULT_BASE + "id/")}
        out[nr] = entry
    return out


def matching(measures, **selection: set[str]) -> list[int]:
    return sorted(nr for nr, m in measures.items() if all(m[f] & keys for f, keys in selection.items()))


def get_json(client, query: str) -> dict:
    r = client.get("/massnahmen.json?" + query)
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


def counts_on_page(page, facet: str) -> dict[str, int]:
    return {s.get("data-key"): int(s.text().strip("()")) for s in page.find_all("span", cls="count", data_facet=facet)}


def test_unfiltered_list_has_every_measure(client, measures):
    data = get_json(client, "")
    assert data["total"] == len(measures) == 129
    assert [i["nr"] for i in data["items"]] == sorted(measures)


@pytest.mark.parametrize("query,selection", [
    ("handlungsfeld=gefluechtete", {"handlungsfeld": {"gefluechtete"}}),
    ("oe=51&oe=50", {"oe": {"51", "50"}}),  # one facet, several values: either
    ("handlungsfeld=bildung-und-sprache&zielgruppe=kinder-bis-sechs-jahre", {"handlungsfeld": {"bildung-und-sprache"},
                                                                             "zielgruppe": {"kinder-bis-sechs-jahre"}}),
    ("drucksache=IV-0349", {"drucksache": {"IV-0349"}}),
    ("ziel=informationszugang-fuer-gefluechtete-erleichtern", {"ziel": {"informationszugang-fuer-gefluechtete-erleichtern"}}),
])
def test_filters_select_exactly_the_matching_measures(client, measures, query, selection):
    expected = matching(measures, **selection)
    assert expected, "the example selects something"
    assert [i["nr"] for i in get_json(client, query)["items"]] == expected
    page = parse_html(client.get("/massnahmen?" + query).data)
    assert page.find(id_="list-count").text().startswith(f"{len(expected)} von 129")
    for facet, keys in selection.items():
        for key in keys:
            assert page.find("input", id_=f"f-{facet}-{key}").has("checked")


def test_counts_reflect_the_other_facets_filters(client, measures):
    page = parse_html(client.get("/massnahmen?handlungsfeld=gefluechtete&zielgruppe=junge-menschen").data)
    both = {"handlungsfeld": {"gefluechtete"}, "zielgruppe": {"junge-menschen"}}
    # A facet's own selection does not narrow its counts; the other facets' selections do.
    expected_fields = Counter(k for nr in matching(measures, zielgruppe={"junge-menschen"}) for k in measures[nr]["handlungsfeld"])
    expected_groups = Counter(k for nr in matching(measures, handlungsfeld={"gefluechtete"}) for k in measures[nr]["zielgruppe"])
    expected_units = Counter(k for nr in matching(measures, **both) for k in measures[nr]["oe"])
    assert counts_on_page(page, "handlungsfeld") == dict(expected_fields)
    assert counts_on_page(page, "zielgruppe") == dict(expected_groups)
    assert counts_on_page(page, "oe") == dict(expected_units)


def test_unfiltered_counts_are_the_measures_per_value(client, measures):
    page = parse_html(client.get("/massnahmen").data)
    for facet in PREDICATES:
        assert counts_on_page(page, facet) == dict(Counter(k for m in measures.values() for k in m[facet])), facet


@pytest.mark.parametrize("query", ["", "handlungsfeld=vernetzung&sort=titel", "oe=51&oe=32&zielgruppe=gefluechtete&seite=2"])
def test_csv_and_json_downloads_hold_exactly_the_filtered_rows(client, query):
    items = get_json(client, query)["items"]
    r = client.get("/massnahmen.csv?" + query)
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [int(row["nr"]) for row in rows] == [i["nr"] for i in items]  # same rows, same order, all pages
    for row, item in zip(rows, items, strict=True):
        assert row["titel"] == item["titel"] and row["uri"] == item["uri"]
        assert row["handlungsfeld"] == item["handlungsfeld"]["key"]
        assert set(filter(None, row["oe"].split("|"))) == {v["key"] for v in item["oe"]}


def test_download_links_carry_the_filters_but_not_the_page(client):
    page = parse_html(client.get("/massnahmen?handlungsfeld=vernetzung&sort=titel&seite=1&pro_seite=10").data)
    links = {a.text(): a.get("href") for a in page.find_all("a") if a.get("href", "").startswith("/massnahmen.")}
    for label, ext in (("CSV", "csv"), ("JSON", "json")):
        url = urlparse(links[label])
        assert url.path == f"/massnahmen.{ext}"
        assert parse_qs(url.query) == {"handlungsfeld": ["vernetzung"], "sort": ["titel"]}


def test_sorting_by_number_title_and_field(client, measures, graph):
    by_title = [i["nr"] for i in get_json(client, "sort=titel")["items"]]
    assert by_title == sorted(measures, key=lambda nr: (fold(measures[nr]["title"]), nr))
    section = {str(f).rsplit("/", 1)[-1]: tuple(int(p) for p in str(graph.value(f, SKOS.notation)).split("."))
               for f in graph.subjects(RDF.type, IK.Handlungsfeld)}
    by_field = [i["nr"] for i in get_json(client, "sort=handlungsfeld")["items"]]
    assert by_field == sorted(measures, key=lambda nr: (section[next(iter(measures[nr]["handlungsfeld"]))], nr))
    assert [i["nr"] for i in get_json(client, "sort=unsinn")["items"]] == sorted(measures)
    page = parse_html(client.get("/massnahmen?sort=titel").data)
    assert page.find("th", aria_sort="ascending").text().startswith("Titel")


def test_paging_keeps_filters_and_shows_the_right_slice(client, measures):
    expected = matching(measures, handlungsfeld={"interkulturelle-oeffnung"})
    page = parse_html(client.get("/massnahmen?handlungsfeld=interkulturelle-oeffnung&pro_seite=10&seite=2").data)
    shown = [int(tr.find("td").text()) for tr in page.find("table", id_="measures").find("tbody").find_all("tr")]
    assert shown == expected[10:20]
    pager = page.find("nav", cls="pager")
    assert pager.find("a", aria_current="page").text().endswith("2")
    next_link = parse_qs(urlparse(pager.find("a", rel="next").get("href")).query)
    assert next_link == {"handlungsfeld": ["interkulturelle-oeffnung"], "pro_seite": ["10"], "seite": ["3"]}


def test_page_beyond_the_end_shows_the_last_page(client):
    page = parse_html(client.get("/massnahmen?seite=999").data)
    assert page.find("nav", cls="pager").find("a", aria_current="page").text().endswith("6")


def test_unknown_value_gives_no_rows_and_can_be_removed(client):
    page = parse_html(client.get("/massnahmen?oe=gibt-es-nicht&handlungsfeld=vernetzung").data)
    assert page.find(id_="list-count").text().startswith("0 von 129")
    assert page.find("table", id_="measures") is None
    removals = [a.get("href") for a in page.find("section", cls="active-filters").find_all("a")]
    assert "/massnahmen?handlungsfeld=vernetzung" in removals


def test_values_without_matches_under_the_filters_are_hidden_but_selected_ones_stay(client, measures):
    page = parse_html(client.get("/massnahmen?handlungsfeld=vernetzung&ziel=informationszugang-fuer-gefluechtete-erleichtern").data)
    goals = counts_on_page(page, "ziel")
    assert goals.get("informationszugang-fuer-gefluechtete-erleichtern") is not None
    expected = Counter(k for nr in matching(measures, handlungsfeld={"vernetzung"}) for k in measures[nr]["ziel"])
    assert {k: n for k, n in goals.items() if n} == dict(expected)


def test_each_checkbox_has_a_label_and_each_facet_a_group_name(client):
    page = parse_html(client.get("/massnahmen").data)
    labels = {label.get("for") for label in page.find_all("label")}
    boxes = page.find_all("input", type="checkbox")
    assert boxes and all(b.get("id") in labels for b in boxes)
    assert all(fs.find("legend") is not None for fs in page.find_all("fieldset"))


def test_accept_json_on_the_list_gives_json(client):
    r = client.get("/massnahmen?oe=51", headers={"Accept": "application/json"})
    assert r.mimetype == "application/json" and r.get_json()["filters"] == {"oe": ["51"]}


def test_measure_links_point_at_the_measures(client, graph):
    page = parse_html(client.get("/massnahmen?pro_seite=200").data)
    rows = page.find("table", id_="measures").find("tbody").find_all("tr")
    assert len(rows) == 129
    for tr in rows[:5]:
        nr = tr.find("td").text()
        link = tr.find_all("td")[1].find("a")
        assert link.get("href") == f"/id/massnahme/{nr}"
        assert link.text() == str(graph.value(URIRef(DEFAULT_BASE + f"id/massnahme/{nr}"), DCTERMS.title))


# ------------------------------------------------------------------ counting against a reference, long facets cut


@pytest.fixture(scope="module")
def table(app):
    with app.test_request_context("/massnahmen"):
        build = published()
        return table_for(build, base(), labels_for(build))


def reference_filter(table, selection, ignore=None):
    """The plain definition: every measure, every other facet's selection."""
    return [m for m in table.measures
            if all(set(m.values.get(f, ())) & keys for f, keys in selection.items() if keys and f != ignore)]


def reference_shown(table, facet, counts, chosen, cap):
    """All values with measures, most first (ties in list order), the first ``cap``, plus the chosen; in list order."""
    order = list(table.values[facet])
    ranked = sorted((k for k in order if counts.get(k)), key=lambda k: (-counts[k], order.index(k)))
    keep = set(ranked if cap is None else ranked[:cap]) | (chosen & set(order))
    return [k for k in order if k in keep], sum(1 for k in ranked if k not in keep)


@given(data=st.data())
def test_counts_filter_and_shown_values_equal_the_plain_definitions(table, data):
    selection = {f: data.draw(st.sets(st.sampled_from([*table.values[f], "gibt-es-nicht"]), max_size=3), label=f)
                 for f in data.draw(st.sets(st.sampled_from(FACET_NAMES), max_size=3), label="facets")}
    assert table.filter(selection) == reference_filter(table, selection)
    counts = table.counts(selection)
    for f in FACET_NAMES:
        expected = Counter(k for m in reference_filter(table, selection, ignore=f) for k in m.values.get(f, ()))
        assert counts[f] == expected, f
        cap = data.draw(st.none() | st.integers(0, 50), label=f"cap {f}")
        chosen = selection.get(f, set())
        assert table.shown(f, counts[f], chosen, cap) == reference_shown(table, f, expected, chosen, cap), f


def listed(page, facet: str) -> list[str]:
    return [box.get("value") for box in page.find("details", id_=f"facet-{facet}").find_all("input", type="checkbox")]


def more_note(page, facet: str):
    return page.find("details", id_=f"facet-{facet}").find("p", cls="more")


def test_unfiltered_facets_list_at_most_the_cap_and_say_how_many_more(client, measures, monkeypatch):
    monkeypatch.setattr("server.pages.views.FACET_CAP", 7)
    page = parse_html(client.get("/massnahmen").data)
    for facet in PREDICATES:
        values = {k for m in measures.values() for k in m[facet]}
        note = more_note(page, facet)
        assert len(listed(page, facet)) == min(7, len(values)), facet
        if len(values) <= 7:
            assert note is None, facet
        elif len(values) == 8:
            assert note.text().startswith("… und 1 weiterer Wert "), facet
        else:
            assert note.text().startswith(f"… und {len(values) - 7} weitere Werte "), facet


def test_a_long_facet_shows_its_most_frequent_values_the_chosen_one_and_a_link_to_all(app, client, measures, monkeypatch):
    cap = 5
    monkeypatch.setattr("server.pages.views.FACET_CAP", cap)
    per_goal = Counter(k for m in measures.values() for k in m["ziel"])  # choosing a goal does not narrow its own counts
    rare = min(per_goal, key=per_goal.get)
    page = parse_html(client.get(f"/massnahmen?ziel={rare}").data)

    shown = listed(page, "ziel")
    assert len(shown) == cap + 1 and rare in shown and page.find("input", id_=f"f-ziel-{rare}").has("checked")
    assert counts_on_page(page, "ziel") == {k: per_goal[k] for k in shown}
    top = [k for k in shown if k != rare]
    assert min(per_goal[k] for k in top) >= max(n for k, n in per_goal.items() if k not in shown)
    note = more_note(page, "ziel")
    hidden = len(per_goal) - len(shown)
    assert note.text().startswith(f"… und {hidden} weitere Werte ")

    link = urlparse(note.find("a").get("href"))
    assert link.path == "/massnahmen" and link.fragment == "facet-ziel"
    assert parse_qs(link.query) == {"ziel": [rare], "mehr": ["ziel"]}
    everything = parse_html(client.get(f"{link.path}?{link.query}").data)
    all_goals = listed(everything, "ziel")
    assert sorted(all_goals) == sorted(per_goal) and more_note(everything, "ziel") is None
    assert [k for k in all_goals if k in shown] == shown, "the cut list keeps the list order"
    assert everything.find("details", id_="facet-ziel").has("open")

    download = next(a.get("href") for a in everything.find_all("a") if a.get("href", "").startswith("/massnahmen.json"))
    assert parse_qs(urlparse(download).query) == {"ziel": [rare]}
    assert [i["nr"] for i in client.get(download).get_json()["items"]] == matching(measures, ziel={rare})

    english = more_note(parse_html(app.test_client().get(f"/massnahmen?ziel={rare}&lang=en").data), "ziel")  # own cookie jar
    assert english.text() == f"… and {hidden} more values Show all values for “Goal”"


def test_pager_links_first_last_and_a_window_not_every_page(client):
    page = parse_html(client.get("/massnahmen?pro_seite=10&seite=7").data)
    pager = page.find("nav", cls="pager")
    numbers = [int(re.search(r"\d+$", a.text()).group()) for a in pager.find_all("a") if a.get("rel") is None]
    assert numbers == [1, 5, 6, 7, 8, 9, 13]
    assert pager.find("a", aria_current="page").text().endswith("7")
