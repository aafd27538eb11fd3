"""Keep the endpoint read-only and closed: no updates, no SERVICE, no FROM to other graphs.

The check works on the query's tokens, not its characters: a lexer skips strings, IRIs, comments,
prefixed names and variables, so ``FILTER(?x = "SERVICE")`` or ``?from`` pass while the keyword
``SERVICE`` is refused. It lexes the text twice — as written (how Oxigraph reads it) and with
``\\uXXXX`` escapes expanded first (how the SPARQL spec and rdflib read it) — and refuses if either
reading shows a forbidden keyword, so an escape trick cannot hide one. The rare query with ``FROM``
is parsed with rdflib's SPARQL parser to resolve its graph IRIs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import rdflib.plugins.sparql
from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from server.web.untrusted import shown

# rdflib must never fetch a graph named in FROM (it would, by default, when evaluating a query).
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING"}
MAX_NESTING = 200  # far beyond real queries; deeper ones overflow the engine's recursive parser
RDFLIB_DEFAULT_GRAPH = "urn:x-rdflib:default"  # what rdflib's SPARQLStore sends as default-graph-uri for Dataset()

_ECHAR = r"""(?:\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})"""
_STRINGS = "|".join((
    "'''(?:(?:'|'')?(?:[^'\\\\]|" + _ECHAR + "))*'''",
    '"""(?:(?:"|"")?(?:[^"\\\\]|' + _ECHAR + '))*"""',
    "'(?:[^'\\\\\\r\\n]|" + _ECHAR + ")*'",
    '"(?:[^"\\\\\\r\\n]|' + _ECHAR + ')*"',
))
# Tried in order at each position: the grammar's terminals, loosely where that cannot hide a keyword.
_TOKEN = re.compile("|".join((
    r"(?P<space>\s+)",
    r"(?P<comment>#[^\r\n]*)",
    r"""(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)""",
    f"(?P<string>{_STRINGS})",
    r"(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    r"(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)",
    r"(?P<bnode>_:[\w.\-\u00B7]+)",
    r"(?P<pname>(?:[^\W\d_][\w.\-\u00B7]*)?:(?:[\w.\-:\u00B7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])*)",
    r"(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)",
    r"(?P<word>[^\W\d]\w*)",
    r"(?P<other>.)",
)), re.DOTALL)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class Refused(Exception):
    """The query is not allowed here; ``status`` is the HTTP status to answer with."""

    def __init__(self, german: str, english: str, status: int = 400) -> None:
        self.german, self.english, self.status = german, english, status
        super().__init__(f"{german} / {english}")


@dataclass(frozen=True)
class QueryShape:
    form: str | None                 # SELECT, ASK, CONSTRUCT, DESCRIBE; None if unrecognisable (the engine will say why)
    uses_own_graph_only: bool = False  # FROM named only this dataset's own graph


def keywords(text: str) -> list[str]:
    """The bare words of a query in order, upper-cased: its keywords and function names."""
    return _scan(text)[0]


def _scan(text: str) -> tuple[list[str], int]:
    """Bare words and the deepest nesting of brackets outside strings, IRIs and comments."""
    words, depth, deepest = [], 0, 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "word":
            words.append(m.group().upper())
        elif kind == "other":
            if m.group() in "({[":
                depth += 1
                deepest = max(deepest, depth)
            elif m.group() in ")}]":
                depth -= 1
    return words, deepest


def expand_escapes(text: str) -> str:
    """SPARQL 1.1 §19.2: ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes are processed before parsing."""
    def replace(m: re.Match) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            return m.group()
    return _UNICODE_ESCAPE.sub(replace, text)


def inspect(query: str, own_graphs: set[str]) -> QueryShape:
    """Refuse updates, SERVICE and FROM to any graph but ours; return the query form otherwise."""
    as_written, depth = _scan(query)
    unescaped, depth_unescaped = _scan(expand_escapes(query))
    if max(depth, depth_unescaped) > MAX_NESTING:
        raise Refused(
            f"Die Abfrage ist zu tief verschachtelt (mehr als {MAX_NESTING} Klammerebenen).",
            f"The query is nested too deeply (more than {MAX_NESTING} levels of brackets).")
    found = set(as_written) | set(unescaped)
    updates = sorted(found & UPDATE_KEYWORDS)
    if updates:
        raise Refused(
            f"Nur lesende Abfragen: SPARQL Update ({', '.join(updates)}) ist an diesem Endpunkt nicht erlaubt.",
            f"Read-only endpoint: SPARQL Update ({', '.join(updates)}) is not allowed here.")
    if "SERVICE" in found:
        raise Refused(
            "SERVICE (föderierte Abfrage) ist nicht erlaubt: dieser Endpunkt ruft keine anderen Dienste ab.",
            "SERVICE (federated query) is not allowed: this endpoint does not contact other services.")
    form = next((w for w in as_written if w not in ("PREFIX", "BASE")), None)
    form = form if form in QUERY_FORMS else None
    if "FROM" in found:
        _check_dataset_clause(query, own_graphs)
        return QueryShape(form, uses_own_graph_only=True)
    return QueryShape(form)


def _check_dataset_clause(query: str, own_graphs: set[str]) -> None:
    try:
        parsed = translateQuery(parseQuery(query))
    except ParseException as exc:
        problem = f"{exc.msg} (Zeile/line {exc.lineno}, Spalte/column {exc.col})"
    except Exception as exc:  # rdflib's algebra raises plain Exception, e.g. for an undeclared prefix
        problem = shown(str(exc))
    else:
        problem = None
    if problem:
        raise Refused(f"FROM konnte nicht geprüft werden, die Abfrage ist fehlerhaft: {problem}",
                      f"FROM could not be checked, the query is malformed: {problem}")
    # rdflib's CompValue.get() returns the key itself when missing: test membership instead.
    for clause in parsed.algebra["datasetClause"] if "datasetClause" in parsed.algebra else []:
        if "named" in clause:
            raise Refused(
                f"FROM NAMED <{shown(clause['named'])}> ist nicht möglich: der Datenbestand hat keine benannten Graphen.",
                f"FROM NAMED <{shown(clause['named'])}> is not possible: the dataset has no named graphs.")
        if str(clause.get("default")) not in own_graphs:
            raise Refused(_foreign_graph_de(clause["default"], own_graphs), _foreign_graph_en(clause["default"], own_graphs))


def check_protocol_dataset(default_graphs: list[str], named_graphs: list[str], own_graphs: set[str]) -> None:
    """``default-graph-uri`` may only name our own graph; there are no named graphs; nothing is ever fetched."""
    for iri in named_graphs:
        raise Refused(
            f"named-graph-uri <{shown(iri)}> ist nicht möglich: der Datenbestand hat keine benannten Graphen.",
            f"named-graph-uri <{shown(iri)}> is not possible: the dataset has no named graphs.")
    for iri in default_graphs:
        if iri not in own_graphs:
            raise Refused(_foreign_graph_de(iri, own_graphs), _foreign_graph_en(iri, own_graphs))


def _foreign_graph_de(iri: str, own_graphs: set[str]) -> str:
    return (f"Unbekannter Graph <{shown(iri)}>: dieser Endpunkt lädt keine fremden Graphen. "
            f"Erlaubt ist nur der eigene Graph ({', '.join(sorted(own_graphs))}) oder gar keine Angabe.")


def _foreign_graph_en(iri: str, own_graphs: set[str]) -> str:
    return (f"Unknown graph <{shown(iri)}>: this endpoint never loads other graphs. "
            f"Only its own graph ({', '.join(sorted(own_graphs))}) or no graph at all may be named.")
