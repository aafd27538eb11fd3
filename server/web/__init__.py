"""Web plumbing every blueprint shares: negotiation, responses, CORS, caching, URLs, security headers, errors.

Nothing here knows the graph. :func:`init_app` wires the app-wide parts into the factory.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException

from server.web import compression, preview
from server.web.errors import http_error
from server.web.security import security_headers
from server.web.text import breakable
from server.web.urls import public_url, relative_redirects


def init_app(app: Flask) -> None:
    app.after_request(security_headers)
    compression.init_app(app)
    app.after_request(relative_redirects)
    app.jinja_env.globals["public_url"] = public_url
    app.add_template_filter(breakable, "breakable")
    app.register_error_handler(HTTPException, http_error)
    preview.init_app(app)
