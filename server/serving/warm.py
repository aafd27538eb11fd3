"""A web process warms up as it starts: what the app registered under ``app.extensions[WARM_UP]`` (the SPARQL query
processes, server/sparql/warm.py) is started in a thread, while the web process begins to serve (issue 18: at 100×
the first answers after a start waited tens of seconds while every process parsed graph.nt)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask

WARM_UP = "kg_warm_up"  # app.extensions: callables (each given a logger) run once when a web process starts


def warm(app: Flask, log: logging.Logger | None = None) -> threading.Thread | None:
    """Run ``app``'s warm-ups in a thread of their own; the web process serves meanwhile."""
    log = log or logging.getLogger(__name__)
    steps: list[Callable[[logging.Logger], None]] = list(app.extensions.get(WARM_UP, ()))
    if not steps:
        return None

    def run() -> None:
        for step in steps:
            try:
                step(log)
            except Exception as exc:  # noqa: BLE001 - a warm-up is an optimisation: what it would start starts later
                log.warning("Aufwärmen fehlgeschlagen / warm-up failed: %s", exc)

    thread = threading.Thread(target=run, name="kg-warm", daemon=True)
    thread.start()
    return thread
