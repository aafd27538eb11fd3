"""Between data IRIs and this server's paths, and links that keep the current query.

The server maps its own host onto ``KG_BASE_URI``: the data IRI ``{base}id/massnahme/1`` is answered at
``/id/massnahme/1`` whatever host the request came to. The ``Host`` header is never trusted for anything absolute:
absolute URLs of this server come from configuration (``KG_PUBLIC_URL``, else ``KG_BASE_URI``), and redirects to
this server are relative.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Response, current_app, request

from server import state


def public_url(path: str = "") -> str:
    """This server's absolute address from configuration (``KG_PUBLIC_URL``, else ``KG_BASE_URI``), plus ``path``."""
    root = current_app.config.get("KG_PUBLIC_URL") or state.base()
    return root.rstrip("/") + "/" + path.lstrip("/")


def relative_redirects(response: Response) -> Response:
    """Make a redirect to this server relative: routing (``/dumps`` -> ``/dumps/``, ``//x`` -> ``/x``) builds its
    ``Location`` from the request's ``Host``, which the client chose (a cache would keep ``http://evil.example/…``)."""
    location = response.headers.get("Location")
    if not location or not 300 <= response.status_code < 400:
        return response
    parts = urlsplit(location)
    if parts.netloc and parts.netloc.lower() in {request.host.lower(), urlsplit(request.host_url).netloc.lower()}:
        path = "/" + parts.path.lstrip("/")  # never "//host": a protocol-relative Location leaves the site
        response.headers["Location"] = urlunsplit(("", "", path, parts.query, parts.fragment))
    return response


def local_path(iri: str, base: str | None = None) -> str | None:
    """The path under which this server answers for a data IRI, or None if it is not ours."""
    root = base or state.base()
    return "/" + iri[len(root):] if iri.startswith(root) else None


def link(iri: str, base: str | None = None) -> str:
    """Where a link to ``iri`` points: our own IRIs into this server, any other as it is."""
    return local_path(iri, base) or iri


def url_with(path: str, drop: tuple[str, ...] = (), **changes: object) -> str:
    """``path`` with the current query parameters, minus ``drop``, with ``changes`` replacing (None removes)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in drop and k not in changes and k != "lang"]
    args += [(k, v) for k, v in changes.items() if v is not None]
    return path + ("?" + urlencode(args) if args else "")


def group_anchor(predicate: str, main_type: str) -> str:
    """The id of a group of incoming links in a resource page's data section (``#in-Ziel-handlungsfeld``), for links
    to it from elsewhere on the page and from other pages (the overviews link a field's goals)."""
    def local(iri: str) -> str:
        return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    return f"in-{local(main_type) or 'ressourcen'}-{local(predicate)}"
