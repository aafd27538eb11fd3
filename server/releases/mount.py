"""Earlier releases stay readable: ``/release/<name>/…`` answers every page, RDF document and the SPARQL endpoint
as of that release, from its own directory under ``releases/`` – with the URI registry as it stood then, so a
measure retired since answers 200 there and 410 on the current site.

Each release is served by an app of its own (from the factory it is handed: the current site's, pointed at the release
and answering SPARQL with the current site's query processes and client limits), mounted under
``/release/<name>`` by a WSGI dispatcher in front of the current site. Its pages carry a notice that they are not
current, with a link to the current version; its root-relative links, redirects and ``Link`` headers are moved
under the prefix so a reader stays in that release. At most :data:`KEPT_APPS` release apps live at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Flask, Response, request
from werkzeug.wrappers import Response as WerkzeugResponse

from kg import releases
from server.caches import Bounded
from server.web.urls import public_url

bp = Blueprint("releases", __name__, template_folder="templates")  # the notice on an old release's pages
PREFIX = re.compile(r"^/release/(?P<name>[^/]+)(?P<rest>/.*)?$")
KEPT_APPS = 3  # release apps (each with its store) kept at once; the least recently used goes
# Root-relative links, except those that already name a release (/release/…): those stay as they are.
_LINKS = re.compile(r'(\s(?:href|src|action)=")(/(?!/|release/)[^"]*)')
_LINK_HEADER = re.compile(r"<(/(?!/|release/)[^>]*)>")


class ReleaseMount:
    """WSGI middleware: ``/release/<name>/…`` to that release's app, everything else to the current site."""

    def __init__(self, app: Flask, factory: Callable[[dict], Flask]) -> None:
        self.app = app
        self.current = app.wsgi_app
        self.factory = factory  # the app factory, handed over by it (no import of server.app here)
        self._apps: Bounded[Flask] = Bounded(KEPT_APPS)

    def __call__(self, environ, start_response):
        m = PREFIX.match(environ.get("PATH_INFO", ""))
        if not m:
            return self.current(environ, start_response)
        release = releases.find(m["name"], Path(self.app.config["KG_RELEASES_DIR"]))
        if release is None:
            return self.current(environ, start_response)  # the current site answers 404 in its own way
        if m["rest"] is None:
            return WerkzeugResponse(status=301, headers={"Location": f"/release/{release.name}/"})(environ, start_response)
        sub = self._app(release)
        environ = {**environ, "SCRIPT_NAME": environ.get("SCRIPT_NAME", "") + f"/release/{release.name}",
                   "PATH_INFO": m["rest"]}
        return sub(environ, start_response)

    def _app(self, release: releases.Release) -> Flask:
        def make() -> Flask:
            registry = release.path / releases.REGISTRY
            config = {"KG_BUILD_DIR": str(release.path), "KG_RELEASE_VIEW": release.name, "KG_RELOAD_CHECK_SECONDS": 3600.0}
            if registry.exists():
                config["KG_URI_REGISTRY"] = str(registry)
            return self.factory({**{k: v for k, v in self.app.config.items() if k.startswith("KG_")}, **config})

        return self._apps.get((release.name, release.created), make)


def init_app(app: Flask, factory: Callable[[dict], Flask]) -> None:
    """On the current site: mount the releases, each served by an app from ``factory``. On a release's own app:
    mark its pages and keep its links inside."""
    app.register_blueprint(bp)
    name = app.config.get("KG_RELEASE_VIEW")
    if not name:
        app.wsgi_app = ReleaseMount(app, factory)
        return
    release = releases.find(name, Path(app.config["KG_RELEASES_DIR"]))

    @app.context_processor
    def old_release() -> dict:
        current = public_url(request.path)  # outside the prefix: the current site's page (not from the Host header)
        return {"old_release": {"name": name, "issued": release.issued if release else "", "current_url": current}}

    @app.after_request
    def keep_inside(response: Response) -> Response:
        prefix = request.script_root
        if response.mimetype == "text/html" and not response.direct_passthrough:
            body = response.get_data(as_text=True)
            response.set_data(_LINKS.sub(lambda m: f"{m[1]}{prefix}{m[2]}", body))
        location = response.headers.get("Location")
        if location and location.startswith("/") and not location.startswith(("//", "/release/")):
            response.headers["Location"] = prefix + location
        if response.headers.get("Link"):
            response.headers["Link"] = _LINK_HEADER.sub(lambda m: f"<{prefix}{m[1]}>", response.headers["Link"])
        response.headers["X-Robots-Tag"] = "noindex"  # search engines should send people to the current version
        return response
