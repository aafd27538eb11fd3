"""kg/checks.py's rules on small graphs of their own (the real data's corruptions are in test_corruptions.py):
each rule finds what it names and nothing where it has nothing to find."""

from __future__ import annotations

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
