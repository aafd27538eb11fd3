"""The citation resolvers /drucksache?ref= and /massnahme?nr= over HTTP, on the real build."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.drucksache import CitationError, parse
from server.drucksache import citation
from tests.support.htmltree import definitions, parse_html
from tests.support.paths import REPORT

JSON = {"Accept": "application/json"}

# Every Drucksache citation of the report: appendix 6.1 (Drucksachen column) and chapter 4 (running text).
# New style "0349 (IV) BDs", "BDs 2957 (III)", "BDS 1074 (IV)", "Beschlussdrucksache Nr. 1629 (IV)Bds";
# old style "372/2009", "Beschlussdrucksache Nr. II 131/2009". A type right before the next number is that
# number's prefix when that number has no type after it ("BDs 2957 (III) BDs 0749 (IV)" vs.
# "2304 (IV) BDs 2311 (IV) IDs").
_NEW = r"\d{4} ?\((?:I|II|III|IV|V)\)"
_TYPE = r" ?(?:BDs|IDs|Bds)\b"
CITATION_IN_TEXT = re.compile(
    rf"(?:Beschlussdrucksache Nr\. |BD[sS] )?(?:{_NEW}(?:{_TYPE}(?! {_NEW}(?!{_TYPE})))?"
    r"|(?<![\d/])(?:II )?\d{3}/\d{4}\b)"
)


@pytest.fixture(scope="module")
def known_keys(client):
    index = client.get("/id/drucksache/?format=json").get_json()
    return sorted(d["key"] for g in index["gruppen"] for d in g["drucksachen"])


def report_citations() -> list[str]:
    return CITATION_IN_TEXT.findall(REPORT.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ every citation of the report


def test_every_drucksache_citation_of_the_report_resolves(client):
    citations = report_citations()
    # 51 in the appendix (31 measures), 3 in chapter 4; 49 distinct Drucksachen.
    assert len(citations) == 54
    assert len({parse(c).key for c in citations}) == 49
    for text in citations:
        r = client.get("/drucksache", query_string={"ref": text})
        assert r.status_code == 303, text
        assert r.headers["Location"] == f"/id/drucksache/{parse(text).key}"


def test_appendix_and_chapter_4_variants_resolve_to_one_uri(client):
    for text, key in [("0349 (IV) BDs", "IV-0349"), ("BDs 2957 (III)", "III-2957"), ("BDS 1074 (IV)", "IV-1074"),
                      ("Beschlussdrucksache Nr. 1629 (IV)Bds", "IV-1629"), ("372/2009", "2009-372"),
                      ("Beschlussdrucksache Nr. II 131/2009", "2009-131"), ("II 131/2009", "2009-131"),
                      ("1744 (III)", "III-1744"), ("3266 (IV) BDs (Willkommensorte Garbsen)", "IV-3266"),
                      ("  0349   (iv)  bds ", "IV-0349"), ("349 (IV)", "IV-0349"), ("IV-0349", "IV-0349")]:
        r = client.get("/drucksache", query_string={"ref": text})
        assert (r.status_code, r.headers.get("Location")) == (303, f"/id/drucksache/{key}"), text


def test_every_drucksache_in_the_graph_is_cited_in_the_report(known_keys):
    assert set(known_keys) == {parse(c).key for c in report_citations()}


# ------------------------------------------------------------------ unknown and malformed


def test_unknown_wellformed_citation_is_404_with_structure_and_suggestions(client, known_keys):
    r = client.get("/drucksache", query_string={"ref": "0349 (III) BDs"}, headers=JSON)
    assert r.status_code == 404 and r.mimetype == "application/json"
    body = r.get_json()
    assert body["parsed"] == {"key": "III-0349", "nummer": 349, "wahlperiode": "III", "jahr": None, "art": "BDs",
                              "art_lang": "Beschlussdrucksache", "zitierform": "0349 (III) BDs", "bemerkung": None}
    paths = [s["path"] for s in body["suggestions"]]
    assert paths[0] == "/id/drucksache/IV-0349"  # same number, other Wahlperiode
    assert {p.rsplit("/", 1)[1] for p in paths} <= set(known_keys)  # only Drucksachen that exist


def test_suggestions_offer_transposed_digits_and_nearby_numbers(client):
    body = client.get("/drucksache", query_string={"ref": "0394 (IV)"}, headers=JSON).get_json()
    reasons = {s["key"]: s["grund"] for s in body["suggestions"]}
    assert "Zahlendreher" in reasons["IV-0349"]
    assert any("benachbart" in why for why in reasons.values())
    old = client.get("/drucksache", query_string={"ref": "373/2009"}, headers=JSON).get_json()
    assert "2009-372" in {s["key"] for s in old["suggestions"]}


def test_unknown_citation_html_page_shows_parse_and_suggestions(client):
    r = client.get("/drucksache", query_string={"ref": "0349 (III)"}, headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.mimetype == "text/html"
    main = parse_html(r.data).find("main")
    assert definitions(main)["Wahlperiode"].text() == "III", "the page shows how the citation was read"
    suggested = [a.get("href") for a in main.find_all("a")]
    assert suggested[0] == "/id/drucksache/IV-0349", "the same number in another Wahlperiode comes first"


@pytest.mark.parametrize("bad", ["", "BDs", "(IV) 0349", "0349 (IZ) BDs", "Themenfeldbericht Prävention 2020",
                                 "0349 (IV) BDs IDs"])
def test_malformed_citation_is_400_saying_what_was_expected(client, bad):
    r = client.get("/drucksache", query_string={"ref": bad}, headers=JSON)
    assert r.status_code == 400
    body = r.get_json()
    assert body["message"] and "erwartet" in body["expected"]


def test_missing_ref_is_400(client):
    assert client.get("/drucksache").status_code == 400


def test_markup_in_a_citation_is_escaped(client):
    r = client.get("/drucksache", query_string={"ref": "<script>alert(1)</script>"}, headers={"Accept": "text/html"})
    assert r.status_code == 400
    assert "<script>alert" not in r.get_data(as_text=True)


@pytest.mark.parametrize("ref", ["//evil.example/0349 (IV)", "https://evil.example/?x=0349 (IV) BDs",
                                 "0349 (IV) BDs\r\nLocation: //x", "0349 (IV) BDs //evil.example"])
def test_a_citation_with_a_foreign_address_is_refused_and_never_redirects(client, ref):
    r = client.get("/drucksache", query_string={"ref": ref}, headers=JSON)
    assert r.status_code == 400 and "Location" not in r.headers
    assert r.get_json()["ref"] == ref


# ------------------------------------------------------------------ measures


def test_measure_number_resolves(client):
    for raw in ("22", " 22 ", "Nr. 22", "nr.22", "022"):
        r = client.get("/massnahme", query_string={"nr": raw})
        assert (r.status_code, r.headers.get("Location")) == (303, "/id/massnahme/22"), raw


@pytest.mark.parametrize("bad", ["", "x", "22a", "-1", "0", "2 2", "²", "٢٢", "1e3"])
def test_bad_measure_number_is_400(client, bad):
    r = client.get("/massnahme", query_string={"nr": bad}, headers=JSON)
    assert r.status_code == 400 and "Maßnahmennummer" in r.get_json()["expected"]


def test_unknown_measure_number_is_404(client):
    r = client.get("/massnahme", query_string={"nr": "130"}, headers=JSON)
    assert r.status_code == 404 and r.get_json()["range"] == [1, 129]


# ------------------------------------------------------------------ properties


@st.composite
def renderings(draw, keys: list[str]):
    """One known Drucksache written the way people write it: any case, spacing, type before or after, „Nr.“."""
    key = draw(st.sampled_from(keys))
    head, num = key.split("-")
    n = int(num)
    art = draw(st.sampled_from(["", "BDs", "IDs"]))
    sp = draw(st.sampled_from([" ", "  ", "\u00a0"]))
    tight = draw(st.sampled_from(["", " "]))
    if head.isdigit():  # old style: number/year, optionally with a Wahlperiode in front
        core = f"{draw(st.sampled_from(['', 'II' + sp]))}{n}{tight}/{tight}{head}"
    else:
        core = f"{draw(st.sampled_from([num, str(n)]))}{tight}({tight}{head}{tight})"
    word = {"BDs": "Beschlussdrucksache", "IDs": "Informationsdrucksache", "": "Drucksache"}[art]
    form = draw(st.integers(0, 3))
    text = [f"{core}{sp}{art}", f"{art}{sp}{core}", f"{word} Nr.{sp}{core}", f"{sp}{core}{sp}"][form]
    case = draw(st.sampled_from([str, str.upper, str.lower, str.swapcase]))
    return case(text), key


def test_any_rendering_of_a_known_citation_resolves_to_the_same_uri(client, known_keys):
    @settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(renderings(known_keys))
    def check(case):
        text, key = case
        r = client.get("/drucksache", query_string={"ref": text})
        assert (r.status_code, r.headers.get("Location")) == (303, f"/id/drucksache/{key}"), text

    check()


def test_arbitrary_text_gets_the_answer_its_parse_calls_for(client, known_keys):
    """400 when it is no citation (or no number), 303 to the URI when the report cites it, else 404 – never a 500."""
    known = set(known_keys)

    @settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.text(max_size=120))
    def check(text):
        try:
            key = citation.parse_reference(text).key
        except CitationError:
            expected = (400, None)
        else:
            expected = (303, f"/id/drucksache/{key}") if key in known else (404, None)
        try:
            nr = citation.parse_measure_number(text)
        except citation.MeasureNumberError:
            expected_nr = (400, None)
        else:
            expected_nr = (303, f"/id/massnahme/{nr}") if 1 <= nr <= 129 else (404, None)
        for accept in ("text/html", "application/json"):
            r = client.get("/drucksache", query_string={"ref": text}, headers={"Accept": accept})
            assert (r.status_code, r.headers.get("Location")) == expected, text
            r = client.get("/massnahme", query_string={"nr": text}, headers={"Accept": accept})
            assert (r.status_code, r.headers.get("Location")) == expected_nr, text

    check()


def test_types_in_the_report_agree_with_the_graph(client):
    index = client.get("/id/drucksache/?format=json").get_json()
    art = {d["key"]: d["art"] for g in index["gruppen"] for d in g["drucksachen"]}
    for text in report_citations():
        d = parse(text)
        if d.art:
            assert art[d.key] == d.art, text
