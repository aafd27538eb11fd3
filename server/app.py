"""Flask app factory: settings, the published build, the shared web plumbing, then one package per concern.

Packages never import each other's modules; what one adds to another (the citation formats and page sections
that server.drucksache and server.pages contribute to the resource documents of server.linkeddata) is handed
over here.
"""

from __future__ import annotations

from flask import Flask

from server import config as settings
from server import i18n, state, web
from server.catalog import views as catalog
from server.changes import views as changes
from server.drucksache import documents as drucksache_documents
from server.drucksache import views as drucksache
from server.dumps import views as dumps
from server.linkeddata import views as linkeddata
from server.pages import evidence, neighbours, overviews
from server.pages import status as status_pages
from server.pages import views as pages
from server.releases import mount as releases_mount
from server.serving.warm import WARM_UP
from server.sparql import sections as sparql_sections
from server.sparql import views as sparql
from server.sparql import warm as sparql_warm
from server.web.proxies import TrustedProxies, networks


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(settings.load(config))
    app.wsgi_app = TrustedProxies(app.wsgi_app, networks(app.config["KG_TRUSTED_PROXIES"]))
    state.init_app(app)
    web.init_app(app)
    i18n.init_app(app)
    linkeddata.init_app(app, contributed=drucksache_documents.RENDERERS,
                        sections=drucksache_documents.SECTIONS + evidence.SECTIONS + overviews.SECTIONS + status_pages.SECTIONS
                        + changes.SECTIONS + neighbours.SECTIONS + sparql_sections.SECTIONS)
    for package in (pages, sparql, catalog, dumps, drucksache, changes):
        package.init_app(app)
    app.extensions[WARM_UP] = [lambda log: sparql_warm.start_query_processes(app, log)]  # run by kg serve's processes
    # /release/<name>/… from releases/, or: this app serves an old release
    releases_mount.init_app(app, lambda release_config: _release_app(release_config, app))
    return app


def _release_app(config: dict, current: Flask) -> Flask:
    """An old release's app: its own build and registry, the current site's query processes and client accounting."""
    app = create_app(config)
    sparql.share_queries(app, current)
    return app
