"""Runs queries on Oxigraph the way a query process does, but on the main thread's default stack and without the
guard: what the guard lets through must not crash it. Reads one JSON-encoded query per line from stdin, writes
"ok" or "error" per query; a crash ends the process (the test sees the signal)."""

import json
import sys

import pyoxigraph as ox

store = ox.Store()
store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("1")))
for line in sys.stdin:
    query = json.loads(line)
    try:
        results = store.query(query)
        if not isinstance(results, ox.QueryBoolean):
            for _ in results:
                pass
        print("ok", flush=True)
    except Exception:  # a syntax or evaluation error is an answer, not a crash
        print("error", flush=True)
