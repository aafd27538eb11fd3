"""Keep the endpoint read-only, closed and the engine alive: no updates, no SERVICE, no FROM to other graphs, no
nesting the engine's recursive parser cannot take.

Runs inside the query process (:mod:`server.sparql.worker`), under its time and memory limits: the web process never
looks into a query's text. The check works on the query's tokens, not its characters: a lexer skips strings, IRIs,
comments, prefixed names and variables, so ``FILTER(?x = "SERVICE")`` or ``?from`` pass while the keyword ``SERVICE``
is refused. It lexes the text twice — as written (how Oxigraph reads it) and with ``\\uXXXX`` escapes expanded first
(how the SPARQL spec reads it) — and refuses if either reading shows a forbidden keyword, so an escape trick cannot
hide one. ``FROM`` clauses are resolved on the same tokens (PREFIX and BASE declarations included): one linear pass,
no second parser.

Nesting: Oxigraph parses and evaluates recursively, and a deep enough query overflows its stack and kills the
process (found by fuzzing, tests/sparql/test_nesting.py). Not only brackets nest: a chain of operators
(``1+1+…``, ``!!…``, ``a/a/…``), of ``UNION``/``OPTIONAL``/``MINUS``, the members of a collection ``(1 2 3 …)`` and the
resources of ``DESCRIBE <a> <b> …`` each become one level of a left-deep tree. :func:`nesting` counts all of them;
real queries stay far below the limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urljoin

from server.web.untrusted import shown

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING"}
MAX_NESTING = 200  # levels as counted by nesting(); the engine overflows its 8 MB stack from about 800 (nested EXISTS)
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
    r"(?P<open><<\(?)",
    r"(?P<close>\)>>|>>)",
    r"""(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)""",
    f"(?P<string>{_STRINGS})",
    r"(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    r"(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)",
    r"(?P<bnode>_:[\w.\-\u00B7]+)",
    r"(?P<pname>(?:[^\W\d_][\w.\-\u00B7]*)?:(?:[\w.\-:\u00B7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])*)",
    r"(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)",
    r"(?P<word>[^\W\d]\w*)",
    r"(?P<operator>\|\||&&|!=|<=|>=|\^\^)",
    r"(?P<other>.)",
)), re.DOTALL)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

_OPENERS = {"(", "{", "["}
_CLOSERS = {")", "}", "]"}
# Each of these makes the tree one level deeper for the rest of its bracket (operators fold left-deep).
_CHAINING = {"||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "|", "^", "!"}
_CHAINING_WORDS = {"UNION", "OPTIONAL", "MINUS"}
# DESCRIBE's resources (``DESCRIBE <a> <b> …``) become a chain too; the list ends where the dataset or pattern begins.
_DESCRIBE_ENDS = {"FROM", "WHERE", "LIMIT", "OFFSET", "ORDER", "GROUP", "HAVING", "VALUES"}
_DESCRIBED = {"iri", "pname", "var"}
# ``*`` right after these is "all variables" (``SELECT *``, ``COUNT(*)``), not a multiplication.
_STAR_AFTER = {"SELECT", "DISTINCT", "REDUCED", "DESCRIBE", "("}
_TERMS = {"iri", "string", "var", "bnode", "pname", "number", "word"}


class Refused(Exception):
    """The query is not allowed here; ``status`` is the HTTP status to answer with."""

    def __init__(self, german: str, english: str, status: int = 400) -> None:
        self.german, self.english, self.status = german, english, status
        super().__init__(f"{german} / {english}")

    def answer(self) -> tuple[int, str, str]:
        return self.status, self.german, self.english


@dataclass(frozen=True)
class QueryShape:
    form: str | None                 # SELECT, ASK, CONSTRUCT, DESCRIBE; None if unrecognisable (the engine will say why)
    uses_own_graph_only: bool = False  # FROM named only this dataset's own graph


class _Token(NamedTuple):  # a tuple: made for every token of every query, several times cheaper than a dataclass
    kind: str
    text: str


def _tokens(text: str) -> Iterator[_Token]:
    for m in _TOKEN.finditer(text):
        if m.lastgroup not in ("space", "comment"):
            yield _Token(m.lastgroup, m.group())


def keywords(text: str) -> list[str]:
    """The bare words of a query in order, upper-cased: its keywords and function names."""
    return [t.text.upper() for t in _tokens(text) if t.kind == "word"]


def nesting(tokens: list[_Token]) -> int:
    """The deepest level the engine's parse tree can reach: brackets, plus chains inside each bracket.

    A level per open bracket (``( { [ << <<(``), and within each bracket one more per chaining operator, per
    ``UNION``/``OPTIONAL``/``MINUS`` and per collection member (a term right after a term or a closed bracket, with
    no comma or operator between — ``(1 2 3)``, not ``f(1, 2)``); at the top, one per resource ``DESCRIBE`` names.
    Counted for the rest of the bracket, as the left-deep tree the parser builds keeps every earlier link above what
    follows.
    """
    chains = [0]       # per open bracket: chaining tokens seen so far in it
    after_item = [False]
    parens = [False]   # whether the bracket is a "(" (collections live there)
    describing = False  # inside DESCRIBE's list of resources
    depth = deepest = 0
    previous = ""
    for token in tokens:
        text, after = token.text, previous
        previous = text.upper() if token.kind == "word" else text  # only a word's case matters to _STAR_AFTER
        if describing and len(chains) == 1:
            if token.kind in _DESCRIBED:
                chains[0] += 1
                depth += 1
                if depth > deepest:
                    deepest = depth
                continue
            describing = not (token.kind == "open" or text in _OPENERS
                              or (token.kind == "word" and text.upper() in _DESCRIBE_ENDS))
        if token.kind == "word" and text.upper() == "DESCRIBE" and len(chains) == 1:
            describing = True
            continue
        if token.kind == "open" or (token.kind == "other" and text in _OPENERS):
            if parens[-1] and after_item[-1]:
                chains[-1] += 1  # a collection inside a collection is a member too
                depth += 1
            after_item[-1] = False
            chains.append(0)
            after_item.append(False)
            parens.append(text.endswith("("))
            depth += 1
        elif token.kind == "close" or (token.kind == "other" and text in _CLOSERS):
            if len(chains) > 1:
                depth -= 1 + chains.pop()
                after_item.pop()
                parens.pop()
            after_item[-1] = True
            continue
        elif text == "*" and after in _STAR_AFTER:
            after_item[-1] = False
        elif text in _CHAINING or (token.kind == "word" and text.upper() in _CHAINING_WORDS):
            chains[-1] += 1
            depth += 1
            after_item[-1] = False
        elif token.kind in _TERMS:
            if parens[-1] and after_item[-1]:
                chains[-1] += 1
                depth += 1
            after_item[-1] = True
        else:
            after_item[-1] = False
        if depth > deepest:
            deepest = depth
    return deepest


def expand_escapes(text: str) -> str:
    """SPARQL 1.1 §19.2: ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes are processed before parsing."""
    def replace(m: re.Match) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            return m.group()
    return _UNICODE_ESCAPE.sub(replace, text)


def inspect(query: str, own_graphs: set[str] | frozenset[str], base: str | None = None) -> QueryShape:
    """Refuse updates, SERVICE, FROM to any graph but ours and too deep nesting; return the query form otherwise."""
    readings = [list(_tokens(query))]
    unescaped = expand_escapes(query)
    if unescaped != query:
        readings.append(list(_tokens(unescaped)))
    depth = max(nesting(tokens) for tokens in readings)
    if depth > MAX_NESTING:
        raise Refused(
            f"Die Abfrage ist zu tief verschachtelt ({depth} Ebenen, höchstens {MAX_NESTING}: Klammern, "
            "Operatorketten, UNION/OPTIONAL/MINUS-Ketten, Listenglieder und die Ressourcen von DESCRIBE zählen je "
            "eine Ebene).",
            f"The query is nested too deeply ({depth} levels, at most {MAX_NESTING}: brackets, chains of operators, "
            "of UNION/OPTIONAL/MINUS, members of a collection and the resources DESCRIBE names count one level each).")
    words = [[t.text.upper() for t in tokens if t.kind == "word"] for tokens in readings]
    found = set().union(*words)
    updates = sorted(found & UPDATE_KEYWORDS)
    if updates:
        raise Refused(
            f"Nur lesende Abfragen: SPARQL Update ({', '.join(updates)}) ist an diesem Endpunkt nicht erlaubt.",
            f"Read-only endpoint: SPARQL Update ({', '.join(updates)}) is not allowed here.")
    if "SERVICE" in found:
        raise Refused(
            "SERVICE (föderierte Abfrage) ist nicht erlaubt: dieser Endpunkt ruft keine anderen Dienste ab.",
            "SERVICE (federated query) is not allowed: this endpoint does not contact other services.")
    form = next((w for w in words[0] if w not in ("PREFIX", "BASE")), None)
    form = form if form in QUERY_FORMS else None
    if "FROM" in found:
        for tokens in readings:
            _check_dataset_clause(tokens, own_graphs, base)
        return QueryShape(form, uses_own_graph_only=True)
    return QueryShape(form)


def _check_dataset_clause(tokens: list[_Token], own_graphs: set[str] | frozenset[str], base: str | None) -> None:
    """Every ``FROM <g>`` must name our own graph; ``FROM NAMED`` is refused (there are no named graphs)."""
    namespaces: dict[str, str] = {}
    for i, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else None
        following = tokens[i + 1:i + 3]
        if word == "BASE" and following and following[0].kind == "iri":
            base = _resolve(following[0].text[1:-1], base)
        elif word == "PREFIX" and len(following) == 2 and following[0].kind == "pname" and following[1].kind == "iri":
            namespaces[following[0].text[:-1]] = _resolve(following[1].text[1:-1], base)
        elif word == "FROM":
            named = bool(following) and following[0].kind == "word" and following[0].text.upper() == "NAMED"
            target = tokens[i + 2] if named and i + 2 < len(tokens) else following[0] if following and not named else None
            graph = _graph_name(target, namespaces, base)
            if named:
                raise Refused(
                    f"FROM NAMED <{shown(graph)}> ist nicht möglich: der Datenbestand hat keine benannten Graphen.",
                    f"FROM NAMED <{shown(graph)}> is not possible: the dataset has no named graphs.")
            if graph not in own_graphs:
                raise Refused(_foreign_graph_de(graph, own_graphs), _foreign_graph_en(graph, own_graphs))


def _graph_name(token: _Token | None, namespaces: dict[str, str], base: str | None) -> str:
    if token is not None and token.kind == "iri":
        return _resolve(token.text[1:-1], base)
    if token is not None and token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in namespaces:
            return namespaces[prefix] + re.sub(r"\\(.)", r"\1", local)
        german = f"das Präfix „{shown(prefix)}:“ ist nicht deklariert"
        english = f"the prefix “{shown(prefix)}:” is not declared"
    else:
        german, english = "nach FROM fehlt der Name eines Graphen", "FROM is not followed by a graph name"
    raise Refused(f"FROM konnte nicht geprüft werden, die Abfrage ist fehlerhaft: {german}.",
                  f"FROM could not be checked, the query is malformed: {english}.")


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base and not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri) else iri


def check_protocol_dataset(default_graphs: list[str], named_graphs: list[str], own_graphs: set[str]) -> None:
    """``default-graph-uri`` may only name our own graph; there are no named graphs; nothing is ever fetched."""
    for iri in named_graphs:
        raise Refused(
            f"named-graph-uri <{shown(iri)}> ist nicht möglich: der Datenbestand hat keine benannten Graphen.",
            f"named-graph-uri <{shown(iri)}> is not possible: the dataset has no named graphs.")
    for iri in default_graphs:
        if iri not in own_graphs:
            raise Refused(_foreign_graph_de(iri, own_graphs), _foreign_graph_en(iri, own_graphs))


def _foreign_graph_de(iri: str, own_graphs: set[str] | frozenset[str]) -> str:
    return (f"Unbekannter Graph <{shown(iri)}>: dieser Endpunkt lädt keine fremden Graphen. "
            f"Erlaubt ist nur der eigene Graph ({', '.join(sorted(own_graphs))}) oder gar keine Angabe.")


def _foreign_graph_en(iri: str, own_graphs: set[str] | frozenset[str]) -> str:
    return (f"Unknown graph <{shown(iri)}>: this endpoint never loads other graphs. "
            f"Only its own graph ({', '.join(sorted(own_graphs))}) or no graph at all may be named.")
