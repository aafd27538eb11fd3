"""kg/checks.py's rules on small graphs of their own (the real data's corruptions are in test_corruptions.py):
each rule finds what it names and nothing where it has nothing to find."""

from __future__ import annotations

import pytest
from rdflib import Graph

from kg import checks
from kg.namespaces import DEFAULT_BASE

PREFIXES = f"""@prefix ik: <{DEFAULT_BASE}def/ik#> . @prefix id: <{DEFAULT_BASE}id/> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix prov: <http://www.w3.org/ns/prov#> .
"""


def graph(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def rules(findings) -> list[tuple[str, str]]:
    return sorted((f.rule, f.focus.removeprefix(DEFAULT_BASE)) for f in findings)


def test_only_our_own_id_uris_must_carry_the_type_their_path_names():
    g = graph(f"""id:massnahme\\/5 dcterms:title "ohne Typ" .
        <{DEFAULT_BASE}xx/massnahme/6> dcterms:title "nicht unter id/, gleich lang" .
        <https://example.org/id/massnahme/7> dcterms:title "anderer Server" .
        [] dcterms:title "leerer Knoten" .""")
    assert rules(checks.typed_as_their_uri_says(g, {})) == [("IK-X01 Typ fehlt oder falsch", "id/massnahme/5")]


MEASURE = """id:massnahme\\/5 a ik:Massnahme ; dcterms:description "Beratung für Zugewanderte im Jobcenter" ;
    ik:beleg id:beleg\\/5-beginn ; ik:beginn "2017" .
id:beleg\\/5-beginn ik:eigenschaft ik:beginn ; ik:wertLiteral "2017" ; prov:value "{quote}" ."""


def test_a_quotation_must_occur_in_the_measure_s_description():
    assert rules(checks.soft_facts_have_evidence(graph(MEASURE.format(quote="im Jobcenter")), {})) == []
    found = list(checks.soft_facts_have_evidence(graph(MEASURE.format(quote="im Rathaus")), {}))
    assert rules(found) == [("IK-X08 Zitat nicht im Text", "id/beleg/5-beginn")]
    assert found[0].message.startswith("„im Rathaus“ steht nicht in der Beschreibung von id/massnahme/5")


SKOS_PREFIXES = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix ex: <http://example.org/> .\n"


def test_a_cycle_reached_from_outside_it_is_found():
    """a → b → c → b: the walk from a meets b again while b is still on its path."""
    g = graph(SKOS_PREFIXES + "ex:a skos:broader ex:b . ex:b skos:broader ex:c . ex:c skos:broader ex:b .")
    [finding] = checks.hierarchies_without_cycles(g, {})
    assert finding.message.replace("http://example.org/", "").startswith("Kreis: b → c → b ")
    assert finding.focus == "http://example.org/b"
    assert not list(checks.hierarchies_without_cycles(graph(SKOS_PREFIXES + "ex:a skos:broader ex:b . ex:b skos:broader ex:c ."), {}))


def test_every_language_the_scheme_uses_must_label_every_concept():
    g = graph(SKOS_PREFIXES + """ex:s a skos:ConceptScheme ; skos:hasTopConcept ex:x , ex:y .
        ex:x skos:inScheme ex:s ; skos:topConceptOf ex:s ; skos:prefLabel "X"@de , "X (en)"@en .
        ex:y skos:inScheme ex:s ; skos:topConceptOf ex:s ; skos:prefLabel "Y"@de .""")
    [finding] = checks.schemes_are_consistent(g, {})
    assert finding.focus == "http://example.org/y" and "„en“" in finding.message


@pytest.mark.parametrize("start,end,wrong", [
    ("2017-07-15", "2017-07", False),   # ended in July 2017: may be after 15 July
    ("2017-07", "2017-07-15", False),
    ("2017-07", "2017-06-30", True),
    ("2017-07-15", "2017", False),
    ("2017", "2016-12", True),
    ("2017-07-15", "2017-07-14", True),
])
def test_an_end_is_compared_with_the_start_at_the_precision_each_is_stated_in(start, end, wrong):
    g = graph(f"""@prefix schema: <https://schema.org/> . id:massnahme\\/5 schema:startDate "{start}" ; schema:endDate "{end}" .""")
    assert rules(checks.ends_not_before_start(g, {})) == ([("IK-X04 Ende vor Beginn", "id/massnahme/5")] if wrong else [])


def test_a_count_that_is_no_number_is_left_to_shacl_and_the_other_counts_are_still_checked():
    g = graph("""id:handlungsfeld\\/a ik:anzahlMassnahmen "viele" .
        id:handlungsfeld\\/b ik:anzahlMassnahmen 2 . id:handlungsfeld\\/c ik:anzahlMassnahmen 3 .
        id:massnahme\\/1 a ik:Massnahme ; ik:handlungsfeld id:handlungsfeld\\/b .""")
    assert rules(checks.counts_match_the_measures(g, {})) == [
        ("IK-X05 Anzahl Maßnahmen falsch", "id/handlungsfeld/b"), ("IK-X05 Anzahl Maßnahmen falsch", "id/handlungsfeld/c")]
