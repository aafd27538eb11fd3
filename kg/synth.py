"""Synthetic data of the real shape, scaled by a factor N, for benchmarks and scale tests.

``generate(out, N)`` writes the same files with the same columns as ``data/``. Copy 0 is the real
data unchanged (so factor 1 reproduces the real graph); copies 1 … N-1 are derived from the real rows:

* **Scaled N×** – measures (``129·N``, numbered ``k·129 + n``, i.e. 1 … 129·N), goals (``36·N``),
  organisational units (``34·N``), target groups (``24·N``) and Drucksachen (``49·N``). Copy *k* of a measure
  points to copy *k* of its goal, units, target groups and Drucksachen, so every per-measure ratio (goals per
  measure, units per measure, citations per document, the one goal without a measure) stays as in the report.
* **Kept as in the report** – the 8 fields of action, 5 Dezernate, 8 focus areas and the report itself. The
  fields are a fixed taxonomy tied to sections 3.1–3.8 (shape IK-K01 allows one-digit sections only), and
  keeping them makes "measures per field" aggregate over 16·N measures per group instead of returning 8·N
  tiny groups – the realistic, heavier case for a growing catalogue.
* **Hierarchies grow in width, not depth** – a copied unit or target group becomes a sub-unit / narrower
  concept of its original (``org:subOrganizationOf``, ``skos:broader``), so "measures of FB 51 and its teams"
  or "measures for Geflüchtete and subgroups" grow linearly with N instead of staying at the real size.

Texts are the real ones with a suffix: a measure's title gets "in {Gemeinde}" (one of the 21 municipalities,
drawn from a seeded RNG) and its description ends with the same words, so the loader's title-word check,
its hyphenation check and all citation formats still apply. Drucksachen keep their citation form
(``BDs 2957 (III)``, ``Beschlussdrucksache Nr. II 131/2009`` …) with a fresh Wahlperiode/number or
year/number, so keys stay unique. Same factor and seed → byte-identical files.

Capacity: Drucksache keys allow 10 Wahlperioden × 9999 numbers, enough for factor 1000 (49 000 keys).
"""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from kg import drucksache, sources

REAL_DATA = Path(__file__).resolve().parent.parent / "data"
SEED = 2020
VERBATIM = ("handlungsfelder.yaml", "schwerpunkte.yaml", "bericht.yaml", "dezernate.csv", "oe-arten.csv")
SCALED_CSV = ("massnahmen.csv", "belege.csv", "ziele.csv", "oe.csv", "zielgruppen.csv", "drucksachen.csv", "status.csv",
              "ausgaben.csv")
GEMEINDEN = (
    "Barsinghausen", "Burgdorf", "Burgwedel", "Garbsen", "Gehrden", "Hannover", "Hemmingen", "Isernhagen",
    "Laatzen", "Langenhagen", "Lehrte", "Neustadt am Rübenberge", "Pattensen", "Ronnenberg", "Seelze", "Sehnde",
    "Springe", "Uetze", "Wedemark", "Wennigsen", "Wunstorf",
)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")  # the Wahlperioden kg.drucksache accepts
# The number and Wahlperiode/year inside a citation, whatever surrounds them ("Nr.", "BDs", a remark).
_NEW_CORE = re.compile(r"(?P<num>\d{1,4})(?P<mid>\s*\(\s*)(?P<wp>[IVX]+)(?=\s*\))", re.I)
_OLD_CORE = re.compile(r"(?:(?P<wp>[IVX]+)\s+)?(?P<num>\d{1,4})(?P<mid>\s*/\s*)(?P<year>\d{4})", re.I)

Row = dict[str, str]


# ------------------------------------------------------------------ reading and writing CSV


def read_csv(path: Path) -> tuple[list[str], list[Row]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, columns: list[str], rows: list[Row]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def copy_key(key: str, k: int, marker: str) -> str:
    """Key of copy ``k``; the marker letter keeps copies apart from real keys such as ``50-90``."""
    return key if k == 0 else f"{key}-{marker}{k}"


def copy_list(cell: str, k: int, marker: str) -> str:
    return sources.LIST_SEP.join(copy_key(v, k, marker) for v in sources.split(cell))


# ------------------------------------------------------------------ Drucksachen


class CitationRenumberer:
    """Maps (copy, real Drucksache key) to a fresh key and rewrites citations onto it, keeping their form.

    Fresh keys are handed out in a fixed order (number-major, so Wahlperioden/years vary) and never
    collide with a real key, so each copy cites its own documents and the key space holds factor 1000.
    """

    def __init__(self, real_citations: list[str]) -> None:
        parsed = [drucksache.parse(c) for c in real_citations]
        self._real = {d.key for d in parsed}
        self._fresh_new = self._free(f"{wp}-{n:04d}" for n in range(1, 10000) for wp in ROMAN)
        self._fresh_old = self._free(f"{year}-{n}" for n in range(1, 10000) for year in range(1990, 2101))
        self._assigned: dict[tuple[int, str], str] = {}

    def _free(self, keys: Iterator[str]) -> Iterator[str]:
        return (key for key in keys if key not in self._real)

    def key_for(self, k: int, real: drucksache.Drucksache) -> str:
        if k == 0:
            return real.key
        if (k, real.key) not in self._assigned:
            fresh = self._fresh_old if real.jahr is not None else self._fresh_new
            self._assigned[(k, real.key)] = next(fresh)
        return self._assigned[(k, real.key)]

    def rewrite(self, citation: str, k: int) -> str:
        if k == 0:
            return citation
        real = drucksache.parse(citation)
        key = drucksache.parse_key(self.key_for(k, real))
        if real.jahr is not None:
            text = _OLD_CORE.sub(lambda m: _old_core(m, key), citation, count=1)
        else:
            text = _NEW_CORE.sub(lambda m: f"{key.nummer:0{len(m['num'])}d}{m['mid']}{key.wahlperiode}", citation, count=1)
        if drucksache.parse(text).key != key.key:  # a citation form the patterns above do not cover
            raise ValueError(f"cannot renumber citation {citation!r} (got {text!r})")
        return text

    def rewrite_cell(self, cell: str, k: int) -> str:
        return sources.LIST_SEP.join(self.rewrite(c, k) for c in sources.split(cell))


def _old_core(m: re.Match, key: drucksache.Drucksache) -> str:
    prefix = f"{m['wp']} " if m["wp"] else ""
    return f"{prefix}{key.nummer:0{len(m['num'])}d}{m['mid']}{key.jahr}"


# ------------------------------------------------------------------ one table each


def scale_massnahmen(rows: list[Row], factor: int, renumber: CitationRenumberer, rng: random.Random) -> list[Row]:
    out = []
    for k in range(factor):
        for row in rows:
            out.append(row if k == 0 else _massnahme_copy(row, k, len(rows), renumber, rng.choice(GEMEINDEN)))
    return out


def _massnahme_copy(row: Row, k: int, per_copy: int, renumber: CitationRenumberer, gemeinde: str) -> Row:
    copy = dict(row)
    copy["nr"] = str(k * per_copy + int(row["nr"]))
    copy["ziel"] = copy_key(row["ziel"], k, "v")
    # The title words reappear in the description, which the loader checks (rule D08).
    copy["titel"] = f"{row['titel']} in {gemeinde}"
    copy["beschreibung"] = f"{row['beschreibung']}\nUmsetzung in {gemeinde} (synthetische Variante {k} der Maßnahme {row['nr']})."
    copy["oe"] = copy_list(row["oe"], k, "t")
    copy["zielgruppen"] = copy_list(row["zielgruppen"], k, "t")
    copy["drucksachen"] = renumber.rewrite_cell(row["drucksachen"], k)
    return copy


def scale_belege(rows: list[Row], factor: int, per_copy: int) -> list[Row]:
    """The evidence of copy k belongs to measure k·per_copy + n and names copy k of its target group; its quotation
    still occurs, because a copied description (and goal) keeps the real text."""
    return [row if k == 0 else {**row, "nr": str(k * per_copy + int(row["nr"])),
                                "wert": copy_key(row["wert"], k, "t") if row["angabe"] == "zielgruppen" else row["wert"]}
            for k in range(factor) for row in rows]


def scale_ziele(rows: list[Row], factor: int) -> list[Row]:
    return [row if k == 0 else {**row, "slug": copy_key(row["slug"], k, "v"), "label": f"{row['label']} (Variante {k})"}
            for k in range(factor) for row in rows]


def scale_oe(rows: list[Row], factor: int) -> list[Row]:
    return [row if k == 0 else _oe_copy(row, k) for k in range(factor) for row in rows]


def _oe_copy(row: Row, k: int) -> Row:
    """A team of the real unit: a sub-unit numbered like 51.07 where the real unit has a two-digit number."""
    two_digits = re.fullmatch(r"\d{2}", row["notation"])
    return {
        **row,
        "key": copy_key(row["key"], k, "t"),
        "notation": f"{row['notation']}.{(k - 1) % 99 + 1:02d}" if two_digits else "",
        "name": f"{row['name']}, Team {k}" if row["name"] else "",
        "teil_von": copy_key(row["teil_von"], k, "t") if row["teil_von"] else row["key"],
        "schreibweisen": sources.LIST_SEP.join(f"{alt}, Team {k}" for alt in sources.split(row["schreibweisen"])),
    }


def scale_zielgruppen(rows: list[Row], factor: int) -> list[Row]:
    return [row if k == 0 else _zielgruppe_copy(row, k) for k in range(factor) for row in rows]


def _zielgruppe_copy(row: Row, k: int) -> Row:
    """A narrower subgroup: top groups gain N-1 subgroups, subgroups copy their parent's copy."""
    return {
        **row,
        "slug": copy_key(row["slug"], k, "t"),
        "label": f"{row['label']} – Teilgruppe {k}",
        "label_en": f"{row['label_en']} – subgroup {k}" if row["label_en"] else "",
        "oberbegriff": copy_key(row["oberbegriff"], k, "t") if row["oberbegriff"] else row["slug"],
    }


def scale_drucksachen(rows: list[Row], factor: int, renumber: CitationRenumberer) -> list[Row]:
    return [row if k == 0 else {**row, "zitat": renumber.rewrite(row["zitat"], k), "titel": f"{row['titel']} (Variante {k})"}
            for k in range(factor) for row in rows]


# ------------------------------------------------------------------ the whole directory


def generate(out: Path, factor: int, source: Path = REAL_DATA, seed: int = SEED) -> Path:
    """Write a data directory ``factor`` times the size of ``source`` into ``out`` (created or overwritten)."""
    if factor < 1:
        raise ValueError("factor must be at least 1")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in VERBATIM:
        shutil.copyfile(source / name, out / name)
    if (source / "texte").is_dir():  # the source texts the status quotes are checked against
        shutil.copytree(source / "texte", out / "texte", dirs_exist_ok=True)
    tables = {name: read_csv(source / name) for name in SCALED_CSV}
    massnahmen, drucksachen = tables["massnahmen.csv"][1], tables["drucksachen.csv"][1]
    renumber = CitationRenumberer(
        [c for row in massnahmen for c in sources.split(row["drucksachen"])] + [row["zitat"] for row in drucksachen])
    scaled = {
        "massnahmen.csv": scale_massnahmen(massnahmen, factor, renumber, random.Random(seed)),
        "belege.csv": scale_belege(tables["belege.csv"][1], factor, len(massnahmen)),
        "ziele.csv": scale_ziele(tables["ziele.csv"][1], factor),
        "oe.csv": scale_oe(tables["oe.csv"][1], factor),
        "zielgruppen.csv": scale_zielgruppen(tables["zielgruppen.csv"][1], factor),
        "drucksachen.csv": scale_drucksachen(drucksachen, factor, renumber),
        # Each copy of a measure has its status rows: the same words of the same report.
        "status.csv": [{**row, "massnahme": str(k * len(massnahmen) + int(row["massnahme"]))}
                       for k in range(factor) for row in tables["status.csv"][1]],
        # Each edition lists the copies of its measures too.
        "ausgaben.csv": [{**row, "massnahmen": _shifted(row["massnahmen"], factor, len(massnahmen))}
                         for row in tables["ausgaben.csv"][1]],
    }
    for name, rows in scaled.items():
        write_csv(out / name, tables[name][0], rows)
    return out


def _shifted(ranges: str, factor: int, per_copy: int) -> str:
    """``1-129`` for copies 0..factor-1: ``1-129|130-258|…``."""
    parts = []
    for k in range(factor):
        for part in sources.split(ranges):
            a, _, b = part.partition("-")
            shift = k * per_copy
            parts.append(f"{int(a) + shift}-{int(b) + shift}" if b else str(int(a) + shift))
    return sources.LIST_SEP.join(parts)


def expected_counts(factor: int, source: Path = REAL_DATA) -> dict[str, int]:
    """Instances per kind in a data set of this factor: scaled kinds ×factor, fixed kinds as in the report."""
    real = {name: read_csv(source / name)[1] for name in SCALED_CSV}
    citations = [c for row in real["massnahmen.csv"] for c in sources.split(row["drucksachen"])]
    citations += [row["zitat"] for row in real["drucksachen.csv"]]
    return {
        "massnahmen": len(real["massnahmen.csv"]) * factor,
        "ziele": len(real["ziele.csv"]) * factor,
        "oe": len(real["oe.csv"]) * factor,
        "zielgruppen": len(real["zielgruppen.csv"]) * factor,
        "drucksachen": len({drucksache.parse(c).key for c in citations}) * factor,
        "dezernate": len(read_csv(source / "dezernate.csv")[1]),
    }
