"""A clerk adds measure 130 and gets it wrong in every way the issue lists: each mistake stops `kg build` with a
message that names the measure, the spreadsheet row and the fix, and the previous build stays published.
What a spreadsheet legitimately writes (``;`` with BOM, German dates) is understood instead."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg import cli
from kg.build import Project, build, compile_graph
from kg.namespaces import SCHEMA, uri

# Measure 130 as a clerk adds it below the last row: spreadsheet row 131, but a later text line (cells above contain
# line breaks, so the two differ). No target group: each one needs its row in belege.csv, a finding of its own.
NEW = ("130,wirtschaft-und-arbeit,arbeitsmarktintegration-von-menschen-mit,Beratung für Zugewanderte,"
       "Beratung für Zugewanderte im Jobcenter,{oe},,,,,,{beginn},,,")
WHERE = "Maßnahme 130 (Tabellenzeile 131"
TEXT_LINE = len((Project().data / "massnahmen.csv").read_text(encoding="utf-8").splitlines()) + 1


def row(oe: str = "jobcenter-region-hannover", beginn: str = "") -> str:
    return NEW.format(oe=oe, beginn=beginn)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """One good build of the real data; each test works on its own copy of it."""
    out = tmp_path_factory.mktemp("published") / "site" / "build"
    build(out=out)
    return out.parent


@pytest.fixture()
def site(published, tmp_path):
    target = tmp_path / "site"
    shutil.copytree(published, target, symlinks=True)
    return target / "build"


def kg_build(project, out, capsys) -> tuple[int, str]:
    code = cli.main(["build", "--data", str(project.data), "--out", str(out), "--jobs", "1"])
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def append(project, line: str) -> None:
    path = project.data / "massnahmen.csv"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


def fails_unpublished(project, site, capsys) -> str:
    before = site.resolve(), (site / "manifest.json").read_bytes()
    code, output = kg_build(project, site, capsys)
    assert code == 1, output
    assert (site.resolve(), (site / "manifest.json").read_bytes()) == before, "the previous build stays published"
    assert not list((site.parent / ".builds").glob("*.partial"))
    return output


def findings(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.startswith("  data/")]


BAD = [
    # name, new row(s), text the one finding must contain (measure and row are checked for all)
    ("extra field", row() + ",überzählig",
     ["Die Zeile hat 16 Felder, erwartet 15", "Anführungszeichen"]),
    ("short row", ",".join(row().split(",")[:5]),
     ["Die Zeile hat 5 Felder, erwartet 15", "endet nach Spalte „beschreibung“", "„notiz“", "Fehlende Felder ergänzen"]),
    ("unquoted comma", row(oe="51, 50"),
     ["16 Felder, erwartet 15", "Spalte „oe“ („51, 50“)", "Mehrere Werte mit | trennen: „51|50“"]),
    ("unquoted line break", row().replace("Beratung für Zugewanderte im", "Beratung für\nZugewanderte im"),
     ["Tabellenzeile 132 hat die übrigen", "Spalte „beschreibung“ einen Zeilenumbruch", "Anführungszeichen"]),
    ("semicolon as separator", row(oe="51;50"),
     ["Spalte „oe“", "„51;50“ ist kein Schlüssel", "Mehrere Werte mit | trennen: „51|50“"]),
    ("name instead of key", row(oe="Fachbereich Jugend"),
     ["Spalte „oe“", "„Fachbereich Jugend“ ist kein Schlüssel aus Tabelle „oe“", "Meinten Sie „51“ (Fachbereich Jugend)?"]),
    ("abbreviated name instead of key", row(oe="FB Soziales"), ["Spalte „oe“", "Meinten Sie „50“ (Fachbereich Soziales)?"]),
    ("field of action instead of unit", row(oe="Wirtschaft und Arbeit"),
     ["Spalte „oe“", "„Wirtschaft und Arbeit“ ist ein Handlungsfeld – dessen Schlüssel „wirtschaft-und-arbeit“ gehört in Spalte „handlungsfeld“"]),
    ("label instead of field key", row().replace(",wirtschaft-und-arbeit,", ",Wirtschaft und Arbeit,"),
     ["Spalte „handlungsfeld“", "Meinten Sie „wirtschaft-und-arbeit“ (Wirtschaft und Arbeit)?"]),
    ("goal of another field", row().replace("arbeitsmarktintegration-von-menschen-mit", "sprachkurse-anbieten"),
     ["Spalte „ziel“", "Ziel „sprachkurse-anbieten“ gehört zum Handlungsfeld „bildung-und-sprache“ (Bildung und Sprache)",
      "Ziele im Handlungsfeld „wirtschaft-und-arbeit“ (Wirtschaft und Arbeit): „kulturelle-vielfalt-als-wirtschaftsfaktor“",
      "„existenzgruenderinnen-und-gruender-mit“", "Oder das Handlungsfeld auf „bildung-und-sprache“ ändern"]),
    ("misspelt goal", row().replace("arbeitsmarktintegration-von-menschen-mit", "arbeitsmarktintegration"),
     ["Spalte „ziel“", "Meinten Sie „arbeitsmarktintegration-von-menschen-mit“"]),
    ("date without century", row(beginn="1.3.25"),
     ["Spalte „beginn“", "„1.3.25“ ist kein Datum", "JJJJ-MM-TT eintragen (auch TT.MM.JJJJ geht)"]),
    ("date the calendar lacks", row(beginn="31.02.2025"), ["Spalte „beginn“", "„31.02.2025“ ist kein Datum"]),
    ("two citations joined by a semicolon", row().replace(",jobcenter-region-hannover,,", ",jobcenter-region-hannover,0349 (IV) BDs; 2718 (IV) BDs,"),
     ["Spalte „drucksachen“", "Mehrere Drucksachen mit | trennen: „0349 (IV) BDs|2718 (IV) BDs“"]),
    ("a title word the description lacks", row().replace(",Beratung für Zugewanderte,", ",Beratungsangebote für Zugewanderte,"),
     ["Spalte „titel“", "„titel“ enthält Wörter, die in der Beschreibung nicht vorkommen: Beratungsangebote",
      "Titel nur aus dem Wortlaut des Berichts bilden"]),
]


@pytest.mark.parametrize("name,line,expected", BAD, ids=[b[0] for b in BAD])
def test_each_bad_measure_row_fails_the_build_once_naming_measure_row_and_fix(project_copy, site, capsys, name, line, expected):
    append(project_copy, line)
    output = fails_unpublished(project_copy, site, capsys)
    found = findings(output)
    assert len(found) == 1, found  # each finding once, and no follow-up noise
    assert found[0].startswith(f"data/massnahmen.csv, {WHERE}"), found[0]
    assert f"im Texteditor Zeile {TEXT_LINE}" in found[0], "the text line is given too, for a text editor"
    for text in expected:
        assert text in found[0], (text, found[0])


def test_duplicate_number_names_the_first_row_and_the_next_free_number(project_copy, site, capsys):
    append(project_copy, row().replace("130,", "129,", 1))
    found = findings(fails_unpublished(project_copy, site, capsys))
    assert found == [found[0]] and found[0].startswith("data/massnahmen.csv, Maßnahme 129 (Tabellenzeile 131, Spalte „nr“")
    assert "Nr. 129 steht schon in Tabellenzeile 130 („Dolmetschendienst" in found[0]
    assert "nächste freie Nummer: 130" in found[0]


def test_a_file_saved_as_windows_1252_is_diagnosed_at_its_first_cell(project_copy, site, capsys):
    path = project_copy.data / "massnahmen.csv"
    text = path.read_text(encoding="utf-8") + row() + "\n"
    path.write_bytes(text.encode("cp1252", errors="replace"))  # what Excel's „CSV (Trennzeichen-getrennt)“ writes
    found = findings(fails_unpublished(project_copy, site, capsys))
    assert len(found) == 1
    assert found[0].startswith("data/massnahmen.csv, Maßnahme 1 (Tabellenzeile 2, Spalte „titel“)"), found[0]
    assert "Windows-1252" in found[0] and "„Angebote des Bereiches „Politische Bildung““" in found[0]
    assert "„CSV UTF-8 (durch Trennzeichen getrennt)“" in found[0]


def test_one_windows_1252_cell_in_a_utf8_file_names_its_measure(project_copy, site, capsys):
    path = project_copy.data / "massnahmen.csv"
    path.write_bytes(path.read_bytes() + row().encode("cp1252") + b"\n")
    found = findings(fails_unpublished(project_copy, site, capsys))
    assert found[0].startswith(f"data/massnahmen.csv, {WHERE}, Spalte „titel“"), found[0]
    assert "„Beratung für Zugewanderte“" in found[0]


def _measure_130(project, site, capsys) -> Graph:
    code, output = kg_build(project, site, capsys)
    assert code == 0, output
    g = Graph().parse(site / "graph.nt", format="nt")
    assert (uri("massnahme", "130"), None, None) in g
    return g


def test_german_excel_csv_with_bom_and_semicolons_is_read_like_the_original(project_copy, site, capsys):
    append(project_copy, row())
    reference = project_copy.data.parent / "reference"
    shutil.copytree(project_copy.data, reference)
    path = project_copy.data / "massnahmen.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)  # „CSV UTF-8“ as German Excel saves it
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    g = _measure_130(project_copy, site, capsys)
    expected = compile_graph(Project(data=reference, ontology=project_copy.ontology, shapes=project_copy.shapes)).graph
    assert set(g) == set(expected)


def dated(project, value: str) -> None:
    """Measure 130 begun „seit März 2025“, the date as a German spreadsheet shows it, with its evidence row."""
    append(project, row(beginn=value).replace("im Jobcenter", "im Jobcenter seit März 2025"))
    path = project.data / "belege.csv"
    path.write_text(path.read_text(encoding="utf-8") + f"130,beginn,{value},seit März 2025,,\n", encoding="utf-8")


def test_german_date_is_understood(project_copy, site, capsys):
    dated(project_copy, "01.03.2025")
    g = _measure_130(project_copy, site, capsys)
    assert g.value(uri("massnahme", "130"), URIRef(SCHEMA.startDate)) == Literal("2025-03-01", datatype=XSD.date)


def test_german_month_is_understood(project_copy, site, capsys):
    dated(project_copy, "03.2025")
    g = _measure_130(project_copy, site, capsys)
    assert g.value(uri("massnahme", "130"), URIRef(SCHEMA.startDate)) == Literal("2025-03", datatype=XSD.gYearMonth)


OTHER_TABLES = [
    # file, old, new, the one finding's start, and its fix
    ("oe.csv", "\n51,51,Fachbereich Jugend,fachbereich,II,", "\n51,51,Fachbereich Jugend,fachbereich,2,",
     "data/oe.csv, OE 51 (Tabellenzeile 16, Spalte „dezernat“)", "Meinten Sie „II“ (Soziale Infrastruktur)?"),
    ("ziele.csv", "\nsprachkurse-anbieten,bildung-und-sprache,", "\nsprachkurse-anbieten,Bildung und Sprache,",
     "data/ziele.csv, Ziel „sprachkurse-anbieten“ (Tabellenzeile 16, Spalte „handlungsfeld“)",
     "Meinten Sie „bildung-und-sprache“ (Bildung und Sprache)?"),
    ("zielgruppen.csv", ",Newly arrived immigrants,menschen-mit-migrationshintergrund,", ",Newly arrived immigrants,Migrationshintergrund,",
     "data/zielgruppen.csv, Zielgruppe „neuzugewanderte“ (Tabellenzeile 5, Spalte „oberbegriff“)",
     "Meinten Sie „menschen-mit-migrationshintergrund“ (Menschen mit Migrationshintergrund) oder "
     "„existenzgruender-mit-migrationshintergrund“ (Existenzgründerinnen und -gründer mit Migrationshintergrund)?"),
]


@pytest.mark.parametrize("file,old,new,where,fix", OTHER_TABLES, ids=[c[0] for c in OTHER_TABLES])
def test_a_bad_key_in_another_table_is_one_finding_with_its_fix(project_copy, site, capsys, file, old, new, where, fix):
    path = project_copy.data / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    found = findings(fails_unpublished(project_copy, site, capsys))
    assert len(found) == 1, found  # no echo on the measures that use the goal or unit
    assert found[0].startswith(where) and found[0].endswith(fix), found[0]


def test_evidence_for_another_value_than_the_measure_has_names_the_value_it_has(project_copy, site, capsys):
    path = project_copy.data / "belege.csv"
    text = path.read_text(encoding="utf-8")
    assert "\n2,beginn,2017-07,seit Juli 2017,," in text
    path.write_text(text.replace("\n2,beginn,2017-07,seit Juli 2017,,", "\n2,beginn,2018-07,seit Juli 2017,,", 1), encoding="utf-8")
    found = findings(fails_unpublished(project_copy, site, capsys))
    assert any(f.startswith("data/belege.csv") and "Maßnahme 2 hat in „beginn“ nicht den Wert „2018-07“ (sondern 2017-07)" in f
               for f in found), found
    assert any("beginn „2017-07“ hat keinen Beleg in belege.csv" in f for f in found), found  # and the one it had lost


def test_valid_tables_are_checked_without_composing_a_single_message(monkeypatch, tmp_path):
    """The wording of a finding (the valid keys listed, „meinten Sie …“) is made only for a finding: composed for every
    row that passes, it made the checks quadratic – a goal's message lists all goals of its field, and at 1000× the
    load phase of `kg build` did not end (129,000 measures × 6,000 goals)."""
    from kg import messages, sources, synth

    def composed(*args, **kwargs):
        raise AssertionError("a message was composed for data that has no finding")

    for name in ("listing", "did_you_mean", "separator_fix", "unknown_key"):
        monkeypatch.setattr(messages, name, composed)
    monkeypatch.setattr(messages.Keys, "show", composed)
    monkeypatch.setattr(messages.Keys, "suggest", composed)
    for data in (Project().data, synth.generate(tmp_path / "synth", 3)):
        loaded = sources.load(data)
        assert len(loaded.massnahmen) >= 129
