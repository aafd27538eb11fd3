"""The rules of server.web.negotiation on small offers of their own (the routes' tables are in test_negotiation.py):
the default comes first whatever order the formats are given in, a format's own media type beats another's alias at
the same quality, and the JSON-LD profile of the best-quality range is the one used."""

from __future__ import annotations

import pytest
from flask import Request
from werkzeug.test import EnvironBuilder

from server.formats import Format
from server.web.negotiation import NotAcceptable, UnknownFormat, choose, jsonld_profile, offer, refusal

A = Format("a", "x-test/a", "A", also=("x-test/b",))  # also answers x-test/b, an alias
B = Format("b", "x-test/b", "B")                      # x-test/b is its own media type
C = Format("c", "x-test/c", "C")
D = Format("d", "x-own/d", "D", also=("x-alias/e",))


def request(accept: str | None = None, query: str = "") -> Request:
    headers = {"Accept": accept} if accept is not None else {}
    return Request(EnvironBuilder(path="/", query_string=query, headers=headers).get_environ())


@pytest.mark.parametrize("formats", [(A, B, C), (C, B, A), {"c": C, "a": A, "b": B}])
def test_the_named_default_comes_first_and_the_rest_keep_their_order(formats):
    made = offer(formats, default="b")
    assert made.default is B and made.formats[0] is B
    given = list(formats.values()) if isinstance(formats, dict) else list(formats)
    assert [f for f in made.formats if f is not B] == [f for f in given if f is not B]
    assert choose(request(), made) is B and choose(request("*/*"), made) is B


def test_without_a_default_the_given_order_stands():
    assert offer((C, A, B)).formats == (C, A, B)


def test_a_format_s_own_media_type_beats_an_alias_of_another_at_the_same_quality():
    """x-test/b is B's own type and an alias of A; A comes first in the offer, yet B is chosen."""
    made = offer((A, B, C))
    assert choose(request("x-test/b"), made) is B
    assert choose(request("x-test/b;q=0.5, x-test/a;q=0.4"), made) is B
    assert choose(request("x-test/b;q=0.5, x-test/a;q=0.6"), made) is A


def test_an_accept_header_that_does_not_parse_at_all_is_not_acceptable():
    with pytest.raises(NotAcceptable):
        choose(request("nonsense"), offer((A, B, C)))


@pytest.mark.parametrize("accept, form", [
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded";q=0.5, '
     'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted";q=0.9', "compacted"),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted";q=0.3, '
     'application/ld+json;profile="http://www.w3.org/ns/json-ld#flattened"', "flattened"),
    ('application/ld+json;profile="http://example.org/other";q=1, '
     'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded";q=0.2', "expanded"),
    ("application/ld+json", None),
])
def test_the_json_ld_profile_of_the_best_quality_range_is_used(accept, form):
    assert jsonld_profile(request(accept)) == form


@pytest.mark.parametrize("value, chosen", [("x-test/a", A), ("x-test/c", C), ("c", C), ("X-TEST/C", C)])
def test_format_parameter_may_name_a_media_type(value, chosen):
    assert choose(request(query=f"format={value}"), offer((A, B, C))) is chosen


def test_empty_items_in_accept_are_skipped_not_the_end():
    assert choose(request(", ,x-test/c"), offer((A, B, C))) is C


def test_an_item_that_does_not_parse_is_dropped_and_the_rest_still_read():
    assert choose(request("nonsense, x-test/c"), offer((A, B, C))) is C


def test_accept_is_read_up_to_64_ranges():
    """A longer header is cut (matching costs ranges × formats): the 64th range counts, the 65th does not."""
    others = [f"x-other/t{i}" for i in range(63)]
    assert choose(request(", ".join([*others, "x-test/c"])), offer((A, B, C))) is C
    with pytest.raises(NotAcceptable):
        choose(request(", ".join([*others, "x-other/t63", "x-test/c"])), offer((A, B, C)))


@pytest.mark.parametrize("accept", ["x-alias/*", "*/e", "*/*;q=0, x-alias/*"])
def test_a_wildcard_never_reaches_a_format_through_an_alias(accept):
    """Only a range naming the alias exactly counts: x-alias/* and */e match D's alias x-alias/e, not its own type."""
    with pytest.raises(NotAcceptable):
        choose(request(accept), offer((D,)))
    assert choose(request("x-alias/e"), offer((D,))) is D


def test_refusals_are_400_for_an_unknown_format_and_406_for_nothing_acceptable():
    with pytest.raises(UnknownFormat) as unknown:
        choose(request(query="format=zip"), offer((A, B, C)))
    assert refusal(unknown.value) == (400, "Unbekanntes Format zip; angeboten: " + offer((A, B, C)).listing(),
                                      "Unknown format zip; offered: " + offer((A, B, C)).listing())
    with pytest.raises(NotAcceptable) as none:
        choose(request("image/png"), offer((A, B, C)))
    assert refusal(none.value)[0] == 406


def test_format_parameter_picks_the_format_of_that_media_type_not_the_first_on_offer():
    assert choose(request(query="format=x-test/a"), offer((C, A))) is A


def test_the_default_is_compared_by_value():
    """A default read from settings is an equal string, not the same object as the format's key."""
    wide = Format("wide", "x-test/wide", "Wide")
    assert offer((A, wide), default="".join(["wi", "de"])).default is wide


@pytest.mark.parametrize("accept", [
    'text/turtle;profile="http://www.w3.org/ns/json-ld#expanded", application/ld+json',
    'application/json;profile="http://www.w3.org/ns/json-ld#flattened", application/ld+json;q=0.5',
])
def test_only_json_ld_ranges_give_a_json_ld_profile(accept):
    assert jsonld_profile(request(accept)) is None
