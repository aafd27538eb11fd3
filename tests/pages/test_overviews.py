"""Overview sections on field-of-action, unit and target-group pages, checked against the graph."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

from kg.namespaces import DEFAULT_BASE, IK
from tests.support.htmltree import parse_html


def thing(kind: str, key: str) -> URIRef:
    return URIRef(f"{DEFAULT_BASE}id/{kind}/{key}")


def nr(graph, measure) -> int:
    return int(graph.value(measure, SKOS.notation))


def table_numbers(page, table_id: str) -> list[int]:
    table = page.find("table", id_=table_id)
    return [int(tr.find("td").text()) for tr in table.find("tbody").find_all("tr")]


def chart(page, figure_id: str) -> dict[str, int]:
    """The data-table alternative of a chart: label -> number."""
    caption = page.find(id_=f"{figure_id}-cap")
    figure = next(f for f in page.find_all("figure", cls="chart") if f.get("aria-labelledby") == f"{figure_id}-cap")
    assert caption is not None and figure.find("svg", role="img") is not None
    return {tr.find("th").text(): int(tr.find("td").text()) for tr in figure.find("table").find("tbody").find_all("tr")}


def test_field_of_action_overview(client, graph):
    field = thing("handlungsfeld", "gefluechtete")
    page = parse_html(client.get("/doc/handlungsfeld/gefluechtete").data)
    intro = " ".join(p.text() for p in page.find("section", aria_labelledby="ov-intro-h").find_all("p"))
    assert " ".join(str(graph.value(field, IK.einleitung)).split()) == intro

    goals = {str(graph.value(z, SKOS.prefLabel)) for z in graph.subjects(IK.handlungsfeld, field) if (z, RDF.type, IK.Ziel) in graph}
    listed = {a.text() for a in page.find("section", aria_labelledby="ov-goals-h").find("ul").find_all("a")}
    assert listed == goals
    per_goal = chart(page, "chart-goals")
    assert set(per_goal) == goals
    for z in graph.subjects(IK.handlungsfeld, field):
        if (z, RDF.type, IK.Ziel) in graph:
            assert per_goal[str(graph.value(z, SKOS.prefLabel))] == len(set(graph.subjects(IK.verfolgtZiel, z)))

    examples = sorted(nr(graph, m) for m in graph.objects(field, IK.beispiel))
    shown = [a.get("href") for a in page.find("section", aria_labelledby="ov-examples-h").find_all("a")]
    assert shown == [f"/id/massnahme/{n}" for n in examples]

    measures = sorted(nr(graph, m) for m in graph.subjects(IK.handlungsfeld, field) if (m, RDF.type, IK.Massnahme) in graph)
    assert table_numbers(page, "ov-measures") == measures
    assert page.find("a", href="/massnahmen?handlungsfeld=gefluechtete") is not None

    in_field = [m for m in graph.subjects(IK.handlungsfeld, field) if (m, RDF.type, IK.Massnahme) in graph]
    for figure, predicate in (("chart-units", IK.zustaendig), ("chart-groups", IK.zielgruppe)):
        bars = chart(page, figure)
        assert sum(bars.values()) == sum(len(set(graph.objects(m, predicate))) for m in in_field), figure
        assert list(bars.values()) == sorted(bars.values(), reverse=True)


def test_unit_overview_lists_its_measures_across_fields(client, graph):
    unit = thing("oe", "51")
    page = parse_html(client.get("/doc/oe/51").data)
    measures = sorted(nr(graph, m) for m in graph.subjects(IK.zustaendig, unit))
    assert table_numbers(page, "ov-measures") == measures
    per_field = chart(page, "chart-fields")
    assert sum(per_field.values()) == len(measures)
    fields = {graph.value(m, IK.handlungsfeld) for m in graph.subjects(IK.zustaendig, unit)}
    german = {f: str(label) for f in fields for label in graph.objects(f, SKOS.prefLabel) if label.language == "de"}
    assert set(per_field) == set(german.values())


def test_dezernat_overview_collects_the_measures_of_its_units(client, graph):
    dezernat = thing("oe", "dezernat-ii")
    units = {u for u in graph.transitive_subjects(ORG.subOrganizationOf, dezernat) if u != dezernat}
    expected = sorted({nr(graph, m) for u in units for m in graph.subjects(IK.zustaendig, u)})
    page = parse_html(client.get("/doc/oe/dezernat-ii").data)
    assert expected and table_numbers(page, "ov-indirect") == expected
    assert sum(chart(page, "chart-fields").values()) == len(expected)


def test_target_group_overview_includes_narrower_groups(client, graph):
    group = thing("zielgruppe", "gefluechtete")
    page = parse_html(client.get("/doc/zielgruppe/gefluechtete").data)
    direct = sorted(nr(graph, m) for m in graph.subjects(IK.zielgruppe, group))
    assert table_numbers(page, "ov-measures") == direct
    narrower = set(graph.objects(group, SKOS.narrower))
    assert narrower
    listed = {a.get("href") for a in page.find("section", aria_labelledby="ov-groups-h").find("ul").find_all("a")}
    assert listed == {"/" + str(n)[len(DEFAULT_BASE):] for n in narrower}
    indirect = sorted({nr(graph, m) for n in narrower for m in graph.subjects(IK.zielgruppe, n)} - set(direct))
    if indirect:
        assert table_numbers(page, "ov-indirect") == indirect


def test_overviews_show_english_labels_where_the_graph_has_them(client, graph):
    page = parse_html(client.get("/doc/zielgruppe/gefluechtete?lang=en").data)
    assert page.find("html").get("lang") == "en"
    per_field = chart(page, "chart-fields")
    english = {str(label) for f in graph.subjects(RDF.type, IK.Handlungsfeld) for label in graph.objects(f, SKOS.prefLabel)
               if label.language == "en"}
    assert set(per_field) <= english
    # Measure titles exist in German only and say so.
    first = page.find("table", id_="ov-measures").find("tbody").find("a")
    assert first.get("lang") == "de"


def test_units_without_measures_say_so(client, graph):
    empty = next(u for u in graph.subjects(RDF.type, ORG.OrganizationalUnit)
                 if not set(graph.subjects(IK.zustaendig, u)) and not set(graph.subjects(ORG.subOrganizationOf, u)))
    r = client.get("/doc/oe/" + str(empty).rsplit("/", 1)[-1])
    page = parse_html(r.data)
    assert r.status_code == 200 and page.find("table", id_="ov-measures") is None
    assert page.find("section", aria_labelledby="ov-measures-h") is not None


def test_measure_titles_in_overviews_match_the_graph(client, graph):
    page = parse_html(client.get("/doc/oe/32").data)
    for a in page.find("table", id_="ov-measures").find("tbody").find_all("a"):
        assert a.text() == str(graph.value(URIRef(DEFAULT_BASE + a.get("href")[1:]), DCTERMS.title))


# ------------------------------------------------------------------ long lists are capped (synthetic builds)


def listed_measures(client, url: str) -> list[int]:
    """The measure numbers /massnahmen lists at ``url`` (all on one page)."""
    r = client.get(url + "&pro_seite=200")
    assert r.status_code == 200
    return table_numbers(parse_html(r.data), "measures")


def test_the_report_lists_stay_complete(client, graph):
    from server.pages import overviews

    assert overviews.LIST_CAP >= len(set(graph.subjects(RDF.type, IK.Massnahme)))
    for url in ("/doc/oe/51", "/doc/oe/dezernat-ii", "/doc/zielgruppe/gefluechtete"):
        page = parse_html(client.get(url).data)
        assert page.find(id_="ov-measures-more") is None and page.find(id_="ov-indirect-more") is None


def test_a_unit_lists_at_most_the_cap_and_links_the_rest(client, graph, monkeypatch):
    from server.pages import overviews

    monkeypatch.setattr(overviews, "LIST_CAP", 3)
    unit = thing("oe", "51")
    measures = sorted(nr(graph, m) for m in graph.subjects(IK.zustaendig, unit))
    assert len(measures) > 3
    page = parse_html(client.get("/doc/oe/51?lang=de").data)
    assert table_numbers(page, "ov-measures") == measures[:3]
    assert page.find("h2", id_="ov-measures-h").find("small").text() == f"({len(measures)})"
    more = page.find("p", id_="ov-measures-more")
    assert more.get("data-more") == str(len(measures) - 3) and f"{len(measures) - 3} weitere" in more.text()
    link = more.find("a")
    assert str(len(measures)) in link.text()
    assert listed_measures(client, link.get("href")) == measures
    assert sum(chart(page, "chart-fields").values()) == len(measures)  # charts count everything


def test_a_dezernat_caps_the_measures_of_its_units_and_links_all_of_them(client, graph, monkeypatch):
    from server.pages import overviews

    monkeypatch.setattr(overviews, "LIST_CAP", 2)
    dezernat = thing("oe", "dezernat-ii")
    units = {u for u in graph.transitive_subjects(ORG.subOrganizationOf, dezernat)}
    direct = {nr(graph, m) for m in graph.subjects(IK.zustaendig, dezernat)}
    everything = sorted({nr(graph, m) for u in units for m in graph.subjects(IK.zustaendig, u)})
    indirect = sorted(set(everything) - direct)
    assert len(indirect) > 2
    page = parse_html(client.get("/doc/oe/dezernat-ii?lang=de").data)
    assert table_numbers(page, "ov-indirect") == indirect[:2]
    more = page.find("p", id_="ov-indirect-more")
    assert more.get("data-more") == str(len(indirect) - 2) and f"{len(indirect) - 2} weitere" in more.text()
    link = more.find("a")
    assert f"Alle {len(everything)} Maßnahmen" in link.text()
    assert listed_measures(client, link.get("href")) == everything
    assert sum(chart(page, "chart-fields").values()) == len(everything)


def test_a_target_group_caps_both_lists(client, graph, monkeypatch):
    from server.pages import overviews

    monkeypatch.setattr(overviews, "LIST_CAP", 1)
    group = thing("zielgruppe", "gefluechtete")
    groups = set(graph.transitive_subjects(SKOS.broader, group)) | set(graph.transitive_objects(group, SKOS.narrower))
    direct = sorted(nr(graph, m) for m in graph.subjects(IK.zielgruppe, group))
    everything = sorted({nr(graph, m) for g in groups for m in graph.subjects(IK.zielgruppe, g)})
    indirect = sorted(set(everything) - set(direct))
    page = parse_html(client.get("/doc/zielgruppe/gefluechtete?lang=en").data)
    assert table_numbers(page, "ov-measures") == direct[:1]
    more = page.find("p", id_="ov-measures-more")
    assert more.get("data-more") == str(len(direct) - 1) and f"{len(direct) - 1} more" in more.text()
    assert listed_measures(client, more.find("a").get("href")) == direct
    if len(indirect) > 1:
        assert table_numbers(page, "ov-indirect") == indirect[:1]
        more = page.find("p", id_="ov-indirect-more")
        assert more.get("data-more") == str(len(indirect) - 1)
        assert listed_measures(client, more.find("a").get("href")) == everything


def test_charts_show_the_largest_entries_and_count_the_rest(client, graph, monkeypatch):
    from server.pages import overviews

    monkeypatch.setattr(overviews, "FIELD_ROWS", 2)  # a field's charts; the home page's have CHART_ROWS
    field = thing("handlungsfeld", "gefluechtete")
    in_field = [m for m in graph.subjects(IK.handlungsfeld, field) if (m, RDF.type, IK.Massnahme) in graph]
    per_group: dict = {}
    for m in in_field:
        for g in set(graph.objects(m, IK.zielgruppe)):
            per_group[g] = per_group.get(g, 0) + 1
    assert len(per_group) > 2
    page = parse_html(client.get("/doc/handlungsfeld/gefluechtete").data)
    bars = chart(page, "chart-groups")
    assert sorted(bars.values(), reverse=True) == sorted(per_group.values(), reverse=True)[:2]
    figure = next(f for f in page.find_all("figure", cls="chart") if f.get("aria-labelledby") == "chart-groups-cap")
    note = figure.find("p", cls="muted").text()
    assert f" {len(per_group) - 2} " in note  # German or English, as the shared client last chose


def test_field_overview_lists_at_most_the_cap_and_links_the_rest(client, graph, monkeypatch):
    from server.pages import overviews

    monkeypatch.setattr(overviews, "FIELD_MEASURES", 3)
    field = thing("handlungsfeld", "gefluechtete")
    measures = sorted(nr(graph, m) for m in graph.subjects(IK.handlungsfeld, field) if (m, RDF.type, IK.Massnahme) in graph)
    page = parse_html(client.get("/doc/handlungsfeld/gefluechtete").data)
    assert table_numbers(page, "ov-measures") == measures[:3]
    more = page.find("p", id_="ov-measures-more")
    assert int(more.get("data-more")) == len(measures) - 3
    target = more.find("a").get("href")
    assert target == "/massnahmen?handlungsfeld=gefluechtete" and client.get(target).status_code == 200
