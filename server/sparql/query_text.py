"""Reading a query's text for people: its prologue, its prefixed names and IRIs, its brackets, with line and column.

For messages and hints only (predeclared prefixes, error explanations, the 0-row hint). What a query is *allowed*
to do is decided by :mod:`server.sparql.guard` and the engine, never here; a query this lexer misreads only gets
a less helpful hint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_STRING = (r"'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*(?:\"\"\"|$)"
           r"|'(?:[^'\\\r\n]|\\.)*'?|\"(?:[^\"\\\r\n]|\\.)*\"?")
_TOKEN = re.compile("|".join((
    r"(?P<space>\s+)",
    r"(?P<comment>#[^\r\n]*)",
    r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
    f"(?P<string>{_STRING})",
    r"(?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    r"(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)",
    r"(?P<bnode>_:[\w.\-\u00B7]+)",
    r"(?P<pname>(?:[^\W\d_][\w.\-\u00B7]*)?:(?:[\w\-:\u00B7]|\.(?=[\w\-:])|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])*)",
    r"(?P<number>[+-]?(?:\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))",
    r"(?P<word>[^\W\d]\w*)",
    r"(?P<other>.)",
)), re.DOTALL)
_PAIRS = {"{": "}", "(": ")", "[": "]"}


@dataclass(frozen=True)
class Token:
    kind: str     # comment, iri, string, langtag, var, bnode, pname, number, word, other
    text: str
    offset: int   # character offset in the text
    line: int     # 1-based
    column: int   # 1-based, in characters

    @property
    def end(self) -> int:
        return self.offset + len(self.text)


def tokens(text: str, keep_comments: bool = False) -> Iterator[Token]:
    """The query's tokens in order (no white space; comments only when asked for)."""
    line, line_start = 1, 0
    for m in _TOKEN.finditer(text):
        kind, value, start = m.lastgroup, m.group(), m.start()
        if kind != "space" and (kind != "comment" or keep_comments):
            yield Token(kind, value, start, line, start - line_start + 1)
        breaks = value.count("\n")
        if breaks:
            line += breaks
            line_start = start + value.rindex("\n") + 1


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def offset_of(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column (clamped to the text)."""
    lines = text.split("\n")
    line = max(1, min(line, len(lines)))
    return min(len(text), sum(len(x) + 1 for x in lines[: line - 1]) + max(0, column - 1))


def declared_prefixes(text: str) -> dict[str, str]:
    """``PREFIX name: <iri>`` declarations of the query's prologue (before the first other keyword)."""
    found: dict[str, str] = {}
    stream = tokens(text)
    for token in stream:
        if token.kind == "word" and token.text.upper() == "BASE":
            next(stream, None)
        elif token.kind == "word" and token.text.upper() == "PREFIX":
            name, iri = next(stream, None), next(stream, None)
            if name is None or iri is None or name.kind != "pname" or not name.text.endswith(":") or iri.kind != "iri":
                break  # malformed: the engine will say so
            found[name.text[:-1]] = iri.text[1:-1]
        else:
            break
    return found


def prefixed_names(text: str) -> list[Token]:
    """Every prefixed name (``ik:Massnahme``, also a bare ``ex:``) outside the prologue's declarations."""
    names, previous = [], None
    for token in tokens(text):
        if token.kind == "pname" and not (previous and previous.kind == "word" and previous.text.upper() == "PREFIX"):
            names.append(token)
        previous = token
    return names


@dataclass(frozen=True)
class Bracket:
    problem: str            # unclosed | unopened | mismatched
    token: Token            # the bracket at fault (for unclosed: the opening one)
    opening: Token | None = None  # for mismatched: the bracket it should have closed


def bracket_problem(text: str) -> Bracket | None:
    """The first bracket that does not pair up, outside strings, IRIs and comments."""
    stack: list[Token] = []
    for token in tokens(text):
        if token.kind != "other":
            continue
        if token.text in _PAIRS:
            stack.append(token)
        elif token.text in _PAIRS.values():
            if not stack:
                return Bracket("unopened", token)
            opening = stack.pop()
            if _PAIRS[opening.text] != token.text:
                return Bracket("mismatched", token, opening)
    return Bracket("unclosed", stack[-1]) if stack else None


def closing(bracket: str) -> str:
    return _PAIRS[bracket]


def unterminated_string(text: str) -> Token | None:
    """A string literal that runs to the end of its line (or the text) without its closing quote."""
    for token in tokens(text):
        if token.kind == "string":
            quote = token.text[:3] if token.text[:3] in ("'''", '"""') else token.text[0]
            body = token.text[len(quote):]
            if len(token.text) < 2 * len(quote) or not body.endswith(quote) or body.endswith("\\" + quote) and \
                    not body.endswith("\\\\" + quote):
                return token
    return None
