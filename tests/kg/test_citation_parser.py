"""The citation parser: every variant of the report, and properties over generated renderings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.drucksache import EXPECTED, CitationError, Drucksache, parse, parse_key

# Every variant the report writes, with every field it parses into: number, Wahlperiode, year, type, remark.
VARIANTS = [
    ("0349 (IV) BDs", "IV-0349", Drucksache(349, "IV", None, "BDs")),
    ("BDs 2957 (III)", "III-2957", Drucksache(2957, "III", None, "BDs")),
    ("BDS 1074 (IV)", "IV-1074", Drucksache(1074, "IV", None, "BDs")),
    ("Beschlussdrucksache Nr. 1629 (IV)Bds", "IV-1629", Drucksache(1629, "IV", None, "BDs")),
    ("372/2009", "2009-372", Drucksache(372, None, 2009, None)),
    ("II 131/2009", "2009-131", Drucksache(131, "II", 2009, None)),
    ("Beschlussdrucksache Nr. II 131/2009", "2009-131", Drucksache(131, "II", 2009, "BDs")),
    ("1744 (III)", "III-1744", Drucksache(1744, "III", None, None)),
    ("2145 (IV) IDs", "IV-2145", Drucksache(2145, "IV", None, "IDs")),
    ("3266 (IV) BDs (Willkommensorte Garbsen)", "IV-3266", Drucksache(3266, "IV", None, "BDs", "Willkommensorte Garbsen")),
    ("Informationsdrucksache 0012 (X) ( Nachtrag )", "X-0012", Drucksache(12, "X", None, "IDs", "Nachtrag")),
    ("0349 (IV) BDs ()", "IV-0349", Drucksache(349, "IV", None, "BDs", None)),
]


@pytest.mark.parametrize("text,key,expected", VARIANTS)
def test_report_variants_parse_into_every_field(text, key, expected):
    d = parse(text)
    assert d == expected
    assert d.key == key
    assert d.art_lang == {"BDs": "Beschlussdrucksache", "IDs": "Informationsdrucksache", None: None}[expected.art]


@pytest.mark.parametrize("text,zitierform", [
    ("0349 (IV) BDs", "0349 (IV) BDs"), ("bds 349 ( iv )", "0349 (IV) BDs"), ("1744 (III)", "1744 (III)"),
    ("II 131/2009", "II 131/2009"), ("372/2009", "372/2009"), ("Beschlussdrucksache Nr. II 131/2009", "II 131/2009 BDs"),
])
def test_the_canonical_citation(text, zitierform):
    assert parse(text).zitierform == zitierform


ROMAN_I_TO_X = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


@pytest.mark.parametrize("wp", ROMAN_I_TO_X)
def test_every_wahlperiode_from_i_to_x_is_accepted(wp):
    assert parse(f"0349 ({wp.lower()}) BDs").wahlperiode == wp
    assert parse(f"{wp} 131/2009").wahlperiode == wp
    assert parse_key(f"{wp}-0349") == Drucksache(349, wp)


@pytest.mark.parametrize("wp", ["XI", "XX", "IIII", "VV", "IIX", "VX", "IIIV", "XXI", "VIIII"])
def test_a_wahlperiode_outside_i_to_x_is_refused_naming_it(wp):
    for text in (f"0349 ({wp}) BDs", f"{wp} 131/2009"):
        with pytest.raises(CitationError) as exc:
            parse(text)
        assert str(exc.value) == f"„{text}“: „{wp}“ ist keine Wahlperiode (römisch I–X)"
    with pytest.raises(CitationError, match=f"„{wp}“ ist keine Wahlperiode"):
        parse_key(f"{wp}-0349")


@pytest.mark.parametrize("bad, message", [
    ("", "leere oder zu lange Angabe; " + EXPECTED),
    ("x" * 201, "leere oder zu lange Angabe; " + EXPECTED),
    ("BDs", "„BDs“ ist keine Drucksachenangabe; " + EXPECTED),
    ("(IV) 0349", "„(IV) 0349“ ist keine Drucksachenangabe; " + EXPECTED),
    ("0349 (IZ) BDs", "„0349 (IZ) BDs“ ist keine Drucksachenangabe; " + EXPECTED),
    ("0349 (IV) BDs IDs", "„0349 (IV) BDs IDs“ ist keine Drucksachenangabe; " + EXPECTED),
    ("12345 (IV)", "„12345 (IV)“ ist keine Drucksachenangabe; " + EXPECTED),
    ("0/2009", "„0/2009“: Drucksachennummer 0 gibt es nicht"),
    ("0000 (IV)", "„0000 (IV)“: Drucksachennummer 0 gibt es nicht"),
    ("12/1989", "„12/1989“: Jahr 1989 außerhalb 1990–2100"),
    ("12/2101", "„12/2101“: Jahr 2101 außerhalb 1990–2100"),
    ("BDs 0349 (IV) IDs", "„BDs 0349 (IV) IDs“ nennt widersprüchliche Drucksachenarten ['BDs', 'IDs']"),
    ("Informationsdrucksache 0349 (IV) BDs", "„Informationsdrucksache 0349 (IV) BDs“ nennt widersprüchliche Drucksachenarten ['BDs', 'IDs']"),
    ("Themenfeldbericht Prävention 2020", "„Themenfeldbericht Prävention 2020“ ist keine Drucksachenangabe; " + EXPECTED),
    (None, EXPECTED),
])
def test_malformed_citations_are_refused_with_what_was_expected(bad, message):
    with pytest.raises(CitationError) as exc:
        parse(bad)
    assert str(exc.value) == message


def test_a_citation_of_200_characters_is_read_and_one_longer_refused():
    longest = "0349 (IV) BDs (" + "x" * 184 + ")"
    assert len(longest) == 200 and parse(longest).bemerkung == "x" * 184
    with pytest.raises(CitationError, match="^leere oder zu lange Angabe"):
        parse("0349 (IV) BDs (" + "x" * 185 + ")")


def test_parsed_citations_are_values_that_sets_and_dicts_can_hold():
    """Every variant of one citation is one value (the resolver and the index group by it); it cannot be altered."""
    assert {parse("0349 (IV) BDs"), parse("bds 349 ( iv )"), parse("Beschlussdrucksache Nr. 0349 (IV)")} == {
        Drucksache(349, "IV", None, "BDs")}
    with pytest.raises(AttributeError):
        parse("0349 (IV) BDs").nummer = 350


@pytest.mark.parametrize("key", ["IV-349", "IV-0349", "2009-372"])
def test_keys_parse_back(key):
    d = parse_key(key)
    assert (d.nummer, d.wahlperiode, d.jahr) == {"IV-349": (349, "IV", None), "IV-0349": (349, "IV", None),
                                                  "2009-372": (372, None, 2009)}[key]


@pytest.mark.parametrize("key", ["IV_0349", "0349-IV", "2009/372", "IZ-0349", ""])
def test_other_keys_are_refused(key):
    with pytest.raises(CitationError, match="kein Drucksachen-Schlüssel"):
        parse_key(key)


romans = st.sampled_from(ROMAN_I_TO_X)
numbers = st.integers(min_value=1, max_value=9999)
arten = st.sampled_from(["BDs", "IDs"])
space = st.sampled_from(["", " ", "  "])


@st.composite
def renderings(draw):
    """A Drucksache and one way of writing it, as people do."""
    nr, wp, art = draw(numbers), draw(romans), draw(arten)
    padded = draw(st.sampled_from([f"{nr:04d}", str(nr)]))
    case = draw(st.sampled_from([str, str.upper, str.lower]))
    form = draw(st.integers(0, 3))
    s = draw(space) or " "
    text = [
        f"{padded}{s}({wp}){draw(space)}{art}",
        f"{art}{s}{padded}{s}({wp})",
        f"{'Beschlussdrucksache' if art == 'BDs' else 'Informationsdrucksache'} Nr.{s}{padded}{s}({wp})",
        f"  {padded} ( {wp} ) {art} ",
    ][form]
    return case(text), f"{wp}-{nr:04d}", art


@given(renderings())
def test_any_rendering_of_a_citation_gives_the_same_key(case):
    text, key, art = case
    d = parse(text)
    assert d.key == key and d.art == art
    assert parse(d.zitierform).key == key
    assert parse_key(d.key).key == key


@given(st.integers(1, 9999), st.integers(1990, 2100), st.sampled_from(["", *(f"{wp} " for wp in ROMAN_I_TO_X)]))
def test_old_style_numbers_round_trip(nr, year, wp):
    d = parse(f"{wp}{nr}/{year}")
    assert d.key == f"{year}-{nr}"
    assert parse(d.zitierform) == d


@given(st.text(max_size=60))
def test_garbage_never_raises_anything_but_citation_error(text):
    try:
        parse(text)
    except CitationError:
        pass


@pytest.mark.parametrize("text, year", [("12/1990", 1990), ("II 12/2100", 2100)])
def test_the_first_and_the_last_year_of_the_range_are_read(text, year):
    """1990–2100 includes both ends (the refusals of 1989 and 2101 are in the table above)."""
    assert parse(text).jahr == year
