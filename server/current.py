"""What a request works on: the published build, the base of its URIs, and this server's path for a data IRI."""

from __future__ import annotations

from flask import current_app

from server.state import Published


def published() -> Published:
    """The build being served (a newer one is picked up by BuildState on its own)."""
    return current_app.extensions["kg"].current


def base() -> str:
    return current_app.config["KG_BASE_URI"]


def local_path(iri: str) -> str | None:
    """The path under which this server answers for a data IRI, or None if it is not ours."""
    root = base()
    return "/" + iri[len(root):] if iri.startswith(root) else None
