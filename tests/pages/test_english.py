"""English mode is complete: every page type rendered with ?lang=en has no interface string of the German
catalogue (server/i18n/strings.py) outside an element marked lang="de" – in text and in the attributes people
meet (labels read by screen readers, placeholders, titles) – and German data sits under lang="de" too."""

from __future__ import annotations

import re

import pytest
from rdflib import Namespace, URIRef
from rdflib.namespace import SKOS

from kg.namespaces import DEFAULT_BASE
from server.i18n.strings import STRINGS
from tests.support.htmltree import Element, parse_html, summary

PAGE_TYPES = {
    "home": "/", "massnahmen": "/massnahmen", "massnahmen-filtered": "/massnahmen?handlungsfeld=gefluechtete",
    "measure": "/doc/massnahme/22", "measure-list": "/doc/massnahme/10", "handlungsfeld": "/doc/handlungsfeld/gefluechtete",
    "ziel": "/doc/ziel/fluechtlingssozialarbeit-in-den-kommunen", "oe": "/doc/oe/50", "oe-dezernat": "/doc/oe/dezernat-ii",
    "zielgruppe": "/doc/zielgruppe/gefluechtete", "drucksache": "/doc/drucksache/IV-0349", "bericht": "/doc/bericht/2020",
    "schwerpunkt": "/doc/schwerpunkt/wirtschaft-und-arbeit", "drucksachen": "/id/drucksache/", "listing": "/id/ziel/",
    "search": "/suche?q=Sprachf%C3%B6rderung", "search-none": "/suche?q=xyzzy", "search-empty": "/suche",
    "downloads": "/dumps/", "ontology": "/def/ik", "scheme": "/def/zielgruppen", "not-found": "/doc/massnahme/999",
    "sparql": "/sparql", "sparql-answer": "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%3Fs%20a%20ik%3ADrucksache%7D%20LIMIT%203",
    "catalog": "/catalog", "dataset": "/catalog/dataset/wissensgraph", "unknown-drucksache": "/drucksache?ref=9999%20(IV)",
    "unknown-measure": "/massnahme?nr=999",
    "beleg": "/doc/beleg/22-zielgruppe-gefluechtete", "eintrag": "/doc/eintrag/22", "kapitel": "/doc/kapitel/2020-6-1",
    "mitgliedschaft": "/doc/mitgliedschaft/dezernat-i-leitung", "oe-art": "/doc/oe-art/fachbereich",
    "organisation": "/doc/organisation/region-hannover", "person": "/doc/person/christine-karasch",
    "schritt": "/doc/schritt/berufsbildende-schulen-und-foerderschulen-1", "barrierefreiheit": "/barrierefreiheit",
    "impressum": "/impressum",
}
ATTRIBUTES = ("aria-label", "placeholder", "title", "alt", "content")
IK = Namespace(f"{DEFAULT_BASE}def/ik#")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def german_fragments() -> set[str]:
    """Pieces of every German interface string that differ from its English one (placeholders cut out), long
    enough to be telling: „Maßnahme zitieren“, „im Bericht nicht angegeben“, „Treffer für“ …"""
    out = set()
    for de, en in STRINGS.values():
        if de == en:
            continue
        for piece in PLACEHOLDER.split(de):
            piece = " ".join(piece.split()).strip(" .,:;–-()„“")
            if len(piece) >= 8 and piece not in en:
                out.add(piece)
    return out


def english_text(node: Element, lang: str, out: list[str]) -> None:
    """Text and people-facing attributes of the parts of the page that are not marked German."""
    here = node.attrs.get("lang") or lang
    # Code is no interface text; <title> cannot carry lang, and holds the (German) name of the thing shown.
    if node.tag in ("script", "style", "code", "pre", "textarea", "title"):
        return
    if here != "de":
        out += [node.attrs[a] for a in ATTRIBUTES if node.attrs.get(a) and a != "content"]
        if node.tag == "meta" and (node.attrs.get("name") == "description" or node.attrs.get("property") == "og:description"):
            out.append(node.attrs.get("content") or "")  # og:title repeats <title>: the thing's own name
    for child in node.children:
        if isinstance(child, str):
            if here != "de":
                out.append(child)
        else:
            english_text(child, here, out)


NOT_FOUND = {"not-found", "unknown-drucksache", "unknown-measure"}  # the error pages, in English too


@pytest.fixture(scope="module")
def fragments() -> set[str]:
    found = german_fragments()
    assert len(found) > 100  # the catalogue is there and the test would notice
    return found


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_english_pages_have_no_german_interface_text_outside_lang_de(client, fragments, name):
    url = PAGE_TYPES[name]
    r = client.get(url + ("&" if "?" in url else "?") + "lang=en", headers={"Accept": "text/html"})
    assert r.status_code == (404 if name in NOT_FOUND else 200), url
    html = parse_html(r.data)
    root = html.find("html")
    assert root.get("lang") == "en"
    texts: list[str] = []
    english_text(root, "en", texts)
    text = " ".join(" ".join(texts).split())
    found = sorted(f for f in fragments if f in text)
    assert not found, f"{url}?lang=en shows German interface text outside lang=\"de\": {found[:10]}"


def test_the_check_finds_german_text_when_it_is_there(fragments):
    html = parse_html('<html lang="en"><body><p>Maßnahme zitieren</p><p lang="de">im Bericht nicht angegeben</p></body></html>')
    texts: list[str] = []
    english_text(html.find("html"), "en", texts)
    text = " ".join(texts)
    assert "Maßnahme zitieren" in fragments and "Maßnahme zitieren" in text
    assert "im Bericht nicht angegeben" not in text


def test_field_and_target_group_values_are_english_where_the_data_has_them(client, graph):
    values = {heading: [(a.text(), a.get("lang")) for a in dd.find_all("a")]
              for heading, dd in summary(parse_html(client.get("/doc/massnahme/22?lang=en").data)).items()}
    measure = URIRef(f"{DEFAULT_BASE}id/massnahme/22")

    def english(prop: str) -> list[tuple[str, None]]:
        """The English labels the data gives the measure's values, in the page's order (by label)."""
        labels = [str(label) for value in graph.objects(measure, IK[prop]) for label in graph.objects(value, SKOS.prefLabel)
                  if label.language == "en"]
        assert labels, f"measure 22 has no {prop} with an English label: the check would be empty"
        return [(label, None) for label in sorted(labels)]

    assert values["Field of action"] == english("handlungsfeld")
    assert sorted(values["Target groups"]) == english("zielgruppe")
    assert values["Responsible"] == [("Fachbereich Soziales (50)", "de")]  # German only in the data: marked
