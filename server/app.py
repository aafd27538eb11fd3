"""Flask app factory: one blueprint per concern, configuration from env and overrides."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from server import config as settings
from server.state import BuildState

# Pages load nothing from elsewhere; JSON-LD data blocks are not scripts and need no exception.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(settings.load(config))
    app.extensions["kg"] = BuildState(
        app.config["KG_BUILD_DIR"], app.config["KG_RELOAD_CHECK_SECONDS"], app.config["KG_SPARQL_ENDPOINT"])

    from server import catalog, drucksache, pages, resources, sparql

    for blueprint in (pages.bp, resources.bp, sparql.bp, catalog.bp, drucksache.bp):
        app.register_blueprint(blueprint)
    from server.people import bp as people_bp  # search, measure list, overviews, legal pages, interface language
    app.register_blueprint(people_bp)

    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _http_error(exc: HTTPException):
    """Errors as HTML for browsers, plain text otherwise; never a stack trace."""
    if exc.response is not None:  # a view built its own response (e.g. 406 with the offered formats)
        return exc.response
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]  # keeps Allow on 405
    message = f"{exc.code} {exc.name}: {exc.description}"
    if request.accept_mimetypes.best_match(["text/html", "text/plain"]) == "text/html":
        body = render_template("not_found.html", message=message, subject=request.path)
        return Response(body, exc.code, mimetype="text/html", headers=headers)
    return Response(message + "\n", exc.code, mimetype="text/plain", headers=headers)
