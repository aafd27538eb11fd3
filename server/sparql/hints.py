"""The hint after an empty result: the query names a class or property that does not occur in the graph.

A misspelt class (``ik:Massnahmen``) answers with 0 rows and no error; this names the term and the nearest ones
that do occur. Only vocabulary namespaces are checked (ik:, skos:, dcterms: …), not things (id:) or datatypes
(xsd:), which a query may well name without their being classes or properties of the graph.
"""

from __future__ import annotations

from server.sparql.errors import Problem
from server.sparql.prefixes import predeclared
from server.sparql.query_text import declared_prefixes, tokens
from server.sparql.vocabulary import Vocabulary, short_name

NOT_VOCABULARY = ("id", "xsd")


def unknown_terms(query: str, vocabulary: Vocabulary, base: str) -> list[tuple[str, str, int, int]]:
    """(name as written, IRI, line, column) of each vocabulary term in ``query`` that the graph does not have."""
    table = {**predeclared(base), **declared_prefixes(query)}
    namespaces = tuple(iri for name, iri in predeclared(base).items() if name not in NOT_VOCABULARY)
    found, seen, previous = [], set(), None
    for token in tokens(query):
        after_prefix = previous is not None and previous.kind == "word" and previous.text.upper() == "PREFIX"
        previous = token
        if token.kind == "pname" and not after_prefix:
            prefix, local = token.text.split(":", 1)
            if prefix not in table or not local:
                continue
            iri = table[prefix] + local
        elif token.kind == "iri" and not after_prefix:
            iri = token.text[1:-1]
        else:
            continue
        if iri.startswith(namespaces) and iri not in vocabulary and iri not in seen:
            seen.add(iri)
            found.append((token.text, iri, token.line, token.column))
    return found


def empty_result_hint(query: str, vocabulary: Vocabulary, base: str) -> Problem | None:
    unknown = unknown_terms(query, vocabulary, base)
    if not unknown:
        return None
    table = predeclared(base)
    written, iri, line, column = unknown[0]
    nearest = [short_name(t.iri, table) for t in vocabulary.nearest(iri)]
    others = [w for w, *_ in unknown[1:]]
    also_de = f" Ebenso nicht: {', '.join(others)}." if others else ""
    also_en = f" Neither do: {', '.join(others)}." if others else ""
    if nearest:
        return Problem(f"Kein Ergebnis – {written} (Zeile {line}) kommt im Graphen nicht vor. Meinten Sie {' oder '.join(nearest)}?{also_de}",
                       f"No result – {written} (line {line}) does not occur in the graph. Did you mean {' or '.join(nearest)}?{also_en}",
                       line, column)
    return Problem(f"Kein Ergebnis – {written} (Zeile {line}) kommt im Graphen nicht vor.{also_de}",
                   f"No result – {written} (line {line}) does not occur in the graph.{also_en}", line, column)
