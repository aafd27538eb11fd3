"""Waking the waiters of another web process: when a query frees one of the server's slots and the waiter next in rank
waits in another process, that process is told at once instead of finding out at its next look (a slot left idle for
a poll interval costs more than a short query takes).

Each web process listens on a Unix datagram socket in Linux's abstract namespace named after its pid (no file, gone
with the process); a ring is one datagram, sent without blocking – lost or refused, the waiter still looks again
after its poll interval, so a ring is only ever a shortcut.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterable

_PREFIX = "\0kg-query-slots-"


def _address(pid: int) -> str:
    return f"{_PREFIX}{pid}"


class Doorbell:
    def __init__(self) -> None:
        self._pid: int | None = None  # the process the listener runs in (a forked child needs its own)
        self._lock = threading.Lock()
        self._sender: socket.socket | None = None

    def listen(self, on_ring: Callable[[], None]) -> None:
        """In this process (once per process): call ``on_ring`` whenever another process rings it."""
        pid = os.getpid()
        with self._lock:
            if self._pid == pid:
                return
            self._pid = pid
            try:
                listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                listener.bind(_address(pid))
                self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                self._sender.setblocking(False)
            except OSError:  # no abstract namespace (not Linux): the waiters poll
                self._sender = None
                return

        def serve() -> None:
            while True:
                try:
                    listener.recv(64)
                except OSError:
                    return
                on_ring()

        threading.Thread(target=serve, name="kg-query-doorbell", daemon=True).start()

    def ring(self, pids: Iterable[int]) -> None:
        """Wake the waiters of the processes ``pids`` (this one excepted: it notifies its own)."""
        sender, own = self._sender, os.getpid()
        if sender is None or self._pid != own:
            return
        for pid in set(pids) - {own}:
            try:
                sender.sendto(b"!", _address(pid))
            except OSError:  # gone, or its queue of rings is full (then it wakes anyway)
                pass
