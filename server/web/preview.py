"""The clerk's preview (`kg serve --watch`): every page says when it was last rebuilt, and while the last rebuild
failed, it lists the findings above the content – the clerk sees them where they look, not only in a terminal.

Off unless ``KG_PREVIEW_STATUS`` names the status file kg.watch writes; a public server never sets it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from kg.watch import Status, read_status
from server.caches import per_file


def _read(path: Path) -> Status | None:
    return read_status(path) if path.exists() else None


def current(path: str) -> Status | None:
    """The status file's content, re-read only when the file changed (server.caches.per_file)."""
    return per_file(Path(path), _read)


def init_app(app: Flask) -> None:
    path = app.config.get("KG_PREVIEW_STATUS")
    if not path:
        return

    @app.context_processor
    def preview() -> dict:
        return {"preview": current(path)}
