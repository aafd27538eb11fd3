"""What search engines and link previews need from the site as a whole: /favicon.ico, /robots.txt and
/sitemap.xml listing every dereferenceable page (the overview pages and the /doc/ page of every thing the graph
describes under the base). Addresses are on the configured public base, never the Host header."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from flask import Blueprint, Flask, Response, current_app, send_from_directory

from server.caches import per_build
from server.described import by_kind
from server.state import Published, data_base, published
from server.web.caching import for_build
from server.web.urls import public_url

bp = Blueprint("site_index", __name__)

# Overview pages a reader can land on (the search and filtered lists are endless variations of these).
PAGES = ("", "massnahmen", "id/drucksache/", "dumps/", "sparql", "catalog", "def/ik", "def/handlungsfelder",
         "def/ziele", "def/zielgruppen", "def/oe-arten", "barrierefreiheit", "impressum")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/favicon.ico")
def favicon():
    response = send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400)
    response.cache_control.public = True
    return response


@bp.get("/robots.txt")
def robots():
    root = public_url()
    body = ("User-agent: *\n"
            "Allow: /\n"
            "# Query results are endless variations of the pages in the sitemap (and cost the endpoint's time).\n"
            "Disallow: /sparql?\n"
            f"Sitemap: {root}sitemap.xml\n")
    build = published()
    return for_build(Response(body, mimetype="text/plain"), f"{build.etag}-robots", build.modified, machine=False)


def _sitemap(build: Published, root: str, data_root: str) -> bytes:
    modified = datetime.fromtimestamp(build.modified, UTC).strftime("%Y-%m-%d")
    paths = [root + page for page in PAGES]
    for subjects in by_kind(build, data_root).values():
        paths.extend(root + "doc/" + s[len(data_root + "id/"):] for s in subjects)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url in dict.fromkeys(paths):
        lines.append(f"<url><loc>{escape(url)}</loc><lastmod>{modified}</lastmod></url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode()


@bp.get("/sitemap.xml")
def sitemap():
    build, root, data_root = published(), public_url(), data_base()
    body = per_build(f"sitemap|{root}", build, lambda b: _sitemap(b, root, data_root))
    return for_build(Response(body, mimetype="application/xml"), f"{build.etag}-sitemap", build.modified, machine=False)
