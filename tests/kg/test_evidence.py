"""Every soft fact is backed by the report's own words, the build refuses one that is not, the text keeps the
report's line breaks, dates keep their precision, and data/README.md states the counts as they are."""

from __future__ import annotations

import csv
import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from kg import evidence
from kg.build import ROOT, build
from kg.errors import BuildError
from kg.namespaces import IK, SCHEMA, uri
from tests.support.paths import REPORT

SOFT = (IK.zielgruppe, IK.mindestalter, IK.hoechstalter, SCHEMA.startDate, SCHEMA.endDate, SCHEMA.duration)


def _flat(text) -> str:
    return " ".join(str(text).split())


def _in(quote: str, text: str) -> bool:
    at, flat = 0, _flat(text)
    for part in (_flat(p) for p in quote.split("…")):
        at = flat.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


def test_every_soft_fact_of_every_measure_has_evidence_that_occurs_in_the_report(graph):
    report = _flat(re.sub(r"</?p>", " ", REPORT.read_text(encoding="utf-8")))  # the report's text version as it is
    facts = 0
    for measure in graph.subjects(RDF.type, IK.Massnahme):
        evidence = {}
        for b in graph.objects(measure, IK.beleg):
            value = graph.value(b, IK.wert) or graph.value(b, IK.wertLiteral)
            evidence[(graph.value(b, IK.eigenschaft), value)] = b
        for prop in SOFT:
            for value in graph.objects(measure, prop):
                facts += 1
                b = evidence.pop((prop, value), None)
                assert b is not None, f"{measure} {prop} {value} has no evidence"
                quote = str(graph.value(b, PROV.value))
                goal = graph.value(b, IK.zitiertAusZiel)
                text = graph.value(goal, SKOS.prefLabel) if goal else graph.value(measure, DCTERMS.description)
                assert _in(quote, text), (b, quote)
                # …and in the report itself, word for word, not only in our copy of its text
                assert all(_flat(p) in report for p in quote.split("…")), quote
                assert graph.value(b, PROV.wasQuotedFrom) == uri("kapitel", "2020-6-1")
                assert (b, RDF.type, PROV.Entity) in graph
        assert not evidence, f"{measure}: evidence for values it does not have: {evidence}"
    assert facts == 204 + 35


def test_goal_quotes_are_marked_and_point_at_the_measures_goal(graph):
    marked = list(graph.subject_objects(IK.zitiertAusZiel))
    assert len(marked) == 36
    for b, goal in marked:
        measure = next(graph.subjects(IK.beleg, b))
        assert graph.value(measure, IK.verfolgtZiel) == goal
        assert "(Wortlaut des Ziels)" in str(graph.value(b, RDFS_LABEL))


RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


@pytest.mark.parametrize("nr,group,quote", [
    (46, "frauen", "für junge (alleinerziehende) Frauen mit Kindern"),      # was: Frauen mit Migrations- oder Fluchthintergrund
    (85, "frauen", "„Nordirakische Frauen und ihre Kinder“"),               # was: Geflüchtete
    (12, "ehrenamtliche", "für Paten von Geflüchteten"),
])
def test_groups_the_text_names_carry_its_words(graph, nr, group, quote):
    m = uri("massnahme", nr)
    assert (m, IK.zielgruppe, uri("zielgruppe", group)) in graph
    assert Literal(quote, lang="de") in {graph.value(b, PROV.value) for b in graph.objects(m, IK.beleg)
                                         if graph.value(b, IK.wert) == uri("zielgruppe", group)}


@pytest.mark.parametrize("nr,group", [
    (46, "frauen-mit-migrations-oder-fluchthintergrund"), (85, "gefluechtete"), (44, "leistungsberechtigte-jobcenter"),
    (46, "leistungsberechtigte-jobcenter"), (65, "leistungsberechtigte-jobcenter"), (9, "kommunen"), (96, "pflegebeduerftige-und-aeltere-menschen"),
])
def test_groups_only_inferred_from_partner_unit_or_origin_are_gone(graph, nr, group):
    assert (uri("massnahme", nr), IK.zielgruppe, uri("zielgruppe", group)) not in graph


def test_a_goal_that_names_its_group_tags_every_measure_under_it(graph):
    goal = uri("ziel", "arbeitsmarktintegration-von-menschen-mit")
    under = set(graph.subjects(IK.verfolgtZiel, goal))
    assert len(under) == 23
    assert all((m, IK.zielgruppe, uri("zielgruppe", "menschen-mit-migrationshintergrund")) in graph for m in under)


def test_descriptions_keep_the_line_breaks_and_lists_of_the_report(graph):
    nine = str(graph.value(uri("massnahme", 9), DCTERMS.description))
    assert "für Geflüchtete\nDas Konzept ermöglicht" in nine
    lines = str(graph.value(uri("massnahme", 28), DCTERMS.description)).splitlines()
    assert [line[:3] for line in lines if re.match(r"\d\. ", line)] == ["1. ", "2. ", "3. "]
    assert str(graph.value(uri("massnahme", 10), DCTERMS.description)).count("\n• ") == 5


def test_dates_and_durations_as_precise_as_stated(graph):
    assert graph.value(uri("massnahme", 21), SCHEMA.endDate) == Literal("2024", datatype=XSD.gYear)
    assert graph.value(uri("massnahme", 2), SCHEMA.startDate) == Literal("2017-07", datatype=XSD.gYearMonth)
    assert graph.value(uri("massnahme", 53), SCHEMA.duration) == Literal("P3M", datatype=XSD.duration)
    quotes = {str(graph.value(b, PROV.value)) for b in graph.objects(uri("massnahme", 53), IK.beleg)}
    assert "Dreimonatiges Qualifizierungsprogramm" in quotes
    # „bis zu sechs Jahren“ states a maximum only
    assert graph.value(uri("massnahme", 27), IK.mindestalter) is None
    assert graph.value(uri("massnahme", 27), IK.hoechstalter) == Literal(6, datatype=XSD.integer)


def test_data_readme_states_the_counts_as_they_are():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    with open(ROOT / "data" / "belege.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with open(ROOT / "data" / "massnahmen.csv", encoding="utf-8", newline="") as fh:
        measures = list(csv.DictReader(fh))
    tags = [r for r in rows if r["angabe"] == "zielgruppen"]
    goal = [r for r in tags if r["stelle"] == "ziel"]
    untagged = [m["nr"] for m in measures if not m["zielgruppen"]]
    facts = [r for r in rows if r["angabe"] != "zielgruppen"]
    with open(ROOT / "data" / "zielgruppen.csv", encoding="utf-8", newline="") as fh:
        groups = len(list(csv.DictReader(fh)))
    stated = (f"{len(tags)} target-group tags on {len({r['nr'] for r in tags})} measures, {len(goal)} of them\n"
              f"from the goal's wording (on {len({r['nr'] for r in goal})} measures); {len(untagged)} measures name no group")
    assert _flat(stated) in _flat(readme)
    assert _flat(f"(Nr. {', '.join(untagged)})") in _flat(readme)
    counts = {a: sum(1 for r in facts if r["angabe"] in a) for a in (("alter_von", "alter_bis"), ("beginn",), ("ende",), ("dauer",))}
    assert _flat(f"{len(facts)} further rows of evidence for ages ({counts[('alter_von', 'alter_bis')]}), starts "
                 f"({counts[('beginn',)]}), ends ({counts[('ende',)]}) and durations ({counts[('dauer',)]}); {groups} target groups") \
        in _flat(readme)


# ------------------------------------------------------------------ the build refuses what the report does not say

def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _fails(project, tmp_path, *phrases):
    with pytest.raises(BuildError) as exc:
        build(out=tmp_path / "build", project=project, workers=1)
    assert not (tmp_path / "build").exists()
    for phrase in phrases:
        assert phrase in str(exc.value), (phrase, str(exc.value))


def test_a_quotation_that_is_not_in_the_description_fails_the_build(project_copy, tmp_path):
    _edit(project_copy.data / "belege.csv", "46,zielgruppen,frauen,für junge (alleinerziehende) Frauen mit Kindern",
          "46,zielgruppen,frauen,für junge alleinerziehende Mütter")
    _fails(project_copy, tmp_path, "data/belege.csv, Beleg zu Maßnahme 46 (zielgruppen frauen)", "[D12 ",
           "„für junge alleinerziehende Mütter“ steht nicht in der Beschreibung der Maßnahme 46", "Spalte „zitat“")


def test_a_goal_quotation_must_be_in_the_goal(project_copy, tmp_path):
    _edit(project_copy.data / "belege.csv", "7,zielgruppen,neuzugewanderte,für Neuzugewanderte,ziel",
          "7,zielgruppen,neuzugewanderte,für Zugewanderte,ziel")
    _fails(project_copy, tmp_path, "„für Zugewanderte“ steht nicht im Wortlaut des Ziels „Erstorientierungsphase für Neuzugewanderte erleichtern“")


def test_a_tag_without_evidence_fails_the_build_naming_the_row_to_add(project_copy, tmp_path):
    path = project_copy.data / "massnahmen.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    rows[1]["zielgruppen"] = "neuzugewanderte"  # Nr. 2: an advice centre, but the text names no group
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    _fails(project_copy, tmp_path, "data/massnahmen.csv, Maßnahme 2", "[D11 ", "zielgruppen „neuzugewanderte“ hat keinen Beleg",
           "In belege.csv die Zeile 2,zielgruppen,neuzugewanderte,„…“ ergänzen")


def test_evidence_for_a_value_the_measure_lacks_fails_the_build(project_copy, tmp_path):
    path = project_copy.data / "belege.csv"
    path.write_text(path.read_text(encoding="utf-8") + "2,zielgruppen,kommunen,Region Hannover,,\n", encoding="utf-8")
    _fails(project_copy, tmp_path, "Maßnahme 2 hat in „zielgruppen“ nicht den Wert „kommunen“ (die Spalte ist leer)")


def test_a_tag_added_to_the_graph_without_evidence_fails_the_build(project_copy, tmp_path):
    (project_copy.ontology / "zz-ohne-beleg.ttl").write_text(
        "<https://integration.region-hannover.example/id/massnahme/2> "
        "<https://integration.region-hannover.example/def/ik#zielgruppe> "
        "<https://integration.region-hannover.example/id/zielgruppe/neuzugewanderte> .\n", encoding="utf-8")
    _fails(project_copy, tmp_path, "IK-X07 Angabe ohne Beleg", "id/massnahme/2: ", "hat keinen Beleg")


# ------------------------------------------------------------------ one matcher for every quotation


def test_one_matcher_for_belege_status_and_the_graph_loose_only_in_what_a_clerk_cannot_see(tmp_path):
    text = "Die Region <p>berät\n  seit Juli 2017 Neuzugewanderte."
    assert evidence.quoted_in("berät seit Juli 2017", text), "line breaks, runs of spaces and tags count as one space"
    assert evidence.quoted_in("Die Region … Neuzugewanderte", text), "a gap marked with …"
    assert not evidence.quoted_in("Neuzugewanderte … Die Region", text), "the parts in the text's order"
    assert not evidence.quoted_in("berät seit August 2017", text) and not evidence.quoted_in("…", text)
    (tmp_path / evidence.TEXTS).mkdir()
    (tmp_path / evidence.TEXTS / "bericht-2020.txt").write_text(text, encoding="utf-8")
    texts = evidence.Texts(tmp_path)
    assert evidence.check("Die Region … seit Juli 2017", "bericht-2020", texts, "Bericht 2020").ok, "a status row too"
    missed = evidence.check("Die Region … berät seit August 2017", "bericht-2020", texts, "Bericht 2020")
    assert (missed.ok, missed.problem) == (False, "der Wortlaut „Die Region … berät seit August 2017“ steht nicht in "
                                                  "Bericht 2020; übereinstimmend nur bis „…berät seit“"), \
        "how far the part that is not there agrees"
