"""The client address that per-client limits count by (server.web.proxies.client_address)."""

from __future__ import annotations

import pytest
from flask import Flask

from server.web.proxies import TrustedProxies, client_address, networks


@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    ("198.51.100.7", None, "198.51.100.7"),
    ("2001:db8:1:2:aaaa::1", None, "2001:db8:1:2::/64"),  # any address of one /64 is one client
    ("2001:db8:1:2:ffff::9", None, "2001:db8:1:2::/64"),
    ("::ffff:198.51.100.7", None, "::ffff:198.51.100.7"),  # an IPv4 client seen over IPv6 stays itself
    ("198.51.100.7", "203.0.113.5", "198.51.100.7"),  # not a trusted proxy: its header is ignored
    ("127.0.0.1", "203.0.113.5", "203.0.113.5"),  # the trusted proxy names the client
    ("127.0.0.1", "2001:db8:9::5", "2001:db8:9::/64"),
])
def test_the_client_is_the_peer_or_what_a_trusted_proxy_says_and_an_ipv6_client_its_64_network(peer, forwarded, expected):
    app = Flask(__name__)
    seen = []

    @app.get("/")
    def who():
        seen.append(client_address())
        return ""

    app.wsgi_app = TrustedProxies(app.wsgi_app, networks("127.0.0.1"))
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    app.test_client().get("/", headers=headers, environ_base={"REMOTE_ADDR": peer})
    assert seen == [expected]
