"""HTTP errors as HTML for browsers, plain text otherwise; never a stack trace."""

from __future__ import annotations

from flask import Response, render_template, request
from werkzeug.exceptions import HTTPException

from server.formats import HTML, TEXT
from server.web.negotiation import choose, offer, vary_on_accept

# Browsers name text/html (and */* prefers it); a client without Accept or asking for neither gets plain text.
ERROR_OFFER = offer((HTML, TEXT), strict=False, fallback="text")


def http_error(exc: HTTPException) -> Response:
    if exc.response is not None:  # a view built its own response (e.g. 406 with the offered formats)
        return exc.response
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]  # keeps Allow on 405
    message = f"{exc.code} {exc.name}: {exc.description}"
    if choose(request, ERROR_OFFER) is HTML:
        body = render_template("not_found.html", message=message, subject=request.path)
        return vary_on_accept(Response(body, exc.code, mimetype="text/html", headers=headers))
    return vary_on_accept(Response(message + "\n", exc.code, mimetype="text/plain", headers=headers))
