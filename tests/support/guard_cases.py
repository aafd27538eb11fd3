"""A local stand-in for a remote SPARQL service, and the two readings of a query the read-only guard must both refuse.

As written, ``"a\\u005C"`` is a closed string and the SERVICE after it a keyword: how Oxigraph reads it, and its
server runs that call (tests/sparql/test_remote.py shows it); read with escapes expanded, the SERVICE lies inside the
string ``"a\\" AS ?x) SERVICE … BIND("``. With escapes expanded first (SPARQL 1.1 §19.2, how rdflib
and spec-following engines read it) ``\\u0053ERVICE`` is SERVICE, and rdflib's engine runs that call.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

AS_WRITTEN = 'SELECT * WHERE {{ BIND("a\\u005C" AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} BIND("b" AS ?y) }}'
ESCAPED = {
    "u-escape": "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "U-escape": "SELECT * WHERE {{ \\U00000053\\u0045RVICE <{url}> {{ ?s ?p ?o }} }}",
    "lower-case": "SELECT * WHERE {{ \\u0073ervice SILENT <{url}> {{ ?s ?p ?o }} }}",
}
BOTH_READINGS = {"as-written": AS_WRITTEN, **ESCAPED}
SERVICE_REFUSED = "SERVICE (föderierte Abfrage) ist nicht erlaubt: dieser Endpunkt ruft keine anderen Dienste ab."


@contextmanager
def listening(seconds: float = 1.5) -> Iterator[tuple[str, list[bytes]]]:
    """A socket on 127.0.0.1 posing as a SPARQL service: yields its URL and the list of what connected to it, which
    is complete once the block has ended (it waits up to ``seconds`` for a late connection)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(seconds)
    connected: list[bytes] = []

    def accept() -> None:
        try:
            conn, _ = server.accept()
            connected.append(conn.recv(300) or b"(connected, sent nothing)")
            conn.close()
        except OSError:
            pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql", connected
    finally:
        thread.join()
        server.close()
