"""Hubs: a resource with more incoming links than describe.HUB gets exact counts and one page of links per request.

The real data has at most ~200 incoming links per resource, so these tests lower the threshold: the report
(/doc/bericht/2020, source of every measure, goal and chapter) becomes a hub. The whole answer, before lowering
it, is the reference every paged answer is checked against.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from kg.namespaces import DEFAULT_BASE, HYDRA
from kg.store import Store
from server.linkeddata import describe, queries, renderers
from tests.support.htmltree import parse_html

REPORT = "/doc/bericht/2020"
SUBJECT = URIRef(DEFAULT_BASE + "id/bericht/2020")
HUB, PAGE_SIZE = 30, 20


@pytest.fixture(scope="module", params=["embedded", "remote"])
def any_client(request, app, make_app):
    """The app on the real build, over the embedded store and over an external Oxigraph server."""
    if request.param == "embedded":
        yield app.test_client()
        return
    remote = make_app(KG_BUILD_DIR=app.config["KG_BUILD_DIR"], KG_SPARQL_ENDPOINT=request.getfixturevalue("oxigraph_endpoint"))
    yield remote.test_client()
    pool = remote.extensions.get("sparql_pool")
    if pool is not None:
        pool.close()


@pytest.fixture()
def small_hub(monkeypatch):
    monkeypatch.setattr(describe, "HUB", HUB)


def link_rels(response) -> dict[str, str]:
    """The Link header as rel -> target (the alternates left out)."""
    return {rel: target for target, rel in re.findall(r'<([^>]+)>; rel="([^"]+)"', response.headers["Link"])
            if rel != "alternate"}


def groups(body: bytes) -> dict[str, dict]:
    """Incoming-link groups of a resource page: heading -> total shown, links listed, href of the next page.
    The measures linking here are shown first under their own h2 ("here-h"), the other groups in the data section."""
    found, heading = {}, None
    html = parse_html(body)
    sections = [html.find("section", aria_labelledby=name) for name in ("here-h", "in-h")]
    for e in (e for section in sections if section is not None for e in section.children):
        if getattr(e, "tag", None) in ("h2", "h3") and re.search(r"\((\d+)\)$", e.text()):
            heading = e.text()
            found[heading] = {"total": int(re.search(r"\((\d+)\)$", heading).group(1)), "links": [], "next": None}
        elif getattr(e, "tag", None) == "ul":
            found[heading]["links"] = [a.get("href") for a in e.find_all("a")]
        elif getattr(e, "tag", None) == "nav":
            following = e.find("a", rel="next")
            found[heading]["next"] = following.get("href") if following else None
    return found


def every_link(client, heading: str) -> list[str]:
    """One group's links over all its pages, following its next links."""
    links, page = [], groups(client.get(REPORT).data)[heading]
    while True:
        links += page["links"]
        if not page["next"]:
            return links
        page = groups(client.get(REPORT + page["next"]).data)[heading]


def test_real_resources_are_no_hubs(client, graph):
    r = client.get(REPORT + ".ttl")
    g = Graph().parse(data=r.data, format="turtle")
    assert set(g.triples((None, None, SUBJECT))) == set(graph.triples((None, None, SUBJECT)))
    assert not set(g.triples((None, HYDRA.view, None)))
    assert "next" not in link_rels(r)
    assert {heading: group["total"] for heading, group in groups(client.get(REPORT).data).items()} == {
        "Maßnahmen (129)": 129, "Ziel – Quelle (36)": 36, "Kapitel – ist Teil von (23)": 23,
        "Schwerpunkt – Quelle (8)": 8, "Begriffssystem – Quelle (4)": 4, "Leitung – Quelle (6)": 6,
        "Datensatz – Quelle (1)": 1, "Statusangabe – Quelle (20)": 20}


def test_hub_page_shows_exact_totals_and_pages_through_each_group(any_client, monkeypatch):
    monkeypatch.setattr(renderers, "PAGE_SIZE", PAGE_SIZE)
    whole = groups(any_client.get(REPORT).data)
    everything = {heading: every_link(any_client, heading) for heading in whole}
    monkeypatch.setattr(describe, "HUB", HUB)
    hub = groups(any_client.get(REPORT).data)
    assert {h: g["total"] for h, g in hub.items()} == {h: g["total"] for h, g in whole.items()}
    for heading, group in hub.items():
        assert len(group["links"]) == min(group["total"], PAGE_SIZE), heading
        paged = every_link(any_client, heading)
        # kept in page order (groups larger than HUB by IRI): the same human-friendly order as on any resource
        assert paged == everything[heading], heading
    assert hub["Maßnahmen (129)"]["next"] == "?seite=2"


@pytest.mark.parametrize("fmt,parser", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")])
def test_hub_rdf_document_holds_one_page_and_links_the_next(any_client, small_hub, graph, fmt, parser):
    incoming, pages, url = set(), 0, f"{REPORT}.{fmt}"
    doc = URIRef(f"{DEFAULT_BASE}doc/bericht/2020.{fmt}")
    while url:
        r = any_client.get(url)
        assert r.status_code == 200
        g = Graph().parse(data=r.data, format=parser, publicID=DEFAULT_BASE)
        links = set(g.triples((None, None, SUBJECT)))
        pages += 1
        assert 0 < len(links) <= HUB and not links & incoming
        assert all(g.value(s, RDFS.label) for s, _, _ in links), "labels of linking resources travel with them"
        assert g.value(SUBJECT, DCTERMS.title) is not None, "every page describes the resource itself"
        incoming |= links
        view = g.value(doc, HYDRA.view)
        assert g.value(doc, HYDRA.totalItems) == Literal(len(set(graph.triples((None, None, SUBJECT)))), datatype=XSD.integer)
        assert (view, RDF.type, HYDRA.PartialCollectionView) in g and str(view) == f"{doc}?seite={pages}"
        following = g.value(view, HYDRA.next)
        url = following and "/" + str(following)[len(DEFAULT_BASE):]
        assert link_rels(r).get("next") == url
    assert incoming == set(graph.triples((None, None, SUBJECT)))
    assert pages == -(-len(incoming) // HUB)


def test_hub_groups_like_a_small_resource_when_types_compete(monkeypatch):
    """Several types per linking resource: SPARQL counts each under the type describe() groups it by."""
    ik, other, hub = f"{DEFAULT_BASE}def/ik#", "http://example.org/", URIRef(DEFAULT_BASE + "id/bericht/x")
    typed = {"a": ["Ziel", "Massnahme", other + "A"], "b": [other + "Z", other + "B"], "c": [], "d": ["Massnahme"]}
    g = Graph()
    for name, types in typed.items():
        for n in range(3):
            node = URIRef(f"{other}{name}{n}")
            g.add((node, DCTERMS.source, hub))
            g.add((node, RDFS.label, Literal(f"{name}{n}")))
            for t in types:
                g.add((node, RDF.type, URIRef(t if t.startswith(other) else ik + t)))
    g.add((hub, RDFS.label, Literal("x")))
    store = Store.from_graph(g)

    def shown(hub_size: int) -> dict:
        monkeypatch.setattr(describe, "HUB", hub_size)
        r = describe.description(store, str(hub), 1, 10)
        return {key: (group.total, sorted(v.text for v in group.values)) for key, group in r.incoming.items()}

    whole = shown(1000)
    assert {t for _, t in whole} == {ik + "Massnahme", other + "B", ""}
    assert whole == shown(2) == shown(0)


def test_concept_scheme_pages_link_under_def(client, monkeypatch):
    monkeypatch.setattr(describe, "HUB", 5)
    r = client.get("/def/zielgruppen.ttl")
    g = Graph().parse(data=r.data, format="turtle")
    following = g.value(g.value(URIRef(DEFAULT_BASE + "def/zielgruppen.ttl"), HYDRA.view), HYDRA.next)
    assert str(following) == DEFAULT_BASE + "def/zielgruppen.ttl?seite=2" and link_rels(r)["next"] == "/def/zielgruppen.ttl?seite=2"
    assert client.get(link_rels(r)["next"]).status_code == 200


def test_counting_links_stops_at_the_bound_on_both_stores(graph, oxigraph_endpoint, built):
    """The check 'is this a hub?' counts at most HUB + 1 links, on the embedded store and on an external engine."""
    from kg.store import RemoteStore

    total = len(set(graph.triples((None, None, SUBJECT))))
    for store in (Store.from_ntriples(built / "graph.nt"), RemoteStore(oxigraph_endpoint)):
        def count(at_most, store=store):
            return int(store.select(queries.incoming_count(str(SUBJECT), at_most=at_most))[0]["n"])

        assert count(None) == count(10**6) == total
        assert count(10) == 10 and count(total) == total and count(total + 1) == total


def test_a_hubs_counts_are_computed_once_and_its_windows_per_request(monkeypatch, built):
    """What ``keep`` holds (group counts, the groups in page order, term labels) is asked for once per name; a second
    page of the hub reuses it and still fetches its own window. The hub is kept as a value about one resource."""
    monkeypatch.setattr(describe, "HUB", HUB)
    store, kept, computed = Store.from_ntriples(built / "graph.nt"), {}, []

    def keep(name, compute, resource=False):
        if name not in kept:
            computed.append((name, resource))
            kept[name] = compute()
        return kept[name]

    first = describe.description(store, str(SUBJECT), 1, PAGE_SIZE, keep=keep)
    second = describe.description(store, str(SUBJECT), 2, PAGE_SIZE, keep=keep)
    # and the labels of predicates and types, the same on every page of a build
    assert sorted(computed) == [(f"hub|{HUB}|{SUBJECT}", True), ("term-labels", False)]
    assert first.incoming.keys() == second.incoming.keys()
    measures = next(key for key, group in first.incoming.items() if group.total == 129)
    assert not {v.term for v in first.incoming[measures].values} & {v.term for v in second.incoming[measures].values}
    assert describe.description(store, str(SUBJECT), 1, PAGE_SIZE) == first  # nothing kept: the same page
