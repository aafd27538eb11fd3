"""Exports a spreadsheet opens: XLSX next to every CSV table of the build, umlauts and line breaks intact, and no
cell that Excel or LibreOffice would run as a formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from rdflib.namespace import DCTERMS, RDF

from kg import spreadsheet, tabular
from kg.build import build
from kg.export import CSV_VIEWS, MEASURE_COLUMNS
from kg.namespaces import IK

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _xlsx(path) -> list[list]:
    ws = openpyxl.load_workbook(path).active
    return [[c for c in row] for row in ws.iter_rows()]


def test_every_csv_table_has_an_xlsx_twin_in_the_manifest(built):
    files = json.loads((built / "manifest.json").read_text())["files"]
    for name in CSV_VIEWS:
        assert f"csv/{name}.csv" in files and f"xlsx/{name}.xlsx" in files
        assert files[f"xlsx/{name}.xlsx"]["bytes"] == (built / f"xlsx/{name}.xlsx").stat().st_size


@pytest.mark.parametrize("name", list(CSV_VIEWS))
def test_xlsx_holds_exactly_the_csv_cells_with_umlauts_and_line_breaks(built, name):
    rows = _csv(built / f"csv/{name}.csv")
    cells = _xlsx(built / f"xlsx/{name}.xlsx")
    assert len(cells) == len(rows)
    for csv_row, xlsx_row in zip(rows, cells, strict=True):
        assert [str(c.value) if c.value is not None else "" for c in xlsx_row] == csv_row


def test_measure_table_keeps_umlauts_and_every_multiline_description(built, graph):
    ws = openpyxl.load_workbook(built / "xlsx/massnahmen.xlsx").active
    header = [c.value for c in ws[1]]
    assert tuple(header) == MEASURE_COLUMNS and ws.freeze_panes == "A2"
    column = header.index("beschreibung")
    texts = {str(r[0].value): r[column].value for r in ws.iter_rows(min_row=2)}
    expected = {str(graph.value(m, DCTERMS.identifier)): str(graph.value(m, DCTERMS.description))
                for m in graph.subjects(RDF.type, IK.Massnahme)}
    assert texts == expected
    multiline = [t for t in texts.values() if "\n" in t]
    assert len(multiline) >= 20, "descriptions with bullet lines keep their line breaks"
    assert any("Ausländerbehörde" in t for t in texts.values())
    wrapped = [r[column] for r in ws.iter_rows(min_row=2) if "\n" in (r[column].value or "")]
    assert all(c.alignment.wrap_text for c in wrapped), "multi-line cells are shown as such"
    with open(built / "csv/massnahmen.csv", encoding="utf-8", newline="") as fh:
        parsed = {row["nr"]: row["beschreibung"] for row in csv.DictReader(fh)}
    assert parsed == expected


# ------------------------------------------------------------------ formula injection

INJECTED = {  # table -> (source file, text it starts with in the export)
    "massnahmen": '=HYPERLINK("https://evil.example";"Beratung")',
    "oe": "@SUM(1+1) Fachbereich Jugend",
    "ziele": "+1+1 Sprachkurse anbieten",
    "zielgruppen": "-1+1 Auszubildende",
    "handlungsfelder": "=1+1 Vernetzung",
    "schwerpunkte": "-Übergang Schule–Beruf",
}


def _replace(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """A build whose data holds formula-like text in every table that can carry text."""
    from kg.build import ROOT, Project

    root = tmp_path_factory.mktemp("injected")
    import shutil

    for part in ("data", "ontology", "shapes"):
        shutil.copytree(ROOT / part, root / part)
    data = root / "data"
    path = data / "massnahmen.csv"
    parsed = tabular.parse(path.read_text(encoding="utf-8"))
    rows = [list(r.fields) for r in parsed.rows]
    titel, beschreibung = parsed.header.index("titel"), parsed.header.index("beschreibung")
    rows[4][titel] = INJECTED["massnahmen"]  # measure 5; the title's words must occur in the description
    rows[4][beschreibung] = INJECTED["massnahmen"] + " " + rows[4][beschreibung]
    path.write_text(tabular.write(parsed.header, rows, parsed), encoding="utf-8")
    _replace(data / "oe.csv", "\n51,51,Fachbereich Jugend,", f"\n51,51,{INJECTED['oe']},")
    _replace(data / "ziele.csv", ",Sprachkurse anbieten,", f",{INJECTED['ziele']},")
    _replace(data / "zielgruppen.csv", ",Auszubildende,", f",{INJECTED['zielgruppen']},")
    _replace(data / "handlungsfelder.yaml", "label: Vernetzung", f"label: '{INJECTED['handlungsfelder']}'")
    _replace(data / "schwerpunkte.yaml", "label: Übergang Schule–Beruf", f"label: '{INJECTED['schwerpunkte']}'")
    out = root / "site" / "build"
    build(out=out, project=Project(data=data, ontology=root / "ontology", shapes=root / "shapes"))
    return out


@pytest.mark.parametrize("name", list(INJECTED))
def test_no_csv_cell_starts_a_formula(injected, name):
    rows = _csv(injected / f"csv/{name}.csv")
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c.startswith(DANGEROUS)]
    assert any(c.startswith("'" + INJECTED[name]) for c in cells), "the payload is there, neutralised"


@pytest.mark.parametrize("name", list(INJECTED))
def test_xlsx_keeps_formula_like_text_as_quoted_text(injected, name):
    ws = openpyxl.load_workbook(injected / f"xlsx/{name}.xlsx").active
    risky = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith(DANGEROUS)]
    assert any(c.value.startswith(INJECTED[name]) for c in risky), "the value itself is unchanged"
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)


@pytest.mark.parametrize("start", DANGEROUS)
def test_each_formula_start_is_neutralised_in_csv_and_xlsx(start, tmp_path):
    value = f"{start}cmd|' /C calc'!A0"
    text = spreadsheet.csv_text(["a", "n"], [[value, -5]])
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["a", "n"], ["'" + value, "-5"]], "numbers stay numbers"
    path = tmp_path / "t.xlsx"
    path.write_bytes(spreadsheet.xlsx_bytes([("t", ["a", "n"], [[value, -5]])]))
    cell, number = openpyxl.load_workbook(path).active[2]
    assert cell.value == value.replace("\r", "\n"), "XML keeps no bare CR; the line end becomes LF"
    assert cell.data_type == "s" and cell.quotePrefix
    assert number.value == -5 and number.data_type == "n"


# ------------------------------------------------------------------ the server's downloads of the same data


@pytest.fixture(scope="module")
def injected_client(injected, make_app):
    app = make_app(KG_BUILD_DIR=str(injected))
    yield app.test_client()
    pool = app.extensions.get("sparql_pool")
    if pool is not None:
        pool.close()


def test_filtered_list_downloads_share_the_dump_columns_as_csv_and_xlsx(client, built):
    query = {"handlungsfeld": "bildung-und-sprache"}
    as_csv = client.get("/massnahmen.csv", query_string=query)
    as_xlsx = client.get("/massnahmen.xlsx", query_string=query)
    assert as_xlsx.status_code == 200 and as_xlsx.mimetype == spreadsheet.XLSX_MEDIA_TYPE
    assert 'filename="massnahmen-auswahl.xlsx"' in as_xlsx.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.get_data(as_text=True), newline="")))
    sheet = [[str(c.value) if c.value is not None else "" for c in row]
             for row in openpyxl.load_workbook(io.BytesIO(as_xlsx.data)).active.iter_rows()]
    assert rows == sheet and tuple(rows[0]) == MEASURE_COLUMNS == tuple(_csv(built / "csv/massnahmen.csv")[0])
    assert len(rows) > 10 and all(r[3] == "bildung-und-sprache" for r in rows[1:])
    assert any("\n" in r[-1] for r in rows[1:]) and any("ä" in c or "ü" in c for r in rows for c in r)
    page = client.get("/massnahmen", query_string=query).get_data(as_text=True)
    assert "/massnahmen.xlsx?handlungsfeld=bildung-und-sprache" in page.replace("&amp;", "&")


def test_filtered_list_downloads_neutralise_formulas(injected_client):
    payload = INJECTED["massnahmen"]
    text = injected_client.get("/massnahmen.csv", query_string={"handlungsfeld": "partizipation-und-teilhabe"}).get_data(as_text=True)
    cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
    assert "'" + payload in cells and not [c for c in cells if c.startswith(DANGEROUS)]
    book = openpyxl.load_workbook(io.BytesIO(injected_client.get("/massnahmen.xlsx").data)).active
    risky = [c for row in book.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith(DANGEROUS)]
    assert payload in [c.value for c in risky] and all(c.data_type == "s" and c.quotePrefix for c in risky)


TITLE_5 = ("SELECT ?titel ?n WHERE { <https://integration.region-hannover.example/id/massnahme/5> "
           "<http://purl.org/dc/terms/title> ?titel BIND(-5 AS ?n) }")


def test_sparql_csv_and_tsv_results_neutralise_formulas_but_json_keeps_the_value(injected_client):
    payload = INJECTED["massnahmen"]
    as_csv = injected_client.get("/sparql", query_string={"query": TITLE_5, "format": "csv"})
    assert list(csv.reader(io.StringIO(as_csv.get_data(as_text=True), newline=""))) == [["titel", "n"], ["'" + payload, "-5"]]
    assert as_csv.data.endswith(b"\r\n"), "SPARQL 1.1 CSV: CRLF"
    tsv = injected_client.get("/sparql", query_string={"query": TITLE_5, "format": "tsv"}).get_data(as_text=True)
    header, row = tsv.strip("\n").split("\n")
    title, number = row.split("\t")
    assert header == "?titel\t?n" and title.startswith("\"'=HYPERLINK") and number == "-5"
    import pyoxigraph as ox

    assert [s["titel"].value for s in ox.parse_query_results(tsv.encode(), ox.QueryResultsFormat.TSV)] == ["'" + payload]
    as_json = injected_client.get("/sparql", query_string={"query": TITLE_5, "format": "json"}).get_json()
    assert as_json["results"]["bindings"][0]["titel"]["value"] == payload, "JSON is for programs: unchanged"
