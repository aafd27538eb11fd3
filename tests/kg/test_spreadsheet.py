"""kg/spreadsheet.py on its own: the CSV a spreadsheet imports and the XLSX it opens, read back with the csv module
and openpyxl (no build needed; the build's tables are tested in test_exports.py)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from kg import spreadsheet


def read_csv(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def workbook(sheets) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(spreadsheet.xlsx_bytes(sheets)))


# ------------------------------------------------------------------ CSV


def test_csv_is_rfc_4180_with_crlf_quoted_line_breaks_and_empty_cells_for_none():
    text = spreadsheet.csv_text(["nr", "text", "leer"], [[1, "zwei\nZeilen, mit Komma", None], [2, 'ein "Zitat"', ""]])
    assert text.endswith("\r\n") and text.count("\r\n") == 3
    assert read_csv(text) == [["nr", "text", "leer"], ["1", "zwei\nZeilen, mit Komma", ""], ["2", 'ein "Zitat"', ""]]


def test_csv_takes_another_delimiter():
    text = spreadsheet.csv_text(["a", "b"], [["x;y", "z"]], delimiter=";")
    assert text.splitlines()[0] == "a;b"
    assert read_csv(text, ";") == [["a", "b"], ["x;y", "z"]]


def test_csv_neutralises_the_header_too_but_never_a_number():
    text = spreadsheet.csv_text(["=SUMME(A1)", "n"], [[spreadsheet.Number("-5"), -5.5]])
    assert read_csv(text) == [["'=SUMME(A1)", "n"], ["-5", "-5.5"]]


@pytest.mark.parametrize("value,expected", [
    ("-5 Grad", True), ("=1+1", True), ("+49 511", True), ("@SUM(A1)", True), ("\tx", True), ("\rx", True),
    ("5-3", False), ("", False), ("Text =", False), (spreadsheet.Number("-5"), False), (-5, False), (None, False),
])
def test_what_counts_as_a_formula_start(value, expected):
    assert spreadsheet.dangerous(value) is expected
    assert spreadsheet.neutralise(value) == ("'" + value if expected else value)


@pytest.mark.parametrize("term,expected", [
    ('"=HYPERLINK(1)"', '"\'=HYPERLINK(1)"'), ('"+1"@de', '"\'+1"@de'), ('"-3"', '"\'-3"'), ('"@x"', '"\'@x"'),
    ('"harmlos"', '"harmlos"'), ('""', '""'), ("<http://example.org/=x>", "<http://example.org/=x>"),
    ("_:b0", "_:b0"), ("-5", "-5"), ("=1", "=1"),  # bare numbers and anything unquoted are no text a spreadsheet runs
])
def test_a_tsv_term_gets_the_apostrophe_inside_its_quotes_only_when_its_text_starts_a_formula(term, expected):
    assert spreadsheet.neutralise_tsv_term(term) == expected


# ------------------------------------------------------------------ XLSX


def test_each_sheet_has_a_bold_frozen_header_and_a_filter_over_its_rows():
    book = workbook([("Maßnahmen", ["nr", "titel"], [[1, "a"], [2, "b"], [3, "c"]]), ("leer", ["x"], [])])
    assert book.sheetnames == ["Maßnahmen", "leer"]
    ws = book["Maßnahmen"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [["nr", "titel"], [1, "a"], [2, "b"], [3, "c"]]
    assert ws.freeze_panes == "A2"
    assert all(c.font.bold for c in ws[1]) and not any(c.font.bold for c in ws[2])
    assert ws.auto_filter.ref == "A1:B4"
    assert book["leer"].auto_filter.ref == "A1:A1" and book["leer"]["A1"].value == "x"


def test_a_sheet_without_columns_still_has_a_valid_filter():
    assert workbook([("t", [], [])])["t"].auto_filter.ref == "A1:A1"


def test_a_sheet_name_is_cut_to_the_31_characters_excel_allows():
    name = "Handlungsfelder und Schwerpunkte der Region"
    assert workbook([(name, ["a"], [["x"]])]).sheetnames == [name[:31]]


def test_rows_beyond_the_width_sample_are_all_written():
    count = spreadsheet.WIDTH_SAMPLE + 5
    ws = workbook([("t", ["n"], ([i] for i in range(count)))])["t"]
    assert [c.value for (c,) in ws.iter_rows(min_row=2)] == list(range(count))
    assert ws.auto_filter.ref == f"A1:A{count + 1}"


def test_column_widths_follow_the_longest_line_between_8_and_60():
    long_line = "x" * 100
    rows = [["kurz", "eine Zeile\n" + "y" * 30, long_line, 12345678901234567890, ""]]
    ws = workbook([("t", ["a", "b", "überschrift", "zahl", "e"], rows)])["t"]
    widths = [ws.column_dimensions[letter].width for letter in "ABCDE"]
    assert widths == [8, 32, 60, 8, 8]  # the header and text decide; numbers and empty cells keep the minimum
    header_only = workbook([("t", ["eine längere Überschrift"], [["x"]])])["t"]
    assert header_only.column_dimensions["A"].width == len("eine längere Überschrift") + 2


def test_width_ignores_cells_beyond_the_header():
    ws = workbook([("t", ["a"], [["x", "y" * 40]])])["t"]
    assert [c.value for c in ws[2]] == ["x", "y" * 40]
    assert ws.column_dimensions["A"].width == 8


def test_xlsx_cells_keep_text_numbers_and_line_breaks():
    ws = workbook([("t", ["a", "b", "c", "d", "e"],
                    [["zwei\r\nZeilen", "alt\rMac", -5, 2.5, ""], ["=1+1", "schlicht", None, "", "@x\ny"]])])["t"]
    first, second = ws[2], ws[3]
    assert [c.value for c in first] == ["zwei\nZeilen", "alt\nMac", -5, 2.5, None]
    assert first[0].alignment.wrap_text and first[0].alignment.vertical == "top" and first[1].alignment.wrap_text
    assert (first[2].data_type, first[3].data_type) == ("n", "n")
    assert [c.value for c in second] == ["=1+1", "schlicht", None, None, "@x\ny"]
    assert second[0].data_type == "s" and second[0].quotePrefix and not second[0].alignment.wrap_text
    assert second[4].data_type == "s" and second[4].quotePrefix and second[4].alignment.wrap_text
    assert not second[1].quotePrefix and not first[0].quotePrefix
