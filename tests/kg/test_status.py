"""Status of measures: only where a source says so, with its words, checked against the source's text."""

from __future__ import annotations

import csv

import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS

from kg import evidence
from kg.build import ROOT, compile_graph
from kg.errors import BuildError
from kg.namespaces import IK

BASE = "https://integration.region-hannover.example/"
ROWS = list(csv.DictReader(open(ROOT / "data" / "status.csv", encoding="utf-8", newline="")))


def _measure(nr) -> URIRef:
    return URIRef(f"{BASE}id/massnahme/{nr}")


def test_exactly_the_measures_with_a_status_row_have_a_status_and_every_other_says_not_given(graph):
    stated = {int(r["massnahme"]) for r in ROWS}
    measures = {int(str(m).rsplit("/", 1)[-1]) for m in graph.subjects(DCTERMS.identifier, None) if "/id/massnahme/" in str(m)}
    with_status = {int(str(m).rsplit("/", 1)[-1]) for m in measures and graph.subjects(IK.status, None) if "/id/massnahme/" in str(m)}
    assert with_status == stated
    not_given = {int(str(m).rsplit("/", 1)[-1]) for m in graph.subjects(IK.nichtAngegeben, IK.status)}
    assert not_given == measures - stated and len(not_given) == 129 - len(stated)


def test_every_statement_in_the_graph_quotes_words_that_are_in_the_report(graph):
    report = evidence.normalise((ROOT / "data" / "texte" / "bericht-2020.txt").read_text(encoding="utf-8"))
    statements = list(graph.subjects(IK.wortlaut, None))
    assert len(statements) == len(ROWS)
    for s in statements:
        assert evidence.normalise(str(graph.value(s, IK.wortlaut))) in report, s
        assert graph.value(s, DCTERMS.source) == URIRef(BASE + "id/bericht/2020")


def test_the_current_status_is_the_latest_statement(graph):
    assert graph.value(_measure(25), IK.status) == URIRef(BASE + "id/status/abgeschlossen")
    assert graph.value(_measure(2), IK.status) == URIRef(BASE + "id/status/laufend")
    assert str(graph.value(URIRef(BASE + "id/statusangabe/2-1"), IK.statusSeit)) == "2017-07"
    assert (URIRef(BASE + "id/statusangabe/21-1"), IK.nichtAngegeben, IK.statusSeit) in graph


def _replace(project, old: str, new: str) -> None:
    path = project.data / "status.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_quote_not_in_the_report_fails_the_build_naming_the_row_and_how_far_it_agrees(project_copy):
    _replace(project_copy, "Region Hannover seit Juli 2017", "Region Hannover seit August 2017")
    with pytest.raises(BuildError) as exc:
        compile_graph(project_copy)
    message = str(exc.value)
    assert "data/status.csv, Stand von Maßnahme 2 (Tabellenzeile 2, Spalte „zitat“)" in message
    assert "[D13 " in message and "steht nicht in Bericht 2020" in message and "Region Hannover seit“" in message


def test_a_source_without_text_cannot_back_a_quote(project_copy):
    _replace(project_copy, "\n24,laufend,2016-07,als erster Gebietskörperschaft in Niedersachsen seit Juli 2016,Bericht 2020,Anhang 6.1,",
             "\n24,laufend,2016-07,als erster Gebietskörperschaft in Niedersachsen seit Juli 2016,0265 (IV) BDs,,")
    with pytest.raises(BuildError, match=r"Stand von Maßnahme 24 .*kein Text vor \(data/texte/drucksache-IV-0265.txt\)"):
        compile_graph(project_copy)


@pytest.mark.parametrize("old,new,expected", [
    ("\n2,laufend,", "\n2,laeuft,", "„laeuft“ ist kein Stand"),
    ("\n2,laufend,2017-07,", "\n2,laufend,Juli 2017,", "„Juli 2017“ ist kein Datum"),
    ("seit Juli 2017,Bericht 2020,", "seit Juli 2017,Bericht 2019,", "einen Bericht mit dem Schlüssel 2019 gibt es nicht"),
])
def test_bad_status_rows_name_the_problem(project_copy, old, new, expected):
    _replace(project_copy, old, new)
    with pytest.raises(BuildError, match=expected):
        compile_graph(project_copy)


def test_matching_ignores_only_white_space_and_tags():
    texts = evidence.Texts(ROOT / "data")
    assert evidence.check("Projektlaufzeit  01.01.2016\nbis 31.12.2018", "bericht-2020", texts, "Bericht 2020").ok
    assert not evidence.check("Projektlaufzeit 1.1.2016 bis 31.12.2018", "bericht-2020", texts, "Bericht 2020").ok
    assert not evidence.check("projektlaufzeit 01.01.2016", "bericht-2020", texts, "Bericht 2020").ok


def test_a_bad_status_row_is_named_in_the_same_run_as_the_other_tables_problems(project_copy):
    """Checked with every other row (kg/sources.py), not after them: one build names all there is to fix."""
    _replace(project_copy, "\n2,laufend,", "\n2,laeuft,")
    path = project_copy.data / "massnahmen.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("\n5,partizipation-und-teilhabe,", "\n4,partizipation-und-teilhabe,", 1),
                    encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        compile_graph(project_copy)
    found = {(p.origin.file, p.rule) for p in exc.value.problems}
    assert {("data/massnahmen.csv", "D05"), ("data/status.csv", "D04"), ("data/ausgaben.csv", "D06")} <= found
    [status] = [p for p in exc.value.problems if p.origin.file == "data/status.csv"]
    assert (status.origin.record, status.column, status.message) == ("Stand von Maßnahme 2", "status", "„laeuft“ ist kein Stand")
    assert status.fix.startswith("Eines von: geplant, laufend")
