"""Open-data harvesting: the DCAT-AP.de catalog, its datasets/distributions/service, and VoID.

``/catalog`` negotiates HTML or RDF; ``/catalog.ttl`` (``.rdf``, ``.jsonld``, ``.nt``) is the stable address to give a
harvester, which usually sends no Accept header. Pages: ``?page=N`` (hydra:PagedCollection, as ckanext-dcat reads it).
Everything is derived from the current build and ``catalog.toml`` and cached per build and settings version.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, request, url_for
from rdflib import Graph

from kg import catalog as dcat
from kg.export import rdf as serialize
from kg.void import void_graph
from server.caches import per_build, per_file
from server.formats import GRAPH_FORMATS, HTML, RDF_FORMATS, RDF_NAMES, Format
from server.state import Published, published
from server.web.caching import for_build
from server.web.negotiation import negotiate, offer, vary_on_accept

bp = Blueprint("catalog", __name__, template_folder="templates")

PAGE_OFFER = offer((HTML, *GRAPH_FORMATS.values()), names=RDF_NAMES)
VOID_OFFER = offer(GRAPH_FORMATS, default="ttl", names=RDF_NAMES)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

THEME_LABELS = {  # German labels of the EU data themes, for the HTML view
    "SOCI": "Bevölkerung und Gesellschaft", "GOVE": "Regierung und öffentlicher Sektor", "EDUC": "Bildung, Kultur und Sport",
    "ECON": "Wirtschaft und Finanzen", "HEAL": "Gesundheit", "JUST": "Justiz, Rechtssystem und öffentliche Sicherheit",
    "REGI": "Regionen und Städte", "INTR": "Internationale Themen",
}

# --- cached per build and settings version -----------------------------------------------------------------


def _memo(key: tuple, make: Callable[[], object]):
    """Catalog pages, descriptions and VoID, kept per build; keys start with the build id, settings and base."""
    return per_build("catalog|" + "|".join(map(str, key)), published(), lambda _build: make())


def _settings_path() -> Path:
    return Path(current_app.config["KG_CATALOG_SETTINGS"] or dcat.SETTINGS_PATH)


def settings() -> dcat.Settings:
    return per_file(_settings_path(), dcat.load_settings)


def current(build: Published | None = None) -> dcat.Catalog:
    build, conf, base = build or published(), settings(), current_app.config["KG_BASE_URI"]
    release = build.manifest.get("release")
    if release:  # a release (kg release) names its own version and date, fixed like catalog.toml's
        conf = replace(conf, version=release["name"], issued=date.fromisoformat(release["issued"]))
    return _memo(("catalog", build.etag, conf.digest, base), lambda: _with_versions(dcat.from_manifest(build.manifest, conf, base), build))


def _with_versions(catalog: dcat.Catalog, build: Published) -> dcat.Catalog:
    """The releases the served graph describes, for the catalog's and VoID's version statements."""
    return replace(catalog, versions=dcat.versions_in(build.store, catalog.data_base))


def _version(catalog: dcat.Catalog) -> str:
    """What every catalog response depends on: the build, the settings and the base (one cache serves all apps)."""
    return f"{catalog.manifest['build_id']}-{catalog.settings.digest}-{zlib.crc32(catalog.base.encode()):08x}"


def _modified(catalog: dcat.Catalog) -> float:
    return max(published().modified, _settings_path().stat().st_mtime)


# --- negotiation and responses ---------------------------------------------------------------------------


def _rdf_response(key: tuple, make_graph: Callable[[], Graph], fmt: Format, catalog: dcat.Catalog, vary: bool) -> Response:
    body = _memo(key + (fmt.key,), lambda: _serialized(make_graph(), fmt))
    response = Response(body, mimetype=fmt.mimetype)
    if vary:
        vary_on_accept(response)
    return for_build(response, "-".join(map(str, key + (fmt.key,))), _modified(catalog))


def _serialized(graph: Graph, fmt: Format) -> bytes:
    if fmt.key in RDF_FORMATS:
        return serialize(graph, fmt.key)
    return graph.serialize(format=fmt.rdflib, encoding="utf-8")  # TriG/N-Quads of the default graph: Turtle/N-Triples


def _html_response(template: str, key: tuple, catalog: dcat.Catalog, **context) -> Response:
    html = render_template(f"catalog/{template}", catalog=catalog, filesize=filesize, theme_label=theme_label, **context)
    response = Response(html, mimetype="text/html")
    vary_on_accept(response)
    return for_build(response, "-".join(map(str, key + ("html",))), _modified(catalog), machine=False)


def filesize(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}".replace(".", ",")
        n /= 1024
    return str(n)


def theme_label(iri: str) -> str:
    code = iri.rsplit("/", 1)[-1]
    return THEME_LABELS.get(code, code)


def _page_number(catalog: dcat.Catalog) -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        abort(Response("page muss eine positive ganze Zahl sein / page must be a positive integer\n", 400, mimetype="text/plain"))
    if int(raw) > catalog.pages:
        abort(404)  # ckanext-dcat stops paging at a 404
    return int(raw)


# --- routes ----------------------------------------------------------------------------------------------


@bp.get("/catalog")
@bp.get("/catalog.<ext>")
def catalog_page(ext: str | None = None):
    catalog = current()
    if ext is not None and ext not in GRAPH_FORMATS:
        abort(404)
    fmt = GRAPH_FORMATS[ext] if ext else negotiate(request, PAGE_OFFER)
    number = _page_number(catalog)
    key = ("page", _version(catalog), number)
    if fmt.key == "html":
        return _html_response("catalog.html", key, catalog, datasets=catalog.page(number), page=number,
                              formats=RDF_FORMATS.values())
    suffix = "." + fmt.key  # page links name the format, so a harvester stays on what it parsed

    def graph() -> Graph:
        return dcat.to_graph(catalog, number, lambda n: dcat.page_url(catalog, n, suffix))
    return _rdf_response(key, graph, fmt, catalog, vary=ext is None)


def _described(catalog: dcat.Catalog, node) -> Callable[[], Graph]:
    def make() -> Graph:
        full = _memo(("full", _version(catalog)), lambda: dcat.full_graph(catalog))
        return dcat.describe(full, node)
    return make


@bp.get("/catalog/dataset/<name>")
def dataset_page(name: str):
    catalog = current()
    try:
        dataset = catalog.dataset(name)
    except KeyError:
        abort(404)
    fmt = negotiate(request, PAGE_OFFER)
    key = ("dataset", _version(catalog), name)
    if fmt.key == "html":
        return _html_response("dataset.html", key, catalog, dataset=dataset, formats=RDF_FORMATS.values())
    return _rdf_response(key, _described(catalog, catalog.dataset_uri(name)), fmt, catalog, vary=True)


@bp.get("/catalog/distribution/<path:file>")
def distribution_page(file: str):
    catalog = current()
    try:
        dataset = catalog.dataset(dcat.MAIN) if file == "sparql" else catalog.distribution(file)[0]
    except KeyError:
        abort(404)
    fmt = negotiate(request, PAGE_OFFER)
    if fmt.key == "html":  # people read distributions on their dataset's page
        return vary_on_accept(redirect(url_for("catalog.dataset_page", name=dataset.name, _anchor=file), 303))
    key = ("distribution", _version(catalog), file)
    return _rdf_response(key, _described(catalog, catalog.distribution_uri(file)), fmt, catalog, vary=True)


@bp.get("/catalog/service/sparql")
def service_page():
    catalog = current()
    fmt = negotiate(request, PAGE_OFFER)
    if fmt.key == "html":
        return vary_on_accept(redirect(url_for("catalog.catalog_page", _anchor="dienst"), 303))
    return _rdf_response(("service", _version(catalog)), _described(catalog, catalog.service_uri), fmt, catalog, vary=True)


@bp.get("/.well-known/void")
def void():
    build = published()  # one build for both: the statistics must match the catalog's dumps
    catalog = current(build)
    fmt = negotiate(request, VOID_OFFER)
    return _rdf_response(("void", _version(catalog)), lambda: void_graph(catalog, build.store), fmt, catalog, vary=True)
