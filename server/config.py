"""Server settings: defaults, overridden by environment variables (KG_*), overridden by create_app(config)."""

from __future__ import annotations

import os
from pathlib import Path

from kg.build import ROOT
from kg.namespaces import base_uri
from server.legal import OPERATOR_SETTINGS

# name -> (default, type, description); the README's configuration table lists every one (tests/test_readme.py).
SETTINGS = {
    "KG_BUILD_DIR": (str(ROOT / "build"), str, "Build directory (symlink switched by `kg build`) the server reads"),
    "KG_BASE_URI": (None, str, "Base of all data URIs; the server maps its own host onto it"),
    "KG_QUERY_TIMEOUT": (10.0, float, "Hard limit in seconds for one SPARQL query (503 when exceeded)"),
    "KG_MAX_ROWS": (10000, int, "Row cap for SPARQL results; truncation is flagged, never silent"),
    "KG_MAX_QUERY_LENGTH": (20000, int, "Maximum SPARQL query length in characters (413 when exceeded)"),
    "KG_QUERY_WORKERS": (2, int, "Concurrent SPARQL executions per server process; more wait, then get 503"),
    "KG_QUERY_QUEUE_WAIT": (2.0, float, "Seconds a SPARQL query waits for a free worker before 503"),
    "KG_QUERY_MEMORY_MB": (1024, int, "Extra memory one SPARQL query may use before its worker is stopped (503); 0 = no limit"),
    "KG_QUERY_CACHE_MB": (64, int, "Memory per server process for SPARQL answers kept per build (repeated queries); 0 = off"),
    "KG_RIS_URL_TEMPLATE": ("", str, "Link template to the council information system, e.g. https://ris.example/{key}; off when empty"),
    "KG_SPARQL_ENDPOINT": ("", str, "External SPARQL 1.1 query endpoint holding the graph (instead of the embedded store); empty = embedded"),
    "KG_URI_REGISTRY": (str(ROOT / "data" / "uri-registry.csv"), str, "Registry of retired (410) and moved (301) URIs"),
    "KG_CATALOG_SETTINGS": (str(ROOT / "catalog.toml"), str, "DCAT-AP.de catalog settings (publisher, licence, contact, contributor ID)"),
    "KG_RELOAD_CHECK_SECONDS": (2.0, float, "How often the server looks for a newer build"),
}


SETTINGS.update(OPERATOR_SETTINGS)  # imprint and accessibility statement: the operator fills these in


def load(overrides: dict | None = None) -> dict:
    config = {}
    for name, (default, kind, _doc) in SETTINGS.items():
        raw = os.environ.get(name)
        config[name] = kind(raw) if raw not in (None, "") else default
    config["KG_BASE_URI"] = config["KG_BASE_URI"] or base_uri()
    if not config["KG_BASE_URI"].endswith("/"):
        config["KG_BASE_URI"] += "/"
    config.update(overrides or {})
    config["KG_BUILD_DIR"] = str(Path(config["KG_BUILD_DIR"]))
    return config
