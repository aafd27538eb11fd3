"""Who the client is: the peer address, or what a configured trusted reverse proxy says it is.

Forwarding headers (``X-Forwarded-For``, ``-Proto``, ``-Host`` …) are believed only when the request comes from an
address in ``KG_TRUSTED_PROXIES``; then werkzeug's ProxyFix takes the client address and scheme from the one hop that
proxy added. From anyone else they are dropped before the app sees them, so no code can be tempted by them. The host
is never taken from them (nor from ``Host``) for absolute URLs: those come from configuration (:mod:`server.web.urls`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDING = ("HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
              "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_X_REAL_IP")


def client_address() -> str:
    """Who sent this request, for per-client limits (query shares, short-link rate): the peer address, or the client a
    trusted proxy names (TrustedProxies has put it in REMOTE_ADDR). An IPv6 client counts as its /64 network – one
    connection is usually given a whole /64, so single addresses would cost it nothing to change."""
    address = request.remote_addr or "-"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return address


def networks(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``KG_TRUSTED_PROXIES``: addresses or networks, separated by commas or spaces (``127.0.0.1, 10.0.0.0/8``)."""
    return [ipaddress.ip_network(item, strict=False) for item in setting.replace(",", " ").split()]


class TrustedProxies:
    """WSGI middleware: ProxyFix for requests from a trusted proxy, forwarding headers dropped for all others."""

    def __init__(self, app: Callable, trusted: Iterable) -> None:
        self.app = app
        self.trusted = list(trusted)
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=0, x_port=0, x_prefix=0)

    def __call__(self, environ: dict, start_response: Callable):
        if self._trusted(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        for name in FORWARDING:
            environ.pop(name, None)
        return self.app(environ, start_response)

    def _trusted(self, address: str) -> bool:
        try:
            peer = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(peer in network for network in self.trusted)
