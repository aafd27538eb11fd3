"""HTTP caching for answers that depend only on the published build: ETag, Last-Modified, Cache-Control, 304."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, current_app, request

from server.web.cors import open_to_all

MAX_AGE = 60  # seconds; a new build may appear at any time, revalidation is cheap (ETag / Last-Modified)


def for_build(response: Response, etag: str, modified: float | datetime, machine: bool = True,
              max_age: int = MAX_AGE) -> Response:
    """Mark ``response`` cacheable until the build changes; answer a conditional request with 304.

    ``machine``: a format for programs, which browsers on other sites may read too (CORS).
    """
    response.set_etag(etag)
    response.last_modified = modified if isinstance(modified, datetime) else datetime.fromtimestamp(modified, UTC)
    response.cache_control.public = True
    # KG_MAX_AGE caps every lifetime: a cache in front (deploy/nginx.conf) serves a new build at most that late.
    response.cache_control.max_age = min(max_age, int(current_app.config.get("KG_MAX_AGE", max_age)))
    if response.mimetype == "text/html":
        # Pages come in the interface language, remembered in a cookie (server.i18n). Said here, before a 304
        # replaces the page: a 304 must vary on what its 200 varies on.
        response.vary.add("Cookie")
    if machine:
        open_to_all(response)
    return response.make_conditional(request)


def not_cached(response: Response) -> Response:
    """An answer that changes without a new build (e.g. it carries today's date)."""
    response.headers["Cache-Control"] = "no-cache"
    return response
