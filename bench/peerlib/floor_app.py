"""What the floor benchmark serves (bench/floor.py): a fixed answer with nothing behind it.

``bare`` is a WSGI app that returns the bytes of ``KG_FLOOR_BODY`` (a real lookup answer); ``flask_app`` returns the same
through one Flask route. Both carry ``extensions`` so that kg serve's gunicorn settings (their warm-up hook) take them.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response

BODY = Path(os.environ.get("KG_FLOOR_BODY", "/dev/null")).read_bytes()
TYPE = "application/sparql-results+json"


class Bare:
    extensions: dict = {}  # nothing to warm up (server/serving/warm.py looks here)

    def __call__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", TYPE), ("Content-Length", str(len(BODY)))])
        return [BODY]


bare = Bare()
flask_app = Flask(__name__)


@flask_app.route("/sparql")
def answer() -> Response:
    return Response(BODY, mimetype=TYPE)

