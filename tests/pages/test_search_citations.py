"""Search understands how people type numbers and citations: a measure by its number, a Drucksache in every
spelling the citation parser (kg/drucksache.py, the resolver's) knows. The named thing comes first; hits say
what they are (Nr., field, unit; the measures citing a Drucksache)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS

from kg.namespaces import DEFAULT_BASE
from server.pages.search_intent import drucksache_key, measure_number

IK = Namespace(f"{DEFAULT_BASE}def/ik#")


def first_hit(client, q: str) -> dict:
    r = client.get("/suche.json", query_string={"q": q})
    assert r.status_code == 200
    results = r.get_json()["results"]
    assert results, f"„{q}“ finds nothing"
    return results[0]


@pytest.mark.parametrize("q", ["Maßnahme 22", "Massnahme 22", "maßnahme nr. 22", "Nr. 22", "Nr 22", "nr.22", "M22", "m 22",
                               "#22", "22", " 22 ", "Maßnahme Nr. 22", "measure 22", "No. 22"])
def test_measure_numbers_as_people_type_them_lead_to_the_measure(client, q):
    assert first_hit(client, q)["path"] == "/id/massnahme/22"


@pytest.mark.parametrize("q,path", [
    ("Drs. 2832 (IV)", "/id/drucksache/IV-2832"), ("2832/IV", "/id/drucksache/IV-2832"), ("2832 (IV)", "/id/drucksache/IV-2832"),
    ("Drucksache 2832 (IV)", "/id/drucksache/IV-2832"), ("IV-2832", "/id/drucksache/IV-2832"),
    ("0349 (IV) BDs", "/id/drucksache/IV-0349"), ("BDs 0349 (IV)", "/id/drucksache/IV-0349"), ("349 (iv)", "/id/drucksache/IV-0349"),
    ("372/2009", "/id/drucksache/2009-372"), ("Drs 372/2009", "/id/drucksache/2009-372"),
])
def test_drucksache_spellings_lead_to_the_drucksache(client, q, path):
    assert first_hit(client, q)["path"] == path


def test_a_number_that_is_no_measure_still_searches_the_text(client):
    r = client.get("/suche.json", query_string={"q": "2020"}).get_json()
    assert all(hit["path"] != "/id/massnahme/2020" for hit in r["results"])


def test_measure_hits_show_number_field_and_unit(client):
    hit = first_hit(client, "Maßnahme 22")
    assert hit["facts"] == {"nr": 22, "handlungsfeld": ["Geflüchtete"], "oe": ["Fachbereich Soziales (50)"]}


def test_drucksache_hits_show_the_citing_measures(client, graph):
    hit = first_hit(client, "0349 (IV) BDs")
    citing = sorted(int(str(graph.value(m, DCTERMS.identifier)))
                    for m in graph.subjects(DCTERMS.references, URIRef(f"{DEFAULT_BASE}id/drucksache/IV-0349")))
    assert citing and [m["nr"] for m in hit["facts"]["massnahmen"]] == citing


def test_unknown_words_get_a_sentence_that_says_what_to_try(client):
    html = client.get("/suche", query_string={"q": "xyzzy"}).get_data(as_text=True)
    assert "Nichts gefunden für „xyzzy“" in html


def spellings(d: dict) -> list[str]:
    """Fixed ways of writing one Drucksache that the resolver knows, from its parts (the examples people meet)."""
    nr, wp, year, art = d["nummer"], d["wahlperiode"], d["jahr"], d["art"]
    if year:
        base = [f"{nr}/{year}", f"{wp} {nr}/{year}" if wp else f"{nr}/{year}"]
    else:
        base = [f"{nr:04d} ({wp})", f"{nr} ({wp})", f"{nr}/{wp}", f"{nr:04d}/{wp}"]
    out = [d["key"]]  # the URI key, as in a link
    for b in base:
        out += [b, f"Drs. {b}", f"Drucksache {b}", f"Drucksache Nr. {b}"]
        if art:
            out += [f"{b} {art}", f"{art} {b}"]
    return out


ART_WORD = {"BDs": "Beschlussdrucksache", "IDs": "Informationsdrucksache"}


@st.composite
def written_as(draw, d: dict) -> str:
    """Any spelling the citation grammar of kg/drucksache.py accepts for ``d``: a prefix word (Drs., Drucksache,
    Beschluss-/Informationsdrucksache, with or without dot, „Nr.“), the type before or after, leading zeros,
    parentheses or a slash around the Wahlperiode, spaces or none, no-break spaces, a remark in brackets."""
    nr, wp, year, art = d["nummer"], d["wahlperiode"], d["jahr"], d["art"]
    gap = st.sampled_from(["", " ", "\u00a0"])
    space = st.sampled_from([" ", "  ", "\u00a0"])
    num = draw(st.sampled_from(sorted({str(nr), f"{nr:04d}"})))
    if year:
        core = f"{draw(st.sampled_from([wp + draw(space), ''])) if wp else ''}{num}{draw(gap)}/{draw(gap)}{year}"
    else:
        core = draw(st.sampled_from([f"{num}{draw(gap)}({draw(gap)}{wp}{draw(gap)})", f"{num}{draw(gap)}/{draw(gap)}{wp}"]))
    place = draw(st.sampled_from(["none", "before", "after", "word"] if art else ["none"]))
    # the grammar's order: a word, then the type, then „Nr.“
    word = ART_WORD[art] if place == "word" else draw(st.sampled_from(["", "Drs.", "Drs", "Drucksache"]))
    prefix = word + (draw(space) if word else "") + (art + draw(space) if place == "before" else "")
    prefix += draw(st.sampled_from(["", "Nr. ", "Nr.", "Nr "])) if prefix else ""
    text = prefix + core + (draw(space) + art if place == "after" else "")
    if draw(st.booleans()):
        text += draw(space) + "(" + draw(st.sampled_from(["Anlage 1", "neu", "1. Ergänzung"])) + ")"
    return text


@pytest.fixture(scope="module")
def drucksachen(client) -> list[dict]:
    groups = client.get("/id/drucksache/?format=json").get_json()["gruppen"]
    return [{**d, "zitiert_als": []} for g in groups for d in g["drucksachen"]]


@pytest.fixture(scope="module")
def cited_as(graph) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for d, text in graph.subject_objects(IK.zitiertAls):
        found.setdefault(str(d).rsplit("/", 1)[-1], []).append(str(text))
    return found


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_known_spelling_of_every_cited_drucksache_finds_it(client, drucksachen, cited_as, data):
    d = data.draw(st.sampled_from(drucksachen))
    written = data.draw(st.one_of(st.sampled_from(spellings(d) + cited_as.get(d["key"], [])), written_as(d)))
    case = data.draw(st.sampled_from([str, str.lower, str.upper]))
    pad = data.draw(st.sampled_from(["", " ", "  "]))
    q = pad + case(written) + pad
    assert drucksache_key(q) == d["key"], q
    assert first_hit(client, q)["path"] == d["path"], q


@given(st.integers(1, 129), st.sampled_from(["{n}", "Nr. {n}", "Maßnahme {n}", "M{n}", "massnahme nr {n}"]))
def test_measure_number_parser(n, form):
    assert measure_number(form.format(n=n)) == n
