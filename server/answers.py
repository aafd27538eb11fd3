"""Format choice and problem answers for the non-RDF answers of this project (resolvers, indexes, URI status).

``server.negotiation`` serves RDF documents and maps ``?format=json`` to JSON-LD; the answers here are plain
JSON, so they choose among their own small set of media types.
"""

from __future__ import annotations

import json

from flask import Request, Response, render_template

MEDIA_TYPES = {"html": "text/html", "json": "application/json", "ttl": "text/turtle"}


def choose_format(request: Request, offered: tuple[str, ...] = ("html", "json"), default: str = "html") -> str:
    """``?format=`` wins when it names an offered format; else the best ``Accept`` match; ties go to ``default``."""
    explicit = request.args.get("format", "").strip().lower()
    if explicit == "turtle":
        explicit = "ttl"
    if explicit in offered:
        return explicit
    if not request.headers.get("Accept", "").strip():
        return default
    ordered = [MEDIA_TYPES[default]] + [MEDIA_TYPES[f] for f in offered if f != default]
    best = request.accept_mimetypes.best_match(ordered)
    return next((f for f in offered if MEDIA_TYPES[f] == best), default)


def json_response(payload: object, status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, indent=1)
    return Response(body, status=status, mimetype="application/json")


def problem(request: Request, status: int, payload: dict, template: str, **context) -> Response:
    """An error answer as JSON or as an HTML page (template gets ``problem`` = payload plus ``context``)."""
    if choose_format(request) == "json":
        response = json_response(payload, status)
    else:
        response = Response(render_template(template, problem=payload, status=status, **context), status=status,
                            mimetype="text/html")
    response.vary.add("Accept")
    return response
