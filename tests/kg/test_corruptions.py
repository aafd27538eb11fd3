"""Corruptions that once passed validation: each now stops the whole `kg build` with a message naming the problem,
and the previously published build stays.

Where a clerk can make the mistake in data/, the test edits the CSV/YAML; what the reader already refuses (two
rows with one number, a key with capitals) cannot reach the graph that way, so those corruptions are added to the
graph as a Turtle file in the project's ontology/ directory, which the build merges like the ontology – still the
whole build, from sources to published files.
"""

from __future__ import annotations

import pytest

from kg.build import build
from kg.errors import BuildError

PREFIXES = """
@prefix ik: <https://integration.region-hannover.example/def/ik#> .
@prefix id: <https://integration.region-hannover.example/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _inject(project, turtle: str) -> None:
    (project.ontology / "zz-korruption.ttl").write_text(PREFIXES + turtle, encoding="utf-8")


def _fails(project, tmp_path, *expected: str) -> str:
    """Run the whole build; it must fail, leave no published build, and its message must contain every phrase."""
    out = tmp_path / "out" / "build"
    out.parent.mkdir()
    with pytest.raises(BuildError) as exc:
        build(out=out, project=project, workers=1)
    assert not out.exists(), "a failed build must not publish anything"
    message = str(exc.value)
    for phrase in expected:
        assert phrase in message, f"{phrase!r} not in:\n{message}"
    return message


# ------------------------------------------------------------------ edits a clerk can make in data/

def test_duplicate_measure_number_in_the_table(project_copy, tmp_path):
    _edit(project_copy.data / "massnahmen.csv", "\n5,partizipation-und-teilhabe,", "\n4,partizipation-und-teilhabe,")
    _fails(project_copy, tmp_path, "[D05 ", "Nr. 4 steht schon")


def test_broader_cycle_between_target_groups(project_copy, tmp_path):
    # Geflüchtete under their own subgroup UmA (which is under Geflüchtete): a cycle.
    _edit(project_copy.data / "zielgruppen.csv", "gefluechtete,Geflüchtete,Refugees,,",
          "gefluechtete,Geflüchtete,Refugees,unbegleitete-minderjaehrige,")
    message = _fails(project_copy, tmp_path, "IK-X02 Oberbegriff im Kreis", "zielgruppe/gefluechtete → ", "zielgruppen.csv")
    assert "zielgruppe/unbegleitete-minderjaehrige" in message


def test_unit_hierarchy_cycle(project_copy, tmp_path):
    _edit(project_copy.data / "oe.csv", "\n11,11,\"Service, Personal und Organisation\",servicebereich,,,",
          "\n11,11,\"Service, Personal und Organisation\",servicebereich,,koordinierungsstelle-integration,")
    _fails(project_copy, tmp_path, "IK-X03 Unterorganisation im Kreis", "oe/koordinierungsstelle-integration")


def test_end_before_start(project_copy, tmp_path):
    _edit(project_copy.data / "massnahmen.csv", "2016-01-01,2018-12-31", "2016-01-01,2015")
    _edit(project_copy.data / "belege.csv", "\n25,ende,2018-12-31,", "\n25,ende,2015,")  # its evidence row follows
    _fails(project_copy, tmp_path, "IK-X04 Ende vor Beginn", "Ende 2015 liegt vor Beginn 2016-01-01", "Maßnahme 25")


def test_end_in_the_year_of_a_start_month_is_not_before_it(project_copy, tmp_path):
    """A year ends on 31 December: „2016-07“ to „2016“ is fine, though the strings compare the other way."""
    _edit(project_copy.data / "massnahmen.csv", "2016-01-01,2018-12-31", "2016-07,2016")
    _edit(project_copy.data / "belege.csv", "\n25,beginn,2016-01-01,", "\n25,beginn,2016-07,")
    _edit(project_copy.data / "belege.csv", "\n25,ende,2018-12-31,", "\n25,ende,2016,")
    build(out=tmp_path / "build", project=project_copy, workers=1)


def test_minimum_age_above_maximum_names_both_ages(project_copy, tmp_path):
    _edit(project_copy.data / "massnahmen.csv", ",14,27,", ",28,27,")
    _edit(project_copy.data / "belege.csv", "\n36,alter_von,14,", "\n36,alter_von,28,")
    _fails(project_copy, tmp_path, "„alter_von“ 28 ist größer als „alter_bis“ 27", "Maßnahme 36")


# ------------------------------------------------------------------ corruptions of the graph itself

def test_duplicate_measure_number_in_the_graph(project_copy, tmp_path):
    _inject(project_copy, 'id:massnahme\\/6 dcterms:identifier "5" .\n')
    message = _fails(project_copy, tmp_path, "IK-M17 Nummer eindeutig", "another measure has the same number")
    assert "massnahme/5" in message and "massnahme/6" in message


def test_broader_cycle_in_the_graph_even_without_narrower(project_copy, tmp_path):
    _inject(project_copy, "id:zielgruppe\\/gefluechtete skos:broader id:zielgruppe\\/gefluechtete .\n")
    _fails(project_copy, tmp_path, "IK-X02 Oberbegriff im Kreis", "zielgruppe/gefluechtete → id/zielgruppe/gefluechtete")


def test_wrong_measure_count(project_copy, tmp_path):
    # A tag added after the build counted: Kommunen's stored count is now one short.
    _inject(project_copy, "id:massnahme\\/1 ik:zielgruppe id:zielgruppe\\/kommunen .\n")
    _fails(project_copy, tmp_path, "IK-X05 Anzahl Maßnahmen falsch", "id/zielgruppe/kommunen")


def test_subject_whose_type_was_removed(project_copy, tmp_path):
    _inject(project_copy, 'id:massnahme\\/130 dcterms:title "Ohne Typ"@de ; dcterms:identifier "130" .\n')
    _fails(project_copy, tmp_path, "IK-X01 Typ fehlt oder falsch", "id/massnahme/130 hat nicht den Typ ik:Massnahme")


def test_subject_whose_type_is_misspelt(project_copy, tmp_path):
    _inject(project_copy, 'id:massnahme\\/131 a ik:Masnahme ; dcterms:title "Tippfehler"@de .\n')
    message = _fails(project_copy, tmp_path, "IK-X01 Typ fehlt oder falsch", "Klasse def/ik#Masnahme gibt es in der Ontologie nicht")
    assert "gefunden: def/ik#Masnahme" in message


@pytest.mark.parametrize("turtle,rule,says", [
    ("id:massnahme\\/36 ik:mindestalter -3 .\n", "IK-M10 Mindestalter", "at most one minimum age"),
    ('id:massnahme\\/1 ik:hoechstalter "zwölf" .\n', "IK-M11 Höchstalter", "maximum age: a whole number"),
    ("id:massnahme\\/1 ik:mindestalter 30 ; ik:hoechstalter 20 .\n", "IK-M16 Alter von–bis", "minimum age exceeds maximum age"),
])
def test_age_messages_name_the_real_problem(project_copy, tmp_path, turtle, rule, says):
    _inject(project_copy, turtle)
    message = _fails(project_copy, tmp_path, rule, says)
    if rule != "IK-M16 Alter von–bis":
        assert "exceeds" not in message


def test_unit_with_a_bad_uri_is_told_about_the_uri(project_copy, tmp_path):
    _inject(project_copy, 'id:oe\\/FB_51 a org:OrganizationalUnit ; skos:prefLabel "Fachbereich Jugend"@de ; '
                          'rdfs:label "Fachbereich Jugend"@de .\n')
    message = _fails(project_copy, tmp_path, "IK-O08 URI der OE", "unit URI must be …/id/oe/<key>")
    assert "a unit needs a name" not in message
