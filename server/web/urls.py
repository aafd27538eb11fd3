"""Between data IRIs and this server's paths, and links that keep the current query.

The server maps its own host onto ``KG_BASE_URI``: the data IRI ``{base}id/massnahme/1`` is answered at
``/id/massnahme/1`` whatever host the request came to.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, request


def configured_base() -> str:
    return current_app.config["KG_BASE_URI"]


def local_path(iri: str, base: str | None = None) -> str | None:
    """The path under which this server answers for a data IRI, or None if it is not ours."""
    root = base or configured_base()
    return "/" + iri[len(root):] if iri.startswith(root) else None


def link(iri: str, base: str | None = None) -> str:
    """Where a link to ``iri`` points: our own IRIs into this server, any other as it is."""
    return local_path(iri, base) or iri


def url_with(path: str, drop: tuple[str, ...] = (), **changes: object) -> str:
    """``path`` with the current query parameters, minus ``drop``, with ``changes`` replacing (None removes)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in drop and k not in changes and k != "lang"]
    args += [(k, v) for k, v in changes.items() if v is not None]
    return path + ("?" + urlencode(args) if args else "")
