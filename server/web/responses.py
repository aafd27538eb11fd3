"""Answers that many routes give alike: JSON bodies, problem answers (JSON or an HTML page), downloads."""

from __future__ import annotations

import json

from flask import Request, Response, render_template

from server.formats import HTML, JSON
from server.web.negotiation import choose, offer, vary_on_accept


def json_response(payload: object, status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, indent=1)
    return Response(body, status=status, mimetype="application/json")


def problem(request: Request, status: int, payload: dict, template: str, **context) -> Response:
    """An error answer as JSON or as an HTML page (template gets ``problem`` = payload plus ``context``)."""
    if choose(request, offer((HTML, JSON), strict=False)) is JSON:
        response = json_response(payload, status)
    else:
        response = Response(render_template(template, problem=payload, status=status, **context), status=status,
                            mimetype="text/html")
    vary_on_accept(response)
    return response


def download(body: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
