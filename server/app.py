"""Flask app factory: one blueprint per concern, configuration from env and overrides."""

from __future__ import annotations

from flask import Flask

from server import config as settings
from server.state import BuildState


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(settings.load(config))
    app.extensions["kg"] = BuildState(app.config["KG_BUILD_DIR"], app.config["KG_RELOAD_CHECK_SECONDS"])

    from server import catalog, drucksache, pages, resources, sparql

    for blueprint in (pages.bp, resources.bp, sparql.bp, catalog.bp, drucksache.bp):
        app.register_blueprint(blueprint)
    return app
