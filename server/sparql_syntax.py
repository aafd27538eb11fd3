"""SPARQL text: the one PREFIX block and the one way to put an IRI or a string into a query.

Queries live in the ``queries.py`` module of the package that asks them; they are built with these helpers only,
so a value from a request or a template can never change a query's meaning.
"""

from __future__ import annotations

import re

from kg.namespaces import DEFAULT_BASE, PREFIXES
from server.caches import memoized

# Prefixes in the order the query form shows them; the server's own queries may use all of kg.namespaces.
FORM_PREFIXES = ("ik", "id", "skos", "dcterms", "org", "rdfs", "rdf", "xsd", "schema", "foaf", "prov")
ALL_PREFIXES = FORM_PREFIXES + tuple(name for name in PREFIXES if name not in FORM_PREFIXES)
# An IRI that is safe between <> (no spaces, quotes, brackets …).
_SAFE_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


def prefixes(base: str) -> dict[str, str]:
    """Prefix → namespace on the configured base (``ik:`` and ``id:`` move with it)."""
    table = {name: str(ns) for name, ns in PREFIXES.items()}
    table["id"] = DEFAULT_BASE + "id/"
    return {name: (base + iri[len(DEFAULT_BASE):] if iri.startswith(DEFAULT_BASE) else iri) for name, iri in table.items()}


def prefix_declarations(base: str, names: tuple[str, ...] = FORM_PREFIXES) -> list[str]:
    """``PREFIX name: <namespace>`` for each of ``names``, in their order."""
    table = prefixes(base)
    return [f"PREFIX {name}: <{table[name]}>" for name in names]


@memoized(32)  # the same few texts for every query a page asks
def prefix_block(base: str, names: tuple[str, ...] = FORM_PREFIXES) -> str:
    """``PREFIX`` lines for ``names`` (the query form's by default, :data:`ALL_PREFIXES` for the server's own)."""
    return "".join(line + "\n" for line in prefix_declarations(base, names))


def iri(value: object) -> str:
    """``<value>`` for a query; raises ValueError for anything that is not a plain http(s) IRI."""
    text = str(value or "")
    if not _SAFE_IRI.fullmatch(text):
        raise ValueError(f"not an IRI that can be quoted in SPARQL: {text[:80]!r}")
    return f"<{text}>"


def literal(value: str) -> str:
    """A SPARQL string literal holding ``value`` exactly."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'
