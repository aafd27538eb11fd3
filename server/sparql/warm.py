"""The SPARQL part of a web process's warm-up (server/serving/warm.py): its query processes are started and open the
served build's on-disk database, so the first queries after a start find them ready; a query that comes before waits
for the first one, pages never wait."""

from __future__ import annotations

import logging

from flask import Flask

from server.sparql.pool import GraphRef
from server.sparql.views import POOL


def start_query_processes(app: Flask, log: logging.Logger) -> int:
    """Start ``app``'s query processes for the build it serves (starting one waits for the forkserver's imports)."""
    pool = app.extensions.get(POOL)
    if pool is None:
        return 0
    with app.app_context():
        published = app.extensions["kg"].current
        started = pool.prestart(GraphRef.of(published, app.config["KG_SPARQL_ENDPOINT"]))
    log.info("%d SPARQL query processes started for build %s", started, published.etag)
    return started
