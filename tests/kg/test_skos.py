"""SKOS integrity of every concept scheme: labels, hierarchy, top concepts – on the real graph and on broken copies."""

from __future__ import annotations

import pytest

from kg.build import build
from kg.errors import BuildError

SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"


def _rows(graph, query):
    return list(graph.query(SKOS + query))


def test_every_scheme_has_top_concepts_both_ways(graph):
    schemes = _rows(graph, "SELECT ?s WHERE { ?s a skos:ConceptScheme }")
    assert len(schemes) == 6  # Handlungsfelder, Ziele, Zielgruppen, OE-Arten, Drucksachenarten, Status
    for (scheme,) in schemes:
        assert _rows(graph, f"SELECT ?c WHERE {{ <{scheme}> skos:hasTopConcept ?c }}"), scheme
    assert not _rows(graph, """SELECT ?c WHERE {
        { ?s skos:hasTopConcept ?c FILTER NOT EXISTS { ?c skos:topConceptOf ?s } } UNION
        { ?c skos:topConceptOf ?s FILTER NOT EXISTS { ?s skos:hasTopConcept ?c } } }""")


def test_every_concept_has_one_german_label_and_no_language_twice(graph):
    assert not _rows(graph, """SELECT ?c WHERE { ?c skos:inScheme ?s
        FILTER NOT EXISTS { ?c skos:prefLabel ?l FILTER(lang(?l) = "de") } }""")
    assert not _rows(graph, """SELECT ?c WHERE { ?c skos:prefLabel ?a, ?b FILTER(?a != ?b && lang(?a) = lang(?b)) }""")


def test_no_label_names_two_concepts_of_one_scheme(graph):
    assert not _rows(graph, """SELECT ?a ?b WHERE { ?a skos:inScheme ?s ; skos:prefLabel ?l . ?b skos:inScheme ?s ;
        skos:prefLabel ?m FILTER(?a != ?b && lang(?l) = lang(?m) && LCASE(STR(?l)) = LCASE(STR(?m))) }""")


def test_english_labels_where_a_scheme_has_them_at_all(graph):
    assert not _rows(graph, """SELECT ?c WHERE { ?c skos:inScheme ?s .
        ?o skos:inScheme ?s ; skos:prefLabel ?e FILTER(lang(?e) = "en")
        FILTER NOT EXISTS { ?c skos:prefLabel ?x FILTER(lang(?x) = "en") } }""")


def test_no_broader_cycles_and_every_concept_placed(graph):
    assert not _rows(graph, "SELECT ?c WHERE { ?c skos:broader+ ?c }")
    assert not _rows(graph, """SELECT ?c WHERE { ?c skos:inScheme ?s
        FILTER NOT EXISTS { ?c skos:topConceptOf ?s } FILTER NOT EXISTS { ?c skos:broader/skos:inScheme ?s } }""")


# ------------------------------------------------------------------ the build refuses broken schemes

def _inject(project, turtle):
    (project.ontology / "zz-skos.ttl").write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix id: <https://integration.region-hannover.example/id/> .\n"
        "@prefix def: <https://integration.region-hannover.example/def/> .\n" + turtle, encoding="utf-8")


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("turtle,says", [
    ('id:oe-art\\/team skos:prefLabel "Arbeitsgruppe"@de .\n', "hat 2 skos:prefLabel in „de“: Arbeitsgruppe | Team"),
    ("def:zielgruppen skos:hasTopConcept id:zielgruppe\\/unbegleitete-minderjaehrige .\n", "hasTopConcept and topConceptOf disagree"),
    ("id:oe-art\\/neu skos:inScheme def:oe-arten ; skos:topConceptOf def:oe-arten .\n"
     "def:oe-arten skos:hasTopConcept id:oe-art\\/neu .\n", "id/oe-art/neu hat keinen skos:prefLabel in „de“"),
])
def test_broken_scheme_fails_the_build(project_copy, tmp_path, turtle, says):
    _inject(project_copy, turtle)
    with pytest.raises(BuildError) as exc:
        build(out=tmp_path / "build", project=project_copy, workers=1)
    assert "IK-X06 Begriffssystem" in str(exc.value) and says in str(exc.value)


def test_two_target_groups_with_one_name_fail_the_build(project_copy, tmp_path):
    _edit(project_copy.data / "zielgruppen.csv", "auszubildende,Auszubildende,Apprentices", "auszubildende,Auszubildende,Refugees")
    with pytest.raises(BuildError) as exc:
        build(out=tmp_path / "build", project=project_copy, workers=1)
    message = str(exc.value)
    assert "„Refugees“@en ist auch der Name von id/zielgruppe/auszubildende in def/zielgruppen" in message
    assert "data/zielgruppen.csv, Zielgruppe „gefluechtete“" in message
