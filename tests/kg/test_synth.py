"""Synthetic data (kg.synth): passes the full build, scales as documented, is deterministic."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

from kg import sources, synth
from kg.build import ROOT, Project, compile_graph
from kg.namespaces import IK, uri

FACTOR = 3


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    return synth.generate(tmp_path_factory.mktemp("synth") / "data", FACTOR)


@pytest.fixture(scope="module")
def compiled(synthetic):
    return compile_graph(Project(data=synthetic))


def _count(graph, cls: URIRef) -> int:
    return len(set(graph.subjects(RDF.type, cls)))


def test_synthetic_data_passes_the_full_build_with_counts_as_documented(compiled):
    g, expected = compiled.graph, synth.expected_counts(FACTOR)
    assert expected["massnahmen"] == 129 * FACTOR and expected["ziele"] == 36 * FACTOR
    assert _count(g, IK.Massnahme) == expected["massnahmen"]
    assert _count(g, IK.Ziel) == expected["ziele"]
    assert _count(g, IK.Zielgruppe) == expected["zielgruppen"]
    assert _count(g, IK.Drucksache) == expected["drucksachen"]
    assert _count(g, ORG.OrganizationalUnit) == expected["oe"] + expected["dezernate"]
    assert _count(g, IK.Handlungsfeld) == 8 and _count(g, IK.Schwerpunkt) == 8 and _count(g, IK.Bericht) == 1
    numbers = {int(g.value(m, DCTERMS.identifier)) for m in g.subjects(RDF.type, IK.Massnahme)}
    assert numbers == set(range(1, 129 * FACTOR + 1))


def test_findings_scale_with_the_copies(compiled):
    findings = Counter(f.rule for f in compiled.findings)
    assert findings == {"IK-W01 OE fehlt": 2 * FACTOR, "IK-I01 Ziel ohne Maßnahme": 1 * FACTOR}


def test_copies_link_to_their_own_goal_and_to_narrower_target_groups(compiled):
    g = compiled.graph
    copy = uri("massnahme", 129 + 2)  # copy 1 of measure 2
    assert g.value(copy, IK.verfolgtZiel) == uri("ziel", "beratungsangebote-verbessern-v1")
    assert g.value(uri("zielgruppe", "gefluechtete-t1"), SKOS.broader) == uri("zielgruppe", "gefluechtete")
    assert uri("oe", "51") in set(g.objects(uri("oe", "51-t1"), ORG.subOrganizationOf))
    assert {str(g.value(d, DCTERMS.identifier)) for d in g.objects(copy, DCTERMS.references)}.isdisjoint({"IV-0349", "IV-2718"})


def test_generation_is_deterministic_and_seeded(tmp_path, synthetic):
    again = synth.generate(tmp_path / "again", FACTOR)
    for path in (p for p in synthetic.iterdir() if p.is_file()):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name
    other = synth.generate(tmp_path / "other", FACTOR, seed=1)
    assert (other / "massnahmen.csv").read_bytes() != (synthetic / "massnahmen.csv").read_bytes()


def _records(data: Path) -> dict[str, list]:
    loaded = sources.load(data)
    return {name: [{k: v for k, v in rec.items() if k != "_origin"} for rec in getattr(loaded, name)]
            for name in ("massnahmen", "belege", "ziele", "oe", "oe_arten", "zielgruppen", "drucksachen", "dezernate", "schwerpunkte")}


def test_factor_one_is_the_real_data(tmp_path):
    assert _records(synth.generate(tmp_path / "one", 1)) == _records(ROOT / "data")


def test_cli_synth_writes_the_data_directory(tmp_path, capsys):
    from kg.cli import main

    assert main(["synth", "--factor", "2", "--out", str(tmp_path / "two")]) == 0
    written = sorted(p.name for p in (tmp_path / "two").iterdir() if p.is_file())
    assert (tmp_path / "two" / "texte" / "bericht-2020.txt").exists()  # the status quotes are checked against it
    sources = sorted(p.name for p in (ROOT / "data").iterdir() if p.suffix in (".csv", ".yaml") and p.name != "uri-registry.csv")
    assert written == sorted(synth.VERBATIM + synth.SCALED_CSV) == sources
    assert '"massnahmen": 258' in capsys.readouterr().out
