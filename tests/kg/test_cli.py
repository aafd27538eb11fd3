"""The `kg` command as `make serve`, CI and a clerk call it: every subcommand's exit status and output, on success
and on failure. The real executable in a subprocess, so the status is the one the shell sees."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
import requests
from rdflib import Graph

from kg import cli, diff, export, synth
from kg.build import ROOT
from kg.cli import make_parser
from tests.support.htmltree import parse_html
from tests.support.servers import free_port

KG = Path(sys.executable).parent / "kg"


def kg(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(KG), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def break_measure_5(project) -> None:
    """Measure 5 takes the number of measure 4: a data error the reader reports with file, row and rule."""
    path = project.data / "massnahmen.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n5,partizipation-und-teilhabe,", "\n4,partizipation-und-teilhabe,", 1), encoding="utf-8")


# ------------------------------------------------------------------ build


def test_build_exits_0_and_publishes_the_build_it_reports(project_copy, tmp_path):
    out = tmp_path / "site" / "build"
    done = kg("build", "--data", str(project_copy.data), "--out", str(out), "--jobs", "1")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert f"Build ok: {manifest['triples']} Tripel → {out} ({manifest['build_id']})" in done.stdout
    assert len(Graph().parse(out / "graph.nt", format="nt")) == manifest["triples"]
    assert "published-uris.txt" not in done.stdout, "a build of other data never adds to the published list"


def test_build_with_a_bad_row_exits_1_names_it_and_keeps_the_previous_build(project_copy, tmp_path):
    out = tmp_path / "site" / "build"
    assert kg("build", "--data", str(project_copy.data), "--out", str(out), "--jobs", "1").returncode == 0
    before = out.resolve(), (out / "manifest.json").read_bytes()
    break_measure_5(project_copy)
    done = kg("build", "--data", str(project_copy.data), "--out", str(out), "--jobs", "1")
    assert done.returncode == 1, done.stdout
    lines = done.stderr.splitlines()
    assert lines[0] == "Build abgebrochen / build failed: 4 Problem(e):"
    assert lines[1].startswith("  data/massnahmen.csv, Maßnahme 4 (Tabellenzeile 6, Spalte „nr“): [D05")
    # what named measure 5 – its evidence, the edition listing it, the field of action that features it – no longer
    # finds it, all in the same run
    assert lines[2].startswith("  data/belege.csv, Beleg zu Maßnahme 5") and "keine Maßnahme mit dieser Nummer" in lines[2]
    assert lines[3].startswith("  data/ausgaben.csv, Ausgabe 2020 (Tabellenzeile 2, Spalte „massnahmen“): [D06")
    assert "Maßnahme 5 steht nicht in data/massnahmen.csv" in lines[3]
    assert lines[4].startswith("  data/handlungsfelder.yaml, Zeile 2") and "Nr. 5, die es nicht gibt" in lines[4]
    assert lines[-1].startswith("Der zuletzt veröffentlichte Stand in build/ bleibt unverändert.")
    assert "Build ok" not in done.stdout
    assert (out.resolve(), (out / "manifest.json").read_bytes()) == before


def test_build_with_a_shacl_violation_exits_1_naming_the_rule_and_row(project_copy, tmp_path, monkeypatch, capsys):
    # --data points at other tables only; shapes come from the project, so the command is run in this process.
    with open(project_copy.shapes / "ik-shapes.ttl", "a", encoding="utf-8") as fh:
        fh.write('\n[] a sh:NodeShape ; sh:targetClass ik:Massnahme ;\n'
                 '    sh:property [ sh:name "IK-T01 Testregel" ; sh:path dcterms:identifier ; sh:not [ sh:hasValue "5" ] ] .\n')
    monkeypatch.setattr(cli, "_project", lambda args: project_copy)
    out = tmp_path / "site" / "build"
    assert cli.main(["build", "--data", str(project_copy.data), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "IK-T01 Testregel" in err and "data/massnahmen.csv, Maßnahme 5 (Tabellenzeile 6)" in err
    assert not out.exists()
    assert cli.main(["validate", "--data", str(project_copy.data)]) == 1
    assert "IK-T01 Testregel" in capsys.readouterr().err


def test_build_lists_every_warning_and_hint_up_to_25_then_says_how_many_more_are_in_quality_json(
        project_copy, tmp_path, monkeypatch, capsys):
    # 23 more warnings besides the real data's 2 warnings and 1 hint: 26 findings, one too many to list
    measures = ", ".join(f"<https://integration.region-hannover.example/id/massnahme/{n}>" for n in range(1, 24))
    with open(project_copy.shapes / "ik-shapes.ttl", "a", encoding="utf-8") as fh:
        fh.write(f'\n[] a sh:NodeShape ; sh:targetNode {measures} ;\n'
                 '    sh:property [ sh:name "IK-T02 Testhinweis" ; sh:path dcterms:identifier ; sh:maxCount 0 ; '
                 'sh:severity sh:Warning ] .\n')
    monkeypatch.setattr(cli, "_project", lambda args: project_copy)
    out = tmp_path / "site" / "build"
    assert cli.main(["build", "--data", str(project_copy.data), "--out", str(out), "--jobs", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    quality = json.loads((out / "quality.json").read_text())
    assert quality["findings_by_severity"] == {"Warning": 25, "Info": 1}
    listed = [line for line in lines if line.startswith("  ") and not line.startswith("  …")]
    assert [re.search(r"\] (\S+)", line)[1] for line in listed] == [f["focus"] for f in quality["findings"][:25]]
    assert all(line.startswith(f"  {f['source']}: ") for line, f in zip(listed, quality["findings"], strict=False))
    assert lines[len(listed)] == f"  … 1 weitere / more – alle in / all in {out / 'quality.json'}"
    assert lines[len(listed) + 1].startswith(f"Build ok: {quality_triples(out)} Tripel") and "; 26 Warnungen/Hinweise;" in lines[-1]


def quality_triples(out: Path) -> int:
    return json.loads((out / "manifest.json").read_text())["triples"]


@pytest.mark.parametrize("count", [0, 1, 25])
def test_up_to_25_findings_are_all_listed_with_no_line_about_more(count, capsys):
    findings = [f"finding {i}" for i in range(count)]
    cli._print_findings(findings, Path("build/quality.json"))
    assert capsys.readouterr().out.splitlines() == [f"  finding {i}" for i in range(count)]


# ------------------------------------------------------------------ validate


def test_validate_exits_0_and_writes_nothing(project_copy):
    before = sorted(p.name for p in project_copy.data.parent.iterdir())
    done = kg("validate", "--data", str(project_copy.data), "--jobs", "1")
    assert done.returncode == 0, done.stderr
    triples = int(done.stdout.splitlines()[-1].split("Gültig / valid: ")[1].split(" Tripel")[0])
    assert triples > 4000
    assert "IK-W01 OE fehlt" in done.stdout, "warnings are listed"
    assert sorted(p.name for p in project_copy.data.parent.iterdir()) == before


def test_validate_with_a_bad_row_exits_1_naming_it(project_copy):
    break_measure_5(project_copy)
    done = kg("validate", "--data", str(project_copy.data), "--jobs", "1")
    assert done.returncode == 1
    assert "Maßnahme 4 (Tabellenzeile 6" in done.stderr and "Gültig" not in done.stdout


# ------------------------------------------------------------------ stats


def test_stats_reports_the_counts_of_the_build_the_server_reads(built):
    manifest = json.loads((built / "manifest.json").read_text())
    quality = json.loads((built / "quality.json").read_text())
    done = kg("stats", "--json", env={"KG_BUILD_DIR": str(built)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"triples": manifest["triples"], "counts": manifest["counts"],
                                       "findings": quality["findings_by_severity"]}
    assert manifest["counts"]["ik:Massnahme"] == 129

    done = kg("stats", env={"KG_BUILD_DIR": str(built)})
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0] == f"Build {manifest['build_id']} ({manifest['created']}), Basis {manifest['base_uri']}"
    assert lines[1] == f"{manifest['triples']} Tripel"
    assert {line.split()[1]: int(line.split()[0]) for line in lines[2:-1]} == manifest["counts"]


@pytest.mark.parametrize("command", [("stats",), ("stats", "--json"), ("export", "--format", "ttl"),
                                     ("export", "--format", "csv", "--table", "ziele")])
def test_reading_commands_without_a_build_exit_1_saying_to_build_first(command, tmp_path):
    done = kg(*command, env={"KG_BUILD_DIR": str(tmp_path / "none")})
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().endswith("fehlt: zuerst `kg build` ausführen / run `kg build` first")


# ------------------------------------------------------------------ export


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "rdf"])
def test_export_writes_the_builds_graph_in_each_rdf_format(built, fmt):
    done = subprocess.run([str(KG), "export", "--format", fmt], cwd=ROOT, capture_output=True, timeout=120,
                          env={**os.environ, "KG_BUILD_DIR": str(built)})
    assert done.returncode == 0, done.stderr
    assert done.stdout == (built / export.RDF_FORMATS[fmt][1]).read_bytes()
    parsed = Graph().parse(data=done.stdout, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}[fmt])
    assert len(parsed) == json.loads((built / "manifest.json").read_text())["triples"]


def test_export_of_a_table_to_a_file(built, tmp_path):
    target = tmp_path / "ziele.csv"
    done = kg("export", "--format", "csv", "--table", "ziele", "-o", str(target), env={"KG_BUILD_DIR": str(built)})
    assert done.returncode == 0 and done.stdout == ""
    assert target.read_bytes() == (built / "csv" / "ziele.csv").read_bytes()
    assert len(list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))) == 36
    done = kg("export", "--format", "xlsx", "-o", str(tmp_path / "m.xlsx"), env={"KG_BUILD_DIR": str(built)})
    assert done.returncode == 0
    assert (tmp_path / "m.xlsx").read_bytes() == (built / "xlsx" / "massnahmen.xlsx").read_bytes()


def test_export_of_an_unknown_table_exits_1_listing_the_tables(built):
    done = kg("export", "--format", "csv", "--table", "massnahme", env={"KG_BUILD_DIR": str(built)})
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip() == f"unbekannte Tabelle massnahme; verfügbar: {', '.join(export.CSV_VIEWS)}"


# ------------------------------------------------------------------ arguments


@pytest.mark.parametrize("args, complaint", [
    ((), "the following arguments are required: command"),
    (("publish",), "invalid choice: 'publish'"),
    (("export",), "the following arguments are required: --format"),
    (("export", "--format", "pdf"), "argument --format: invalid choice: 'pdf'"),
    (("serve", "--port", "achtzig"), "argument --port: invalid int value: 'achtzig'"),
    (("synth", "--out", "/tmp/x"), "the following arguments are required: --factor"),
    (("build", "--jobs", "zwei"), "argument --jobs: invalid int value: 'zwei'"),
])
def test_wrong_arguments_exit_2_with_usage(args, complaint):
    done = kg(*args)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("usage: kg") and complaint in done.stderr


# ------------------------------------------------------------------ paths that are not there


def test_export_into_a_directory_that_is_not_there_exits_1_with_one_line(built, tmp_path):
    """Like the shell's `> file`; a build's --out (kg build, kg release, kg serve --watch) makes its directory."""
    target = tmp_path / "nicht-da" / "graph.ttl"
    done = kg("export", "--format", "ttl", "--output", str(target), env={"KG_BUILD_DIR": str(built)})
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"--output {target}: das Verzeichnis {target.parent} gibt es nicht – erst anlegen "
                           f"(mkdir -p {target.parent}) oder einen anderen Pfad angeben / directory not found: "
                           "create it or choose another path\n")
    assert not target.parent.exists()


@pytest.mark.parametrize("command", [("build", "--jobs", "1"), ("validate", "--jobs", "1"), ("diff", "--jobs", "1"),
                                     ("release", "r1", "--jobs", "1"), ("workbook",), ("serve", "--watch")],
                         ids=["build", "validate", "diff", "release", "workbook", "serve --watch"])
def test_a_data_directory_that_is_not_there_exits_1_with_one_line(command, tmp_path):
    data = tmp_path / "nicht-da" / "data"
    port = ("--port", str(free_port())) if command[0] == "serve" else ()
    releases_dir = ("--releases", str(tmp_path / "releases")) if command[0] == "release" else ()
    done = kg(*command, "--data", str(data), *port, *releases_dir, env={"KG_BUILD_DIR": str(tmp_path / "build")},
              timeout=120)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"Datenverzeichnis {data} gibt es nicht: Pfad bei --data prüfen (ohne --data: data/) "
                           "/ data directory not found: check --data\n")
    assert list(tmp_path.iterdir()) == [], "nothing written"


def test_serve_defaults_to_127_0_0_1_port_8080():
    args = make_parser().parse_args(["serve"])
    assert (args.host, args.port, args.watch) == ("127.0.0.1", 8080, False)
    args = make_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.host, args.port) == ("0.0.0.0", 9000)


# ------------------------------------------------------------------ serve


@pytest.mark.live
def test_serve_answers_on_the_given_host_and_port(built):
    port = free_port()
    proc = subprocess.Popen([str(KG), "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                            env={**os.environ, "KG_BUILD_DIR": str(built)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline, page = time.monotonic() + 60, None
        while page is None and proc.poll() is None and time.monotonic() < deadline:
            try:
                page = requests.get(f"http://127.0.0.1:{port}/", timeout=30)
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or a first page on a loaded machine
                time.sleep(0.2)
        assert page is not None, proc.stderr.read().decode(errors="replace")[-2000:] if proc.poll() is not None else "no answer"
        assert page.status_code == 200
        assert parse_html(page.content).find("html").get("lang") == "de"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.live
def test_serve_watch_on_data_with_an_error_says_so_and_serves_once_it_is_fixed(project_copy, tmp_path):
    good = (project_copy.data / "massnahmen.csv").read_bytes()
    break_measure_5(project_copy)
    port, log, out = free_port(), tmp_path / "serve.log", tmp_path / "site" / "build"  # site/: not there yet
    with open(log, "w") as sink:
        proc = subprocess.Popen([str(KG), "serve", "--watch", "--data", str(project_copy.data), "--port", str(port)],
                                cwd=ROOT, env={**os.environ, "KG_BUILD_DIR": str(out)},
                                stdout=sink, stderr=subprocess.STDOUT)
    try:
        def until(done, seconds: float = 180):  # a loaded machine may take long; no bound on how long is asserted
            deadline = time.monotonic() + seconds
            while not done() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            return done()

        waiting = "Noch kein fehlerfreier Stand zum Zeigen: Meldungen beheben und speichern, dann startet die Vorschau."
        assert until(lambda: waiting in log.read_text()), log.read_text()[-2000:]
        assert "Maßnahme 4 (Tabellenzeile 6" in log.read_text() and proc.poll() is None
        assert "Traceback" not in log.read_text()
        assert json.loads((out.parent / "build.preview.json").read_text())["ok"] is False, "the findings for the pages"

        def page():
            try:
                return requests.get(f"http://127.0.0.1:{port}/doc/massnahme/5", timeout=10).status_code
            except requests.RequestException:
                return None

        assert page() is None, "nothing is served before a good build"
        (project_copy.data / "massnahmen.csv").write_bytes(good)
        assert until(lambda: page() == 200), log.read_text()[-2000:]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_without_a_build_exits_1_saying_to_build_first(tmp_path):
    done = kg("serve", "--port", str(free_port()), env={"KG_BUILD_DIR": str(tmp_path / "none")}, timeout=120)
    assert done.returncode == 1
    assert "zuerst `kg build` ausführen" in done.stderr and "run `kg build`" in done.stderr
    assert done.stderr.strip().count("\n") == 0, "one line, no traceback"


# ------------------------------------------------------------------ synth, workbook


@pytest.mark.parametrize("factor, measures", [(2, 258), (1, 129)])  # 1: the real size is accepted too
def test_synth_exits_0_with_the_counts_it_wrote(factor, measures, tmp_path):
    done = kg("synth", "--factor", str(factor), "--out", str(tmp_path / "synth"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.split(": ", 1)[1]) == synth.expected_counts(factor)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "synth" / "massnahmen.csv").read_text(encoding="utf-8"))))
    assert len(rows) == measures


def test_synth_refuses_a_factor_below_1(tmp_path):
    done = kg("synth", "--factor", "0", "--out", str(tmp_path / "zero"))
    assert done.returncode == 1
    assert done.stderr.strip() == "--factor muss mindestens 1 sein / must be at least 1"
    assert not (tmp_path / "zero").exists()


def test_workbook_refuses_to_overwrite_unimported_changes_until_forced(project_copy):
    book = project_copy.data / "arbeitsmappe.xlsx"
    assert kg("workbook", "--data", str(project_copy.data)).returncode == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["massnahmen"]
    titel = [c.value for c in ws[1]].index("titel") + 1
    ws.cell(row=2, column=titel, value="Von der Sachbearbeitung geändert")
    wb.save(book)
    edited = book.read_bytes()
    done = kg("workbook", "--data", str(project_copy.data))
    assert done.returncode == 1
    assert "„massnahmen“" in done.stderr and "kg workbook --import" in done.stderr and "kg workbook --force" in done.stderr
    assert book.read_bytes() == edited, "the clerk's edit is kept"
    done = kg("workbook", "--data", str(project_copy.data), "--force")
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(book)["massnahmen"].cell(row=2, column=titel).value != "Von der Sachbearbeitung geändert"


def test_release_publishes_and_prints_what_it_changed_against_the_release_before(project_copy, tmp_path):
    releases_dir, out = tmp_path / "releases", tmp_path / "site" / "build"  # site/ made by the release, as by kg build
    common = ("--data", str(project_copy.data), "--releases", str(releases_dir), "--out", str(out), "--jobs", "1")
    first = kg("release", "r1", "--date", "2025-01-01", *common)
    assert first.returncode == 0, first.stderr
    path = project_copy.data / "massnahmen.csv"
    text = path.read_text(encoding="utf-8")
    old_title = next(csv.DictReader(io.StringIO(text)))["titel"]
    path.write_text(text.replace(old_title, old_title.rsplit(" ", 1)[0], 1), encoding="utf-8")  # the report's words
    second = kg("release", "r2", "--date", "2025-02-01", *common)
    assert second.returncode == 0, second.stderr
    kept = diff.read(releases_dir / "r2" / diff.CHANGES)
    assert [(m.kind, m.nr) for m in kept.measures] == [("geändert", 1)]
    printed, summary = second.stdout[:-len(second.stdout.splitlines()[-1]) - 1], second.stdout.splitlines()[-1]
    assert printed == diff.text(kept, "Release r1", "Release r2")
    assert summary.startswith(f"Release r2 vom 2025-02-01 veröffentlicht: {releases_dir / 'r2'} – {out} zeigt jetzt darauf")
    assert out.resolve() == (releases_dir / "r2").resolve()


def test_workbook_writes_and_imports_and_refuses_a_missing_workbook(project_copy):
    book = project_copy.data / "arbeitsmappe.xlsx"
    done = kg("workbook", "--data", str(project_copy.data))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Arbeitsmappe geschrieben: {book}") and book.exists()
    done = kg("workbook", "--data", str(project_copy.data), "--import")
    assert done.returncode == 0
    assert done.stdout.strip() == f"Übernommen aus {book}: keine Änderungen"
    book.unlink()
    done = kg("workbook", "--data", str(project_copy.data), "--import")
    assert done.returncode == 1
    assert done.stderr.strip() == f"Arbeitsmappe {book} fehlt: erst `kg workbook` ausführen / run `kg workbook` first"
