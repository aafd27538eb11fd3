"""What the spreadsheet exports cost in a build: per table of the dumps, the XLSX (kg.spreadsheet, openpyxl
write-only) against the CSV of the same rows, both measured in this run on synthetic data of N× the report.

    .venv/bin/python bench/exports.py [--factor 100]

Prints, per table, rows, the seconds for the query (kg.export.table), the CSV and the XLSX, and the ratio
XLSX/CSV; the total line relates the added XLSX time to the whole build's own timings of the same data.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import export, spreadsheet, synth  # noqa: E402
from kg.build import Project, compile_graph  # noqa: E402
from kg.store import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--factor", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = synth.generate(Path(tmp) / "data", args.factor)
        t = time.perf_counter()
        result = compile_graph(Project(data=data), workers=1)
        compiled = time.perf_counter() - t
        store = Store.from_ntriples(export.sorted_ntriples(result.graph))
        total_csv = total_xlsx = total_query = 0.0
        print(f"factor {args.factor}: {len(result.graph)} triples, load+map+validate {compiled:.1f} s")
        print(f"{'table':16} {'rows':>8} {'query s':>8} {'csv s':>7} {'xlsx s':>7} {'xlsx/csv':>9}")
        for name in export.CSV_VIEWS:
            t = time.perf_counter()
            columns, rows = export.table(store, name)
            query = time.perf_counter() - t
            t = time.perf_counter()
            spreadsheet.csv_text(columns, rows)
            csv_s = time.perf_counter() - t
            t = time.perf_counter()
            spreadsheet.xlsx_bytes([(name, columns, rows)])
            xlsx_s = time.perf_counter() - t
            total_query, total_csv, total_xlsx = total_query + query, total_csv + csv_s, total_xlsx + xlsx_s
            print(f"{name:16} {len(rows):8d} {query:8.2f} {csv_s:7.2f} {xlsx_s:7.2f} {xlsx_s / max(csv_s, 1e-9):9.1f}")
        print(f"{'total':16} {'':8} {total_query:8.2f} {total_csv:7.2f} {total_xlsx:7.2f} {total_xlsx / max(total_csv, 1e-9):9.1f}"
              f"   (XLSX adds {total_xlsx / compiled:.0%} of load+map+validate)")


if __name__ == "__main__":
    main()
