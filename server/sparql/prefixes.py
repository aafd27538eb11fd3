"""Predeclared prefixes: a query may use ``ik:``, ``skos:`` … without PREFIX lines, on the page and at the endpoint.

As the Wikidata Query Service does it: before the query goes to the guard and the engine, one line declaring every
predeclared prefix the query does not declare itself is put in front of it. Explicit declarations win (they are
left alone, and ours is not added). The added line shifts the engine's line numbers by one; :class:`Prepared` says
by how much, so messages name the line the user wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.sparql.query_text import declared_prefixes
from server.sparql_syntax import prefix_declarations
from server.sparql_syntax import prefixes as prefix_table

# The prefixes analysts use with this graph, in the order the page and the Service Description list them.
PREDECLARED = ("ik", "id", "skos", "dcterms", "org", "schema", "rdfs", "rdf", "xsd", "foaf", "prov", "dcat")


def predeclared(base: str) -> dict[str, str]:
    """Prefix -> namespace of every predeclared prefix (``ik:`` and ``id:`` on the configured base)."""
    table = prefix_table(base)
    return {name: table[name] for name in PREDECLARED}


@dataclass(frozen=True)
class Prepared:
    text: str            # what the guard and the engine get
    added: tuple[str, ...]  # predeclared prefixes put in front
    line_offset: int     # lines added before the user's first line

    def user_line(self, line: int) -> int:
        """The line of the user's text that the engine's ``line`` is."""
        return max(1, line - self.line_offset)


def prepare(query: str, base: str) -> Prepared:
    """``query`` with the predeclared prefixes it does not declare itself, on one line in front of it."""
    own = declared_prefixes(query)
    missing = tuple(name for name in PREDECLARED if name not in own)
    if not missing:
        return Prepared(query, (), 0)
    line = " ".join(prefix_declarations(base, missing))
    return Prepared(f"{line}\n{query}", missing, 1)
