"""The ``kg`` command: build, release, diff, validate, stats, export, serve, synth."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from pathlib import Path

from kg import export, published
from kg.build import KEEP_BUILDS, ROOT, Project, build, compile_graph
from kg.errors import BuildError
from kg.namespaces import base_uri
from kg.registry import RegistryError
from kg.verify import candidates, verify

BUILD_DIR = ROOT / "build"
JOBS_HELP = ("Prozesse für die SHACL-Prüfung großer Graphen (Standard: Zahl der CPUs, höchstens 8; 1 = ohne Nebenprozesse) "
             "/ validation processes for large graphs")


def _fail(exc: BuildError) -> int:
    print(f"Build abgebrochen / build failed: {len(exc.problems)} Problem(e):", file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem}", file=sys.stderr)
    print("Der zuletzt veröffentlichte Stand in build/ bleibt unverändert. / The previous build/ is untouched.",
          file=sys.stderr)
    return 1


WORKBOOK_HELP = ("Tabellen aus dieser Arbeitsmappe lesen (Standard: data/arbeitsmappe.xlsx, wenn vorhanden; "
                 "„-“ = die CSV-Dateien) / read the tables from this workbook")
SHOWN_FINDINGS = 25  # more would bury the summary line; all of them are in quality.json


def _print_findings(findings: list, report: Path | None) -> None:
    for finding in findings[:SHOWN_FINDINGS]:
        print(f"  {finding}")
    if len(findings) > SHOWN_FINDINGS:
        where = f" – alle in / all in {report}" if report else ""
        print(f"  … {len(findings) - SHOWN_FINDINGS} weitere / more{where}")


def _data_dir(args) -> Path | None:
    """``--data`` when given; one line instead of a D01 finding per missing file when the directory is not there."""
    if not args.data:
        return None
    if not Path(args.data).is_dir():
        raise SystemExit(f"Datenverzeichnis {args.data} gibt es nicht: Pfad bei --data prüfen (ohne --data: data/) "
                         "/ data directory not found: check --data")
    return Path(args.data)


def _writable_place(path: Path, option: str) -> Path:
    """A file the command writes (``kg export --output``): as with the shell's ``> file`` its directory must exist –
    one line naming the option instead of a traceback. (A build's ``--out`` is a place of its own: kg build, kg release
    and kg serve --watch make its directory.)"""
    parent = Path(path).absolute().parent
    if not parent.is_dir():
        raise SystemExit(f"{option} {path}: das Verzeichnis {parent} gibt es nicht – erst anlegen (mkdir -p {parent}) "
                         "oder einen anderen Pfad angeben / directory not found: create it or choose another path")
    return Path(path)


def _project(args) -> Project:
    """The data directory, and the workbook when one is given (``--workbook``) or lies in it (data/arbeitsmappe.xlsx)."""
    from kg import workbook

    data = _data_dir(args)
    project = Project(data=data) if data else Project()
    chosen = getattr(args, "workbook", None)
    if chosen == "-":  # --workbook -: the CSV files even when a workbook lies in data/
        return project
    path = Path(chosen) if chosen else workbook.default_path(project.data)
    if chosen and not path.exists():
        raise SystemExit(f"Arbeitsmappe {path} fehlt / workbook not found")
    if path.exists():
        print(f"Tabellen aus der Arbeitsmappe {path} (YAML aus {project.data}); "
              "übernehmen mit: kg workbook --import / tables read from the workbook", file=sys.stderr)
        project.workbook = path
    return project


def _served_dir() -> Path:
    """The build directory the server reads (``KG_BUILD_DIR``, default build/)."""
    return Path(os.environ.get("KG_BUILD_DIR") or BUILD_DIR)


def _releases_dir(args) -> Path:
    from kg import releases

    return Path(args.releases) if args.releases else releases.releases_dir()


def _disk_full(exc: OSError, out: Path) -> int:
    """A full disk in one line: the half-written directory is gone and the served build unchanged."""
    if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
        raise exc
    print(f"Abgebrochen: kein Speicherplatz mehr ({exc.filename or out.parent}); nichts veröffentlicht, "
          f"Teilverzeichnis entfernt, {out} unverändert. / Stopped: no space left on the device; "
          "nothing published, the served build unchanged.", file=sys.stderr)
    return 1


def _record_published(args, graph) -> None:
    """Only the real data is published; synthetic or test data (``--data``) must not enter published-uris.txt."""
    if args.data:
        return
    added = published.update(graph, published.DEFAULT_PATH, base_uri())
    if added:
        print(f"published-uris.txt: {len(added)} neue URIs / new URIs (commit the file)")


def cmd_build(args) -> int:
    try:
        result = build(out=Path(args.out), project=_project(args), base=base_uri(), workers=args.jobs, keep=args.keep)
    except BuildError as exc:
        return _fail(exc)
    except OSError as exc:
        return _disk_full(exc, Path(args.out))
    _record_published(args, result.graph)
    warnings = [f for f in result.findings if f.severity != "Violation"]
    _print_findings(warnings, Path(args.out) / "quality.json")
    print(f"Build ok: {len(result.graph)} Tripel → {args.out} ({result.path.name}); "
          f"{len(warnings)} Warnungen/Hinweise; Zeiten {json.dumps({k: round(v, 2) for k, v in result.timings.items()})}")
    return 0


def cmd_release(args) -> int:
    from datetime import date

    from kg import diff, releases

    try:
        issued = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise SystemExit(f"--date „{args.date}“ ist kein Datum: JJJJ-MM-TT, z. B. 2025-03-01 / not a date") from None
    try:
        made, result = releases.make(args.name, out=Path(args.out), project=_project(args), base=base_uri(), issued=issued,
                                     directory=_releases_dir(args), workers=args.jobs, keep=args.keep)
    except releases.ReleaseError as exc:
        print(f"Kein Release / no release: {exc}", file=sys.stderr)
        return 1
    except BuildError as exc:
        return _fail(exc)
    except OSError as exc:
        return _disk_full(exc, Path(args.out))
    _record_published(args, result.graph)
    changes = diff.read(made.path / diff.CHANGES)
    if changes is not None:
        print(diff.text(changes, f"Release {made.previous}" if made.previous else "nichts (erstes Release)", f"Release {made.name}"),
              end="")
    print(f"Release {made.name} vom {made.issued} veröffentlicht: {made.path} – {args.out} zeigt jetzt darauf; "
          f"{len(result.graph)} Tripel / release published")
    return 0


def cmd_releases(args) -> int:
    from kg import releases

    directory = _releases_dir(args)
    current = releases.served(_served_dir(), directory)  # the one the server reads
    found = releases.listed(directory)
    if not found:
        print(f"Noch kein Release in {directory} / no release yet (kg release NAME)")
    for r in reversed(found):
        mark = "  ← aktuell / current" if current and r.path == current.path else ""
        print(f"{r.name:12s} {r.issued}  (vorher / previous: {r.previous or '–'}){mark}")
    return 0


def cmd_diff(args) -> int:
    from kg import diff, releases

    directory = _releases_dir(args)

    def release(name: str):
        found = releases.find(name, directory)
        if found is None:
            known = ", ".join(r.name for r in releases.listed(directory)) or "keins"
            raise SystemExit(f"Release „{name}“ gibt es nicht in {directory} (vorhanden: {known}) / no such release")
        return found

    if args.old:
        old = release(args.old)
    else:
        found = releases.listed(directory)
        old = found[-1] if found else None
    if args.new:
        new = release(args.new)
        graph, new_name, registry = diff.load_graph(new.path / "graph.nt"), f"Release {new.name}", new.path / releases.REGISTRY
    else:
        try:
            project = _project(args)
            graph = compile_graph(project, base_uri(), workers=args.jobs).graph
        except BuildError as exc:
            return _fail(exc)
        new_name, registry = f"den aktuellen Daten ({project.workbook or project.data})", project.data / releases.REGISTRY
    old_graph = diff.load_graph(old.path / "graph.nt") if old else None
    try:
        changes = diff.compare(old_graph, graph, base_uri(), registry=registry)
    except RegistryError as exc:
        print(f"Keine Änderungsliste / no change list: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(changes.to_json(), ensure_ascii=False, indent=1))
    else:
        print(diff.text(changes, f"Release {old.name}" if old else "nichts (noch kein Release)", new_name), end="")
    return 0


def cmd_verify(args) -> int:
    """The server's check of a build, by hand: manifest against files; which build the server would serve."""
    link = Path(args.out)
    target = link.resolve()
    verdict = verify(target)
    if verdict.intact:
        manifest = verdict.manifest
        store = manifest.get("store")
        database = f" und {len(store['files'])} Dateien der Datenbank {store['dir']}/" if store else ""
        print(f"Build intakt / intact: {target.name}, {manifest['triples']} Tripel, {len(manifest['files'])} Dateien"
              f"{database} (Größe und SHA-256 wie im Manifest / sizes and SHA-256 as in the manifest)")
        return 0
    print(f"Build {target.name} ist beschädigt / is damaged:", file=sys.stderr)
    for problem in verdict.problems:
        print(f"  {problem}", file=sys.stderr)
    fallback = next((p for p in candidates(link) if p.resolve() != target and verify(p).intact), None)
    if fallback:
        print(f"Der Server bedient stattdessen / the server serves instead: {fallback.name}. "
              "Neu bauen mit / rebuild with: kg build", file=sys.stderr)
    else:
        print("Kein intakter Build in .builds/: neu bauen mit kg build / no intact build: run kg build", file=sys.stderr)
    return 1


def cmd_validate(args) -> int:
    try:
        result = compile_graph(_project(args), base_uri(), workers=args.jobs)
    except BuildError as exc:
        return _fail(exc)
    _print_findings(result.findings, None)
    print(f"Gültig / valid: {len(result.graph)} Tripel, keine Verletzung der Shapes.")
    return 0


def _built(name: str) -> Path:
    """A file of the current build: the one the server reads (``KG_BUILD_DIR``, default build/)."""
    path = _served_dir() / name
    if not path.exists():
        raise SystemExit(f"{path} fehlt: zuerst `kg build` ausführen / run `kg build` first")
    return path


def cmd_stats(args) -> int:
    manifest = json.loads(_built("manifest.json").read_text())
    quality = json.loads(_built("quality.json").read_text())
    if args.json:
        print(json.dumps({"triples": manifest["triples"], "counts": manifest["counts"],
                          "findings": quality["findings_by_severity"]}, indent=1))
        return 0
    print(f"Build {manifest['build_id']} ({manifest['created']}), Basis {manifest['base_uri']}")
    print(f"{manifest['triples']} Tripel")
    for cls, n in manifest["counts"].items():
        print(f"  {n:6d}  {cls}")
    print(f"Befunde: {quality['findings_by_severity']}")
    return 0


def cmd_export(args) -> int:
    if args.format in ("csv", "xlsx"):
        table = args.table or "massnahmen"
        if table not in export.CSV_VIEWS:
            raise SystemExit(f"unbekannte Tabelle {table}; verfügbar: {', '.join(export.CSV_VIEWS)}")
        data = _built(f"{args.format}/{table}.{args.format}").read_bytes()
    else:
        data = _built(export.RDF_FORMATS[args.format][1]).read_bytes()
    if args.output:
        _writable_place(Path(args.output), "--output")
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_workbook(args) -> int:
    from kg import workbook

    data = _data_dir(args) or Project().data
    path = Path(args.workbook) if args.workbook else workbook.default_path(data)
    if args.import_:
        if not path.exists():
            raise SystemExit(f"Arbeitsmappe {path} fehlt: erst `kg workbook` ausführen / run `kg workbook` first")
        changed = workbook.import_to(path, data)
        print(f"Übernommen aus {path}: {', '.join(changed) if changed else 'keine Änderungen'}")
        if changed:
            print("Jetzt prüfen (kg validate) und mit git einchecken (git diff zeigt die geänderten Zeilen).")
        return 0
    if path.exists() and not args.force:
        pending = workbook.differences(path, data)
        if pending:
            names = ", ".join(f"„{t.name}“" for t in pending)
            print(f"{path} enthält Änderungen, die nicht in data/ stehen (Blätter {names}); nichts überschrieben. "
                  "Erst übernehmen: kg workbook --import – oder verwerfen: kg workbook --force", file=sys.stderr)
            return 1
    out = workbook.export(data, path)
    print(f"Arbeitsmappe geschrieben: {out} – bearbeiten, speichern, dann kg validate und kg workbook --import")
    return 0


def cmd_serve(args) -> int:
    """The production server (gunicorn supervising waitress processes), or with --dev/--watch Flask's development
    server (reloader; the clerk's preview)."""
    if not (args.dev or args.watch):
        return _serve_production(args)
    from server.app import create_app

    watcher = None
    if args.watch:
        from kg.watch import Watcher, snapshot, status_path

        out = _served_dir()
        os.environ["KG_BUILD_DIR"] = str(out)
        os.environ["KG_PREVIEW_STATUS"] = str(status_path(out))  # the pages show the findings of a failed rebuild
        watcher = Watcher(_project(args), out, base_uri())
        print(f"Vorschau: baut bei jedem Speichern in {watcher.project.data} neu / rebuilds on every save", file=sys.stderr)
        watcher.report(watcher.rebuild())  # the first build before serving, so the first page is current
        seen = snapshot(watcher.project)
        while not (out / "manifest.json").exists():  # nothing to serve yet: wait for the first good build
            print("Noch kein fehlerfreier Stand zum Zeigen: Meldungen beheben und speichern, dann startet die Vorschau.",
                  file=sys.stderr)
            seen = watcher.next_change(seen)
            watcher.report(watcher.rebuild())
        watcher.start()
    app = create_app()
    try:
        app.run(host=args.host, port=args.port, threaded=True, use_reloader=args.dev and not args.watch)
    finally:
        if watcher:
            watcher.stop()
    return 0


def _serve_production(args) -> int:
    """Check that there is an intact build to serve (one line if not), then become gunicorn."""
    link = _served_dir()
    if not any(verify(p).intact for p in [link.resolve(), *candidates(link)] if p.exists()):
        print(f"Kein intakter Build in {link} oder {link.parent / '.builds'}: zuerst `kg build` ausführen "
              "(Gründe: `kg verify`) / no intact build to serve: run `kg build`", file=sys.stderr)
        return 1
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "server.app:create_app()", "--config", "python:server.serving.gunicorn_config",
               "--bind", f"{args.host}:{args.port}"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    print(f"Server: http://{args.host}:{args.port}/ (gunicorn + waitress; Entwicklung / development: kg serve --dev)",
          file=sys.stderr)
    os.execv(str(gunicorn), command)  # replaces this process: signals (Ctrl-C, TERM) go to gunicorn directly
    return 0  # not reached


def cmd_synth(args) -> int:
    from kg import synth

    if args.factor < 1:
        raise SystemExit("--factor muss mindestens 1 sein / must be at least 1")
    out = synth.generate(Path(args.out), args.factor, seed=args.seed)
    print(f"Synthetische Daten ×{args.factor} → {out}: {json.dumps(synth.expected_counts(args.factor))}")
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg", description="Wissensgraph Integrationskonzept Region Hannover")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="Daten laden, prüfen und build/ schreiben")
    p.add_argument("--out", default=str(BUILD_DIR))
    p.add_argument("--data", help="anderes Datenverzeichnis (Standard: data/)")
    p.add_argument("--workbook", help=WORKBOOK_HELP)
    p.add_argument("--jobs", type=int, help=JOBS_HELP)
    p.add_argument("--keep", type=int, default=int(os.environ.get("KG_KEEP_BUILDS") or KEEP_BUILDS),
                   help=f"so viele fertige Builds in .builds/ behalten (Standard: KG_KEEP_BUILDS oder {KEEP_BUILDS}) / builds to keep")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("release", help="die Daten als benanntes Release veröffentlichen (releases/NAME, build/ zeigt darauf)")
    p.add_argument("name", help="Name des Release, z. B. 2024 oder 2024-2")
    p.add_argument("--date", help="Datum des Release (JJJJ-MM-TT; Standard: heute) – dct:issued, bleibt fest")
    p.add_argument("--releases", help="Verzeichnis der Releases (Standard: releases/, oder KG_RELEASES_DIR)")
    p.add_argument("--keep", type=int, help="nur die N neuesten Releases behalten (Standard 0: alle; KG_KEEP_RELEASES)")
    p.add_argument("--out", default=str(BUILD_DIR))
    p.add_argument("--data", help="anderes Datenverzeichnis (Standard: data/)")
    p.add_argument("--workbook", help=WORKBOOK_HELP)
    p.add_argument("--jobs", type=int, help=JOBS_HELP)
    p.set_defaults(func=cmd_release)
    p = sub.add_parser("releases", help="die Releases auflisten, neuestes zuerst")
    p.add_argument("--releases", help="Verzeichnis der Releases (Standard: releases/)")
    p.set_defaults(func=cmd_releases)
    p = sub.add_parser("diff", help="was sich geändert hat: letztes Release → aktuelle Daten (oder zwischen zwei Releases)")
    p.add_argument("old", nargs="?", help="Release, von dem aus verglichen wird (Standard: das neueste)")
    p.add_argument("new", nargs="?", help="Release, mit dem verglichen wird (Standard: die aktuellen Daten in data/)")
    p.add_argument("--releases", help="Verzeichnis der Releases (Standard: releases/)")
    p.add_argument("--data", help="anderes Datenverzeichnis (Standard: data/)")
    p.add_argument("--workbook", help=WORKBOOK_HELP)
    p.add_argument("--jobs", type=int, help=JOBS_HELP)
    p.add_argument("--json", action="store_true", help="als JSON ausgeben")
    p.set_defaults(func=cmd_diff)
    p = sub.add_parser("verify", help="den aktuellen Build gegen sein Manifest prüfen (Größen, SHA-256, Tripelzahl)")
    p.add_argument("--out", default=os.environ.get("KG_BUILD_DIR") or str(BUILD_DIR),
                   help="Build-Verzeichnis (Standard: KG_BUILD_DIR oder build) / build directory")
    p.set_defaults(func=cmd_verify)
    p = sub.add_parser("validate", help="nur prüfen, nichts schreiben")
    p.add_argument("--data")
    p.add_argument("--workbook", help=WORKBOOK_HELP)
    p.add_argument("--jobs", type=int, help=JOBS_HELP)
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("workbook", help="Arbeitsmappe (XLSX) aus data/ schreiben oder mit --import zurückschreiben")
    p.add_argument("--data", help="Datenverzeichnis (Standard: data/)")
    p.add_argument("--workbook", help="Pfad der Arbeitsmappe (Standard: data/arbeitsmappe.xlsx)")
    p.add_argument("--import", dest="import_", action="store_true", help="Blätter zurück in die CSV-Dateien schreiben")
    p.add_argument("--force", action="store_true", help="eine Arbeitsmappe mit nicht übernommenen Änderungen überschreiben")
    p.set_defaults(func=cmd_workbook)
    p = sub.add_parser("stats", help="Zahlen zum aktuellen Build")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)
    p = sub.add_parser("export", help="Graph oder Tabelle aus dem aktuellen Build ausgeben")
    p.add_argument("--format", choices=["ttl", "nt", "jsonld", "rdf", "csv", "xlsx"], required=True)
    p.add_argument("--table", help=f"für csv und xlsx: {', '.join(export.CSV_VIEWS)}")
    p.add_argument("--output", "-o")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("serve", help="Server starten (gunicorn mit waitress; --dev: Entwicklungsserver)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--dev", action="store_true", help="Entwicklungsserver von Flask mit Neuladen bei Codeänderungen")
    p.add_argument("--workers", type=int, help="Webprozesse (Standard 2) / web processes")
    p.add_argument("--threads", type=int, help="Threads je Webprozess (Standard 32) / threads per web process")
    p.add_argument("--watch", action="store_true",
                   help="Vorschau: bei jeder gespeicherten Änderung in data/ (oder der Arbeitsmappe) neu bauen")
    p.add_argument("--data", help="mit --watch: anderes Datenverzeichnis (Standard: data/)")
    p.add_argument("--workbook", help=f"mit --watch: {WORKBOOK_HELP}")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("synth", help="synthetische Daten in der Form von data/, N-mal so groß (für Benchmarks)")
    p.add_argument("--factor", type=int, required=True, help="Vielfaches der echten Daten, z. B. 10, 100, 1000")
    p.add_argument("--out", required=True, help="Zielverzeichnis (wird angelegt; Dateien werden überschrieben)")
    p.add_argument("--seed", type=int, default=2020)
    p.set_defaults(func=cmd_synth)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
