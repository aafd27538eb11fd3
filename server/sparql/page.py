"""The query page: the form (with the editor where its bundle is built), a result as table and bar chart with
downloads, the error or hint of the last run, the example gallery – in German or English.

Result cells are plain values; their datatype or language, and the prefixed name of an IRI, are notes the reader
switches on. IRIs of this graph link to their pages and show their label in the page language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import current_app, g, render_template, url_for

from server.formats import RDF_FORMATS, SOLUTION_FORMATS
from server.i18n import current_lang, labels_for, t
from server.sparql.errors import Problem
from server.sparql.examples import DEFAULT_BODY, EXAMPLES, Example
from server.sparql.formats import every_format
from server.sparql.prefixes import predeclared
from server.sparql.vocabulary import short_name
from server.sparql.worker import Outcome
from server.state import published as current_published
from server.web.urls import link, public_url

MAX_GET_URL = 4000  # gunicorn's default request-line limit is 4094 bytes: longer queries need POST
NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{name}" for name in (
    "integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger", "positiveInteger",
    "unsignedInt", "unsignedLong")}
STATIC = Path(__file__).parent / "static"
EDITOR_BUNDLE = "sparql-editor.js"  # written by `make editor` (server/sparql/editor); absent: the plain form


@dataclass
class Chart:
    caption: str
    unit: str
    rows: list[dict]
    first: bool  # shown before the table (examples made for it)


def example_for(query: str | None, base: str) -> Example | None:
    """The example whose text ``query`` is (in either language), if any."""
    if not query:
        return None
    text = query.strip()
    return next((ex for ex in EXAMPLES for lang in ("de", "en") if ex.text(base, lang).strip() == text), None)


def render(query: str | None, outcome: Outcome | None = None, problem: Problem | None = None,
           hint: Problem | None = None) -> str:
    config = current_app.config
    base, lang = config["KG_BASE_URI"], current_lang()
    table = render_table(json.loads(outcome.table), base) if outcome and outcome.table else None
    example = example_for(query, base)
    permalink = None
    if query:
        permalink = url_for("sparql.endpoint") + "?" + urlencode({"query": query, "format": "html"})
        permalink = permalink if len(permalink) < MAX_GET_URL else None
    form_action = url_for("sparql.endpoint") + ("?lang=en" if lang == "en" else "")
    return render_template(
        "sparql/page.html",
        query=query if query is not None else DEFAULT_BODY + "\n",
        outcome=outcome, table=table, chart=chart_of(table, example) if table else None,
        downloads=download_formats(outcome) if outcome else [], shortlink=g.get("sparql_shortlink"),
        problem=problem, problem_text=problem.text(lang) if problem else None,
        hint_text=hint.text(lang) if hint else None,
        examples=[_example_item(ex, base, lang) for ex in EXAMPLES], permalink=permalink, form_action=form_action,
        formats=every_format(), predeclared=predeclared(base), editor_script=EDITOR_BUNDLE if (STATIC / EDITOR_BUNDLE).exists() else None,
        timeout=config["KG_QUERY_TIMEOUT"], max_rows=config["KG_MAX_ROWS"], max_length=config["KG_MAX_QUERY_LENGTH"],
        endpoint=public_url("sparql"))


def download_formats(outcome: Outcome) -> list:
    family = RDF_FORMATS if outcome.kind == "graph" else SOLUTION_FORMATS
    return list(family.values())


def _example_item(example: Example, base: str, lang: str) -> dict:
    text = example.text(base, lang)
    kinds = (("html", t("sparql.run_example")), ("ttl", "Turtle"), ("jsonld", "JSON-LD")) if example.is_graph else \
        (("html", t("sparql.run_example")), ("json", "JSON"), ("csv", "CSV"))
    links = [(label, url_for("sparql.endpoint") + "?" + urlencode({"query": text, "format": key})) for key, label in kinds]
    return {"example": example, "title": example.title_in(lang), "description": example.description_in(lang), "text": text,
            "links": links}


# ------------------------------------------------------------------ result table and chart


def render_table(table: dict, base: str) -> dict:
    """Cells as text (labels for IRIs of this graph) with an optional link and a note (datatype, language, name)."""
    names = predeclared(base)
    labels = labels_for(current_published())
    rows = [[_render_cell(cell, base, names, labels) for cell in row] for row in table["rows"]]
    return {"vars": table["vars"], "rows": rows, "boolean": table.get("boolean"), "raw": table["rows"]}


def _render_cell(cell: dict | None, base: str, names: dict[str, str], labels) -> dict | None:
    if cell is None:
        return None
    value = cell["value"]
    if cell["type"] == "uri":
        short = short_name(value, names)
        label, label_lang = labels.get(value) if labels.all(value) else (short, None)
        return {"text": label, "lang": label_lang or None, "href": _href(value, base), "title": value,
                "note": short if short != label else None}
    if cell["type"] == "bnode":
        return {"text": "_:" + value}
    if cell["type"] == "literal":
        note = "@" + cell["lang"] if "lang" in cell else short_name(cell["datatype"], names) if "datatype" in cell else None
        return {"text": value, "lang": cell.get("lang"), "note": note}
    return {"text": value}


def _href(iri: str, base: str) -> str | None:
    """Our own IRIs link into this server (it maps its host onto the base); others only if http(s)."""
    target = link(iri, base)
    return target if target.startswith(("/", "http://", "https://")) else None


def chart_of(table: dict, example: Example | None) -> Chart | None:
    """A bar chart when every row has a label (text or IRI) and a number: the first such columns."""
    raw, variables = table["raw"], table["vars"]
    if len(raw) < 2:
        return None
    label_col = next((i for i in range(len(variables)) if all(_is_label(row[i]) for row in raw)), None)
    value_col = next((i for i in range(len(variables)) if i != label_col and all(_is_number(row[i]) for row in raw)), None)
    if label_col is None or value_col is None:
        return None
    rows = []
    for shown, cells in zip(table["rows"], raw, strict=True):
        label = shown[label_col]
        rows.append({"label": label["text"], "lang": label.get("lang"), "path": label.get("href"), "n": _number(cells[value_col]["value"])})
    caption = t("sparql.chart_caption", value=variables[value_col], label=variables[label_col])
    return Chart(caption, variables[value_col], rows, first=bool(example and example.chart))


def _is_label(cell: dict | None) -> bool:
    return cell is not None and (cell["type"] == "uri" or cell["type"] == "literal" and cell.get("datatype") not in NUMERIC)


def _is_number(cell: dict | None) -> bool:
    return cell is not None and cell["type"] == "literal" and cell.get("datatype") in NUMERIC


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value
