"""Pages for people: the overview, search, the filterable list of measures, legal pages."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, abort, render_template, request

from kg import spreadsheet
from kg.export import MEASURE_COLUMNS, MEASURE_FACETS, VALUE_SEP
from server.caches import per_build, rendered_page
from server.formats import HTML, JSON
from server.i18n.labels import Labels, labels_for
from server.i18n.language import page_params
from server.pages import home as home_data
from server.pages import site_index
from server.pages.facets import FACET_NAMES, FACETS, SORTS, Measure, MeasureTable, parse_selection, table_for
from server.pages.legal import operator
from server.pages.search_index import KINDS, highlight, index_for, snippet_source
from server.state import base, published
from server.web.cors import open_to_all
from server.web.negotiation import choose, offer, vary_on_accept
from server.web.responses import download
from server.web.urls import url_with

bp = Blueprint("pages", __name__, template_folder="templates")

SEARCH_PAGE_SIZE = 20
LIST_PAGE_SIZES = (10, 25, 50, 100, 200)
LIST_ARGS = {*FACET_NAMES, "sort", "seite", "pro_seite", "mehr", "lang"}  # parameters of a kept /massnahmen page
# Values listed per facet of /massnahmen (``?mehr=<facet>`` lists all of one). Above the real data's largest
# facet (46 Drucksachen), so its page lists everything; a large graph would otherwise send 100,000s of checkboxes.
FACET_CAP = 50
MAX_QUERY = 200
KIND_NAMES = tuple(kind for kind, _ in KINDS)

LIST_OFFER = offer((HTML, JSON), strict=False)  # /massnahmen and /suche without a suffix


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    site_index.init_app(app)


def _prefers_json() -> bool:
    return choose(request, LIST_OFFER) is JSON


def _page_number() -> int:
    return max(1, request.args.get("seite", 1, type=int) or 1)


def _json(data: dict, status: int = 200) -> Response:
    return open_to_all(Response(json.dumps(data, ensure_ascii=False, indent=1), status, mimetype="application/json"))


# ------------------------------------------------------------------ home

@bp.get("/")
def home():
    page_params()
    build = published()

    def render() -> str:
        # The same for every request on one build; at 1000× it reads tens of thousands of counts.
        data = per_build(f"home|{base()}", build, lambda b: home_data.charts(b.store, base()))
        return render_template("pages/home.html", manifest=build.manifest, **home_data.localized(data, labels_for(build)))

    # Kept once rendered, like a resource page: it changes only with the build, the language and the address.
    return rendered_page(render)


# ------------------------------------------------------------------ search

@bp.get("/suche")
def search():
    return _search(as_json=_prefers_json())


@bp.get("/suche.json")
def search_json():
    return _search(as_json=True)


def _search(as_json: bool) -> Response:
    page_params("q", "typ", "seite")
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    kinds = {k for k in request.args.getlist("typ") if k in KIND_NAMES}
    build = published()
    labels = labels_for(build)
    result = index_for(build, base()).search(query, kinds) if query else None
    total = len(result.hits) if result else 0
    pages = max(1, -(-total // SEARCH_PAGE_SIZE))
    page = min(_page_number(), pages)
    start = (page - 1) * SEARCH_PAGE_SIZE
    table = table_for(build, base(), labels)
    hits = [_shown(hit, result, labels, table) for hit in result.hits[start:start + SEARCH_PAGE_SIZE]] if result else []
    if as_json:
        response = _json({
            "query": query, "terms": result.terms if result else [], "total": total, "page": page, "pages": pages,
            "page_size": SEARCH_PAGE_SIZE, "types": sorted(kinds), "per_type": result.per_kind if result else {},
            "results": [{"uri": h["uri"], "path": h["path"], "type": h["kind"], "title": h["title_text"],
                         "title_lang": h["title_lang"], "snippet": h["snippet"].striptags() if h["snippet"] else "",
                         "snippet_html": str(h["snippet"] or ""), "score": h["score"], "facts": h["facts"]} for h in hits],
        })
    else:
        response = Response(render_template(
            "pages/search.html", q=query, search_query=query, kinds=kinds, result=result, hits=hits, total=total, page=page, pages=pages,
            start=start, kind_names=KIND_NAMES, url_with=url_with,
        ), mimetype="text/html")
    vary_on_accept(response)
    return response


def _shown(hit, result, labels: Labels, table: MeasureTable) -> dict:
    title, title_lang = labels.get(hit.doc.uri)
    source = snippet_source(hit.doc, result)
    return {
        "uri": hit.doc.uri, "path": hit.doc.path, "kind": hit.doc.kind, "score": hit.score,
        "facts": _facts(hit.doc, table, labels),
        "title": highlight(title, result.is_match), "title_text": title, "title_lang": title_lang,
        "snippet": highlight(source, result.is_match, limit=240) if source and source != title and not source.isdigit() else None,
    }


def _facts(doc, table: MeasureTable, labels: Labels) -> dict | None:
    """What a hit is at a glance: a measure's Nr., field and unit; the measures citing a Drucksache."""
    key = doc.path.rsplit("/", 1)[-1]
    if doc.kind == "massnahme" and key.isdigit():
        m = table.by_nr.get(int(key))
        if m is None:
            return None
        return {"nr": m.nr, **{f: [v["label"] for v in _value_labels(m, f, table, labels)] for f in ("handlungsfeld", "oe")}}
    if doc.kind == "drucksache":
        return {"massnahmen": [{"nr": m.nr, "titel": m.title, "path": m.path} for m in table.citing(key)]}
    return None


# ------------------------------------------------------------------ the filterable list of measures

@bp.get("/massnahmen")
@bp.get("/massnahmen.<ext>")
def measures(ext: str | None = None):
    if ext not in (None, "csv", "json", "xlsx"):
        abort(404)
    page_params(*LIST_ARGS)
    build = published()
    labels = labels_for(build)
    table = table_for(build, base(), labels)
    selection = parse_selection(request.args)
    sort = request.args.get("sort", "nr") if request.args.get("sort") in SORTS else "nr"
    rows = table.filter(selection)  # in number order already
    if sort != "nr":
        rows = table.sort(rows, sort)
    if ext in ("csv", "xlsx"):
        return _table_download(ext, rows, table, labels, filtered=any(selection.values()))
    if ext == "json" or (ext is None and _prefers_json()):
        response = _json({
            "total": len(rows), "sort": sort, "filters": {f: sorted(v) for f, v in selection.items() if v},
            "items": [_record(m, table, labels) for m in rows],
        })
        vary_on_accept(response)
        return response

    def render() -> str:
        size = request.args.get("pro_seite", 25, type=int)
        size = size if size in LIST_PAGE_SIZES else 25
        pages = max(1, -(-len(rows) // size))
        page = min(_page_number(), pages)
        start = (page - 1) * size
        return render_template(
            "pages/massnahmen.html", rows=rows[start:start + size], total=len(rows), all_total=len(table.measures),
            start=start, page=page, pages=pages, size=size, sizes=LIST_PAGE_SIZES, sort=sort, sorts=SORTS,
            facets=_facet_view(table, selection, labels, expanded=request.args.get("mehr")),
            active=_active_filters(table, selection, labels),
            field_of=lambda m: _value_labels(m, "handlungsfeld", table, labels),
            units_of=lambda m: _value_labels(m, "oe", table, labels),
            groups_of=lambda m: _value_labels(m, "zielgruppe", table, labels),
            url_with=url_with,
            downloads={ext: url_with(f"/massnahmen.{ext}", drop=("seite", "pro_seite", "mehr")) for ext in ("csv", "xlsx", "json")},
        )

    # Kept once rendered (the list changes only with the build, the language and its parameters) when it is a list
    # people ask for: known parameters and at most 50 rows a page, so odd requests cannot fill the kept pages with
    # big ones.
    keep = set(request.args) <= LIST_ARGS and request.args.get("pro_seite", "25") in ("10", "25", "50")
    body = rendered_page(render) if keep else render()
    response = Response(body, mimetype="text/html")
    vary_on_accept(response)
    return response


def _value_labels(m: Measure, facet: str, table: MeasureTable, labels: Labels) -> list[dict]:
    out = []
    for key in m.values.get(facet, ()):
        value = table.values[facet][key]
        text, lang = labels.get(value.uri)
        out.append({"key": key, "label": text, "lang": lang, "path": value.path, "uri": value.uri})
    return out


def _facet_view(table: MeasureTable, selection: dict[str, set[str]], labels: Labels, expanded: str | None) -> list[dict]:
    """Per facet: its listed values with counts (at most FACET_CAP, all for ``expanded``), and what is left out."""
    counts = table.counts(selection)
    view = []
    for facet in FACETS:
        chosen = selection.get(facet.name, set())
        count = counts[facet.name]
        keys, hidden = table.shown(facet.name, count, chosen, None if facet.name == expanded else FACET_CAP)
        values = []
        for key in keys:
            text, lang = labels.get(table.values[facet.name][key].uri)
            values.append({"key": key, "label": text, "lang": lang, "n": count.get(key, 0), "checked": key in chosen})
        view.append({"name": facet.name, "options": values, "selected": len(chosen), "expanded": facet.name == expanded,
                     "hidden": hidden, "more": url_with("/massnahmen", mehr=facet.name) + f"#facet-{facet.name}" if hidden else None})
    return view


def _active_filters(table: MeasureTable, selection: dict[str, set[str]], labels: Labels) -> list[dict]:
    active = []
    for facet in FACET_NAMES:
        for key in sorted(selection.get(facet, ())):
            value = table.values[facet].get(key)
            text, lang = labels.get(value.uri) if value else (key, "")
            remaining = [(k, v) for k, v in request.args.items(multi=True)
                         if not (k == facet and v.strip() == key) and k not in ("seite", "lang")]
            active.append({"facet": facet, "key": key, "label": text, "lang": lang,
                           "remove": "/massnahmen" + ("?" + urlencode(remaining) if remaining else "")})
    return active


def _record(m: Measure, table: MeasureTable, labels: Labels) -> dict:
    record: dict = {"nr": m.nr, "titel": m.title, "uri": m.uri, "beschreibung": m.description}
    for facet in FACET_NAMES:
        values = [{"key": v["key"], "label": v["label"], "uri": v["uri"]} for v in _value_labels(m, facet, table, labels)]
        record[facet] = values[0] if facet in ("handlungsfeld", "ziel") and values else values
    return record


def _table_download(ext: str, rows: list[Measure], table: MeasureTable, labels: Labels, filtered: bool) -> Response:
    """The selected measures in the columns of the dump's measure table (kg.export.MEASURE_COLUMNS), as RFC 4180 CSV
    or XLSX, formula-like text neutralised (kg.spreadsheet)."""
    cells = []
    for m in rows:
        row: list = [m.nr, m.title, m.uri]
        for facet, _ in MEASURE_FACETS:
            values = _value_labels(m, facet, table, labels)
            row += [VALUE_SEP.join(v["key"] for v in values), VALUE_SEP.join(v["label"] for v in values)]
        cells.append(row + [m.description])
    name = "massnahmen-auswahl" if filtered else "massnahmen"
    if ext == "xlsx":
        body = spreadsheet.xlsx_bytes([(name, MEASURE_COLUMNS, cells)])
        return open_to_all(download(body, spreadsheet.XLSX_MEDIA_TYPE, f"{name}.xlsx"))
    return open_to_all(download(spreadsheet.csv_text(MEASURE_COLUMNS, cells), "text/csv", f"{name}.csv"))


# ------------------------------------------------------------------ legal pages

@bp.get("/barrierefreiheit")
def accessibility():
    page_params()
    return render_template("pages/barrierefreiheit.html", op=operator())


@bp.get("/impressum")
def imprint():
    page_params()
    return render_template("pages/impressum.html", op=operator())
