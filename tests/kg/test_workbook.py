"""The clerk's workbook: CSV → XLSX → CSV loses nothing and changes nothing, the dropdowns offer exactly the
current keys, `kg build` reads the workbook, and an import changes only the rows the clerk edited."""

from __future__ import annotations

import re
import shutil

import openpyxl
import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS, ORG, RDF

from kg import cli, schema, tabular, workbook
from kg.build import Project, compile_graph
from kg.namespaces import IK, uri


@pytest.fixture()
def book(project_copy):
    return workbook.export(project_copy.data)


def _csv_bytes(data_dir) -> dict[str, bytes]:
    return {t.file: (data_dir / t.file).read_bytes() for t in schema.TABLES.values() if (data_dir / t.file).exists()}


def test_round_trip_csv_workbook_csv_gives_the_same_bytes(project_copy, book):
    before = _csv_bytes(project_copy.data)
    assert len(before) == len(schema.TABLES)
    assert workbook.import_to(book, project_copy.data) == []
    assert _csv_bytes(project_copy.data) == before


def test_round_trip_without_the_old_files_keeps_every_value(project_copy, book):
    """Written afresh (no earlier text to reuse), every cell – line breaks, quotes, „01“ – comes back unchanged."""
    before = {t.file: tabular.parse((project_copy.data / t.file).read_text(encoding="utf-8")) for t in schema.TABLES.values()}
    for t in schema.TABLES.values():
        (project_copy.data / t.file).unlink()
    workbook.import_to(book, project_copy.data)
    for file, old in before.items():
        new = tabular.parse((project_copy.data / file).read_text(encoding="utf-8"))
        assert new.header == old.header and [r.fields for r in new.rows] == [r.fields for r in old.rows], file
        assert not new.misfits
    multiline = [f for r in before["massnahmen.csv"].rows for f in r.fields if "\n" in f]
    assert len(multiline) == 71


def _sheet(book, name):
    return openpyxl.load_workbook(book)[name]


def _column(ws, name: str) -> int:
    return [c.value for c in ws[1]].index(name) + 1


def _row_of(ws, nr: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == nr)


def test_an_edit_in_the_workbook_changes_only_that_row_and_names_become_keys(project_copy, book):
    wb = openpyxl.load_workbook(book)
    ws = wb["massnahmen"]
    r = _row_of(ws, "4")  # a row on one text line
    ws.cell(r, _column(ws, "oe")).value = "Fachbereich Jugend (51)|Fachbereich Soziales (50)"  # as picked from the dropdown
    wb.save(book)
    old = (project_copy.data / "massnahmen.csv").read_text(encoding="utf-8").splitlines()
    assert workbook.import_to(book, project_copy.data) == ["data/massnahmen.csv"]
    new = (project_copy.data / "massnahmen.csv").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert len(changed) == 1 and changed[0][0].startswith("4,") and ",51|50," in changed[0][1]


def test_kg_build_reads_the_workbook_and_names_sheet_and_row(project_copy, book, tmp_path, capsys):
    wb = openpyxl.load_workbook(book)
    ws = wb["massnahmen"]
    r = _row_of(ws, "2")
    ws.cell(r, _column(ws, "titel")).value = "Orientierungsberatungsstelle"
    wb.save(book)
    out = tmp_path / "site" / "build"
    assert cli.main(["build", "--data", str(project_copy.data), "--out", str(out), "--jobs", "1"]) == 0
    graph = compile_graph(Project(data=project_copy.data, ontology=project_copy.ontology, shapes=project_copy.shapes,
                                  workbook=book)).graph
    assert graph.value(uri("massnahme", "2"), DCTERMS.title) == Literal("Orientierungsberatungsstelle", lang="de")
    built = (out / "graph.nt").read_text(encoding="utf-8")
    assert '"Orientierungsberatungsstelle"@de' in built, "auto-detected data/arbeitsmappe.xlsx"

    ws.cell(r, _column(ws, "oe")).value = "Fachbereich Jugend"
    wb.save(book)
    capsys.readouterr()
    assert cli.main(["validate", "--data", str(project_copy.data), "--workbook", str(book), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "arbeitsmappe.xlsx, Blatt „massnahmen“, Maßnahme 2 (Tabellenzeile 3, Spalte „oe“)" in err
    assert "Meinten Sie „51“ (Fachbereich Jugend)?" in err


def test_a_csv_changed_after_the_workbook_stops_the_build_instead_of_being_undone(project_copy, book, capsys):
    path = project_copy.data / "ziele.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Sprachkurse anbieten", "Sprachkurse anbieten und fördern"),
                    encoding="utf-8")
    assert cli.main(["validate", "--data", str(project_copy.data), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "data/ziele.csv: [D10" in err and "kg workbook --import" in err and "kg workbook --force" in err
    assert cli.main(["validate", "--data", str(project_copy.data), "--workbook", "-", "--jobs", "1"]) == 0


def test_kg_workbook_does_not_overwrite_changes_not_yet_imported(project_copy, book, capsys):
    wb = openpyxl.load_workbook(book)
    wb["oe"].cell(2, 3).value = "Neuer Name"
    wb.save(book)
    assert cli.main(["workbook", "--data", str(project_copy.data)]) == 1
    assert "nichts überschrieben" in capsys.readouterr().err
    assert openpyxl.load_workbook(book)["oe"].cell(2, 3).value == "Neuer Name"
    assert cli.main(["workbook", "--data", str(project_copy.data), "--force"]) == 0
    assert openpyxl.load_workbook(book)["oe"].cell(2, 3).value is None


# ------------------------------------------------------------------ what the dropdowns offer


def _range_values(wb, ref: str) -> list[str]:
    sheet, cells = ref.split("!")
    ws = wb[sheet.strip("'")]
    return [c[0].value for c in ws[cells.replace("$", "")] if c[0].value is not None]


def _lists(wb, ws) -> dict[str, str]:
    """Column name -> formula of its data validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        col = re.match(r"[A-Z]+", str(dv.sqref)).group(0)
        out[ws[f"{col}1"].value] = dv.formula1
    return out


def _keys(graph, cls, kind: str) -> set[str]:
    prefix = str(uri(kind, "x"))[:-1]
    return {str(s)[len(prefix):] for s in graph.subjects(RDF.type, cls) if str(s).startswith(prefix)}


def test_validation_lists_contain_exactly_the_current_keys(graph, tmp_path):
    book = workbook.export(Project().data, tmp_path / "mappe.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["massnahmen"]
    lists = _lists(wb, ws)
    assert set(_range_values(wb, lists["handlungsfeld"])) == _keys(graph, IK.Handlungsfeld, "handlungsfeld")

    def keys_of(formula):
        return {re.match(r".*\((?P<k>[^()]+)\)$", v)["k"] if v.endswith(")") else v for v in _range_values(wb, formula)}

    units = _keys(graph, ORG.OrganizationalUnit, "oe") - _keys(graph, IK.Dezernat, "oe")
    assert keys_of(lists["oe"]) == units
    assert keys_of(lists["zielgruppen"]) == _keys(graph, IK.Zielgruppe, "zielgruppe")
    assert keys_of(_lists(wb, wb["oe"])["dezernat"]) == {k.removeprefix("dezernat-").upper() for k in _keys(graph, IK.Dezernat, "oe")}
    # Every column that names a key of another table (oe.typ, oe.teil_von …) offers exactly that table's keys.
    checked = 0
    for table in schema.TABLES.values():
        formulas = _lists(wb, wb[table.name])
        for column in table.columns:
            if column.ref in schema.TABLES and not formulas[column.name].startswith("INDIRECT"):
                target = schema.TABLES[column.ref]
                assert keys_of(formulas[column.name]) == {r[target.key] for r in _records(column.ref)}, column.name
                checked += 1
    assert checked >= 6
    assert _range_values(wb, _lists(wb, wb["uri-registry"])["status"]) == ["gone", "moved"]
    # The goal's list depends on the row's field: one named range per field, holding exactly that field's goals.
    assert lists["ziel"] == 'INDIRECT("ziele_"&SUBSTITUTE($B2,"-","_"))'
    for field in _keys(graph, IK.Handlungsfeld, "handlungsfeld"):
        goals = {str(z).rsplit("/", 1)[-1] for z in graph.subjects(IK.handlungsfeld, uri("handlungsfeld", field))
                 if (z, RDF.type, IK.Ziel) in graph}
        name = "ziele_" + field.replace("-", "_")
        assert set(_range_values(wb, wb.defined_names[name].attr_text)) == goals, field


def _records(name: str) -> list[dict]:
    table = schema.TABLES[name]
    return [rec for _, rec in tabular.parse((Project().data / table.file).read_text(encoding="utf-8")).records()]


def test_every_sheet_has_its_file_columns_comments_frozen_header_and_text_cells(book, project_copy):
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == "Hilfe" and wb["Listen"].sheet_state == "hidden"
    for table in schema.TABLES.values():
        ws = wb[table.name]
        header = tabular.parse((project_copy.data / table.file).read_text(encoding="utf-8")).header
        assert [c.value for c in ws[1]] == header
        assert all(c.comment and c.comment.text for c in ws[1])
        assert ws.freeze_panes in ("A2", "B2")
    oe = wb["oe"]
    assert oe["A2"].value == "01" and oe["A2"].data_type == "s", "keys stay text: Excel would turn 01 into 1"
    help_text = " ".join(str(c.value) for row in wb["Hilfe"].iter_rows() for c in row if c.value)
    assert "kg workbook --import" in help_text and "Mehrere Werte" in help_text


def test_a_column_the_schema_does_not_know_is_kept(project_copy):
    """A column another change adds to data/ (say, evidence for target groups) travels through the workbook."""
    path = project_copy.data / "massnahmen.csv"
    parsed = tabular.parse(path.read_text(encoding="utf-8"))
    text = tabular.write(parsed.header + ["evidenz"], [r.fields + [f"Beleg {r.fields[0]}"] for r in parsed.rows])
    path.write_text(text, encoding="utf-8")
    book = workbook.export(project_copy.data)
    shutil.copy(path, project_copy.data.parent / "expected.csv")
    assert workbook.import_to(book, project_copy.data) == []
    assert path.read_bytes() == (project_copy.data.parent / "expected.csv").read_bytes()
    assert "evidenz" in [c.value for c in openpyxl.load_workbook(book)["massnahmen"][1]]
