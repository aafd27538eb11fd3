"""Server settings: defaults, overridden by environment variables (KG_*), overridden by create_app(config)."""

from __future__ import annotations

import os
from pathlib import Path

from kg.build import ROOT
from kg.namespaces import base_uri

# name -> (default, type, description); the README's configuration table lists every one (tests/app/test_readme.py).
SETTINGS = {
    "KG_BUILD_DIR": (str(ROOT / "build"), str, "Build directory (symlink switched by `kg build`) the server reads"),
    "KG_BASE_URI": (None, str, "Base of all data URIs; the server maps its own host onto it"),
    "KG_PUBLIC_URL": ("", str, "The server's public address for absolute URLs (SPARQL endpoint); default KG_BASE_URI; never from Host"),
    "KG_QUERY_TIMEOUT": (10.0, float, "Hard limit in seconds for one SPARQL query (503 when exceeded)"),
    "KG_MAX_ROWS": (10000, int, "Row cap for SPARQL results; truncation is flagged, never silent"),
    "KG_MAX_RESULT_MB": (16, float, "Size cap of a SPARQL answer in MB in every format (HTML page included); truncation is flagged"),
    "KG_MAX_QUERY_LENGTH": (20000, int, "Maximum SPARQL query length in characters (413 when exceeded)"),
    "KG_QUERY_WORKERS": (4, int, "SPARQL queries evaluated at once by the whole server (all web processes together); more wait, then get 503"),
    "KG_QUERY_QUEUE_WAIT": (5.0, float, "Seconds a SPARQL query waits for a free worker before 503"),
    "KG_QUERY_QUEUE": (12, int, "SPARQL queries that may wait at once per web process (each holds one of its threads); more get 503"),
    "KG_CLIENT_QUERIES": (2, int, "SPARQL queries one client (address) may run or have waiting at once; more get 429"),
    "KG_CLIENT_QUERY_SECONDS": (30.0, float, "Query-seconds one client may use per KG_CLIENT_WINDOW; beyond, 429 until its use drains"),
    "KG_CLIENT_WINDOW": (60.0, float, "Seconds over which a client's query-seconds are counted (and a long query marks it heavy)"),
    "KG_QUERY_RESERVED": (2, int, "Of the server's query slots, those kept for clients without a recent long query (over KG_QUERY_SHARE of CPU)"),
    "KG_QUERY_SHARE": (1.0, float, "Seconds a query may hold its slot while less busy clients wait (then 503); this much CPU makes its client heavy"),
    "KG_TRUSTED_PROXIES": ("", str, "Addresses/networks of reverse proxies whose X-Forwarded-For/-Proto are believed (e.g. 127.0.0.1); empty = none"),
    "KG_QUERY_MEMORY_MB": (1024, int, "Extra memory one SPARQL query may use before its worker is stopped (503); 0 = no limit"),
    "KG_QUERY_CACHE_MB": (64, int, "Memory per server process for SPARQL answers kept per build (repeated queries); 0 = off"),
    "KG_RIS_URL_TEMPLATE": ("", str, "Link template to the council information system, e.g. https://ris.example/{key}; off when empty"),
    "KG_SPARQL_ENDPOINT": ("", str, "External SPARQL 1.1 query endpoint holding the graph (instead of the embedded store); empty = embedded"),
    "KG_URI_REGISTRY": (str(ROOT / "data" / "uri-registry.csv"), str, "Registry of retired (410) and moved (301) URIs"),
    "KG_CATALOG_SETTINGS": (str(ROOT / "catalog.toml"), str, "DCAT-AP.de catalog settings (publisher, licence, contact, contributor ID)"),
    "KG_RELEASES_DIR": (str(ROOT / "releases"), str, "Directory of the releases (`kg release`): change lists, /aenderungen, /release/<name>/"),
    "KG_RELEASE_VIEW": ("", str, "Set by the server itself for the app that serves one old release under /release/<name>/ (empty: the current site)"),
    "KG_RELOAD_CHECK_SECONDS": (2.0, float, "How often the server looks for a newer build"),
    "KG_MAX_AGE": (300, int, "Longest time in seconds a browser or cache (nginx proxy_cache) may keep an answer before asking again"),
    "KG_SHORTLINK_DB": (str(ROOT / "var" / "abfragen.sqlite"), str, "SQLite file of the query short links (/abfrage/<id>), outside the build"),
    "KG_SHORTLINK_MAX_MB": (20.0, float, "Most query text the short-link file holds; beyond it new links are refused (507), old ones work"),
    "KG_SHORTLINK_RATE": (30, int, "New short links one client (address) may make per hour (then 429 with Retry-After)"),
    "KG_PREVIEW_STATUS": ("", str, "Preview only (set by `kg serve --watch`): status file of the last rebuild, shown on every page"),
}

# Who runs this site, for the imprint (/impressum) and the accessibility statement (/barrierefreiheit). Empty values
# are shown as clearly marked placeholders: the operator has to fill them in, nothing is guessed.
OPERATOR_SETTINGS = {
    "KG_OPERATOR_NAME": ("", str, "Operator of the site (imprint, accessibility statement), e.g. the publishing authority"),
    "KG_OPERATOR_ADDRESS": ("", str, "Postal address of the operator; lines separated by `|`"),
    "KG_OPERATOR_CONTACT": ("", str, "General contact of the operator (e-mail address and/or phone); an e-mail address becomes a link"),
    "KG_OPERATOR_REPRESENTATIVE": ("", str, "Who represents the operator legally (imprint: „vertreten durch“)"),
    "KG_ACCESSIBILITY_CONTACT": ("", str, "Contact for reporting accessibility barriers; falls back to KG_OPERATOR_CONTACT"),
    "KG_ACCESSIBILITY_REVIEWED": ("", str, "Date the accessibility statement was last reviewed (e.g. 2026-11-27)"),
    "KG_ENFORCEMENT_BODY": ("", str, "Enforcement/arbitration body named in the accessibility statement (name and contact)"),
}
SETTINGS.update(OPERATOR_SETTINGS)


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
    # No request needs a body larger than the longest query, percent-encoded (12 bytes a character at most): werkzeug
    # refuses more with 413 while reading, chunked bodies included (and the form parser holds no more in memory).
    config.setdefault("MAX_CONTENT_LENGTH", max_body_bytes(int(config["KG_MAX_QUERY_LENGTH"])))
    config.setdefault("MAX_FORM_MEMORY_SIZE", config["MAX_CONTENT_LENGTH"])
    return config


def max_body_bytes(max_query_length: int) -> int:
    """The largest request body worth reading: the longest query, percent-encoded, plus the other parameters."""
    return 12 * max_query_length + 4096
