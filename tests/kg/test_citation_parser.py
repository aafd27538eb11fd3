"""The citation parser: every variant of the report, and properties over generated renderings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.drucksache import CitationError, parse, parse_key

VARIANTS = [
    ("0349 (IV) BDs", "IV-0349", "BDs"),
    ("BDs 2957 (III)", "III-2957", "BDs"),
    ("BDS 1074 (IV)", "IV-1074", "BDs"),
    ("Beschlussdrucksache Nr. 1629 (IV)Bds", "IV-1629", "BDs"),
    ("372/2009", "2009-372", None),
    ("II 131/2009", "2009-131", None),
    ("Beschlussdrucksache Nr. II 131/2009", "2009-131", "BDs"),
    ("1744 (III)", "III-1744", None),
    ("2145 (IV) IDs", "IV-2145", "IDs"),
    ("3266 (IV) BDs (Willkommensorte Garbsen)", "IV-3266", "BDs"),
]


@pytest.mark.parametrize("text,key,art", VARIANTS)
def test_report_variants_parse(text, key, art):
    d = parse(text)
    assert (d.key, d.art) == (key, art)


@pytest.mark.parametrize("bad", ["", "BDs", "(IV) 0349", "0349 (IZ) BDs", "0349 (IV) BDs IDs", "12345 (IV)", "0/2009",
                                 "BDs 0349 (IV) IDs", "Themenfeldbericht Prävention 2020"])
def test_malformed_citations_are_refused_with_what_was_expected(bad):
    with pytest.raises(CitationError):
        parse(bad)


romans = st.sampled_from(["I", "II", "III", "IV", "V"])
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


@given(st.integers(1, 9999), st.integers(1990, 2100), st.sampled_from(["", "I ", "II ", "III "]))
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
