"""A gunicorn worker that serves with waitress: gunicorn's supervision, waitress's way with slow clients.

Measured (bench/servers.py): gunicorn's threaded worker gives each connection a thread while it reads the request, so
40 slowloris connections (a header line every few seconds, never finished) took all 16 threads of ``--workers 2
--threads 8`` and other clients waited for minutes. waitress reads every request and writes every answer in an
asynchronous loop and hands only complete requests to its threads: slow connections cost a socket and a buffer, not a
thread. gunicorn stays on top for what waitress does not do: several processes, a process killed or crashed is
replaced, graceful restarts, the heartbeat. Each gunicorn worker runs waitress on the listening sockets gunicorn
opened, with the request limits of the app (body size from ``MAX_CONTENT_LENGTH``).
"""

from __future__ import annotations

import logging
import os

from gunicorn.workers import base
from waitress import wasyncore
from waitress.server import create_server

LOOP_SECONDS = 1.0  # one poll of waitress's loop; then the heartbeat, the parent and the stop flag are looked at
HEADER_BYTES = 64 * 1024  # request line and headers (a GET query is at most ~4 KB, see server/sparql/page.py)


def waitress_settings(cfg, app) -> dict:
    """waitress's adjustments from gunicorn's settings and the app's limits."""
    config = getattr(app, "config", {})
    return {
        "threads": max(1, cfg.threads),
        "connection_limit": cfg.worker_connections,     # open connections per process; slow ones wait cheaply
        "channel_timeout": max(30, cfg.keepalive),      # a connection silent this long is closed
        "cleanup_interval": 10,
        "max_request_header_size": HEADER_BYTES,
        "max_request_body_size": int(config.get("MAX_CONTENT_LENGTH") or 1024 * 1024),  # refused while reading
        "asyncore_use_poll": True,                       # no 1024-descriptor limit of select()
        "ident": None,                                   # no Server header naming the software
        "clear_untrusted_proxy_headers": False,          # the app decides whom to believe (server.web.proxies)
        "expose_tracebacks": False,
    }


class WaitressWorker(base.Worker):
    def run(self) -> None:
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is 1": normal under load
        sockets = [listener.sock for listener in self.sockets]
        for sock in sockets:
            sock.setblocking(False)
        server = create_server(self.wsgi, sockets=sockets, **waitress_settings(self.cfg, self.wsgi))
        socket_map = getattr(server, "map", None) or server._map
        try:
            while self.alive:
                self.notify()
                if self.ppid != os.getppid():
                    self.log.info("Parent changed, shutting down: %s", self)
                    break
                wasyncore.loop(timeout=LOOP_SECONDS, use_poll=True, map=socket_map, count=1)
        finally:
            server.task_dispatcher.shutdown(cancel_pending=True, timeout=self.cfg.graceful_timeout)
            wasyncore.close_all(socket_map)
