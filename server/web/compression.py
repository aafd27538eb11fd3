"""gzip/brotli for text responses, by flask-compress (a maintained library, not hand-written code).

Pages, CSS/JS, JSON and RDF documents are compressed. Two kinds of answer pass untouched: the build's dump files
(``dumps.download``, sent from disk with their SHA-256 as ETag and their exact length, and mostly fetched by
programs) and SPARQL results (streamed under the endpoint's byte limits; server/sparql), which still say
``Vary: Accept-Encoding`` like the query page of the same URL. Registered before the
language hook, so it runs after it and extends the final ETag (``…-en:br``).
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

TEXT_TYPES = [
    "text/html", "text/css", "text/javascript", "application/javascript", "text/plain", "text/csv",
    "application/json", "application/ld+json", "application/problem+json", "application/xml", "image/svg+xml",
    "text/turtle", "application/n-triples", "application/rdf+xml", "application/x-bibtex",
    "application/vnd.citationstyles.csl+json",
]
PAGE_TYPES = ("text/html", "text/css", "text/javascript", "application/javascript")


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", TEXT_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    app.config["COMPRESS_REGISTER"] = False  # registered below, for the endpoints it may touch
    compress = Compress(app)

    def compressed(response: Response) -> Response:
        endpoint = request.endpoint or ""
        if endpoint == "dumps.download":
            return response
        if endpoint.startswith("sparql.") and endpoint != "sparql.static" and response.mimetype not in PAGE_TYPES:
            # Results stay as the endpoint streamed them; Vary as on its compressed query page, 304s included.
            response.vary.update(["Accept-Encoding"])  # compression's own Vary (Accept belongs to negotiation)
            return response
        return compress.after_request(response)

    app.after_request(compressed)
