"""Cross-origin reading: machine formats may be read by scripts on any site (they hold public data only)."""

from __future__ import annotations

from flask import Response

SPARQL_METHODS = "GET, POST, OPTIONS"
# What SPARQL clients send: YASGUI and jQuery add X-Requested-With; caching clients send validators.
SPARQL_REQUEST_HEADERS = "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since, X-Requested-With"


def open_to_all(response: Response, methods: str | None = None, expose: tuple[str, ...] = ()) -> Response:
    """Let any origin read ``response``; ``methods`` and request headers for endpoints scripts POST to."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if methods:
        response.headers["Access-Control-Allow-Methods"] = methods
        response.headers["Access-Control-Allow-Headers"] = SPARQL_REQUEST_HEADERS
    if expose:
        response.headers["Access-Control-Expose-Headers"] = ", ".join(expose)
    return response
