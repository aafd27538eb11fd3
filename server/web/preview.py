"""The clerk's preview (`kg serve --watch`): every page says when it was last rebuilt, and while the last rebuild
failed, it lists the findings above the content – the clerk sees them where they look, not only in a terminal.

Off unless ``KG_PREVIEW_STATUS`` names the status file kg.watch writes; a public server never sets it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask

from kg.watch import Status, read_status

_lock = threading.Lock()
_cached: dict[str, tuple[int, Status | None]] = {}


def current(path: str) -> Status | None:
    """The status file's content, re-read only when the file changed."""
    try:
        stamp = Path(path).stat().st_mtime_ns
    except OSError:
        return None
    with _lock:
        if _cached.get(path, (None,))[0] != stamp:
            _cached[path] = (stamp, read_status(Path(path)))
        return _cached[path][1]


def init_app(app: Flask) -> None:
    path = app.config.get("KG_PREVIEW_STATUS")
    if not path:
        return

    @app.context_processor
    def preview() -> dict:
        return {"preview": current(path)}
