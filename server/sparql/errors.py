"""Syntax errors people can act on: one sentence naming line, column and what is wrong, in German or English.

The engine's own message („error at 1:21: expected one of Prefix not found, ['%'], …“) lists what its parser
tried at the furthest point it reached. It is read for its position only; what is said comes from looking at the
query itself, most telling first: an undeclared prefix, a string without its closing quote, a bracket that does
not pair up, a misspelt keyword, a triple pattern that lacks its object, else the characters the grammar allows
there. Every message carries the line and column in the user's own text (the predeclared prefixes line is not
counted), so the editor can mark it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from server.sparql.prefixes import PREDECLARED, Prepared
from server.sparql.query_text import Token, bracket_problem, closing, declared_prefixes, offset_of, prefixed_names, tokens, unterminated_string

_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+)")
_EXPECTED_PUNCTUATION = re.compile(r'"([^"\\]{1,2})"')
KEYWORDS = frozenset("""
SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED PREFIX BASE DISTINCT REDUCED ORDER BY ASC DESC LIMIT OFFSET GROUP
HAVING OPTIONAL UNION MINUS FILTER BIND VALUES AS UNDEF GRAPH SERVICE SILENT NOT EXISTS IN A COUNT SUM MIN MAX AVG
SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT
STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS
TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK
ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRUE FALSE
""".split())
_TERM_KINDS = {"var", "iri", "pname", "string", "number", "bnode"}
# Prefixes people bring from other vocabularies' habits, and ours that mean the same.
ALIASES = {"dct": "dcterms", "dc": "dcterms", "sdo": "schema", "oe": "id", "massnahme": "id"}
# What the grammar allows next, in words: the engine's expected terminals as people name them.
EXPECTED_WORDS = {
    "?": ("eine Variable wie ?x", "a variable such as ?x"),
    "<": ("eine IRI in <…> oder ein Präfixname wie ik:Massnahme", "an IRI in <…> or a prefixed name such as ik:Massnahme"),
    ".": ("ein Punkt „.“ am Ende des Tripelmusters", "a full stop „.“ ending the triple pattern"),
    ";": ("„;“ für ein weiteres Prädikat desselben Subjekts", "„;“ for another predicate of the same subject"),
    ",": ("„,“ für ein weiteres Objekt", "„,“ for another object"),
    "}": ("die schließende Klammer „}“", "the closing bracket „}“"),
    ")": ("die schließende Klammer „)“", "the closing bracket „)“"),
    "(": ("ein Ausdruck in Klammern „(…)“", "an expression in brackets „(…)“"),
    "{": ("eine Gruppe in „{…}“", "a group in „{…}“"),
}


@dataclass(frozen=True)
class Problem:
    de: str
    en: str
    line: int | None = None
    column: int | None = None

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.de


def _at(line: int, column: int) -> tuple[str, str]:
    return f"Zeile {line}, Spalte {column}: ", f"Line {line}, column {column}: "


def _problem(token_or_position, de: str, en: str) -> Problem:
    line, column = (token_or_position.line, token_or_position.column) if isinstance(token_or_position, Token) else token_or_position
    where_de, where_en = _at(line, column)
    return Problem(where_de + de, where_en + en, line, column)


def explain_syntax_error(query: str, prepared: Prepared, engine_message: str) -> Problem:
    """What is wrong with ``query`` (the user's text), given the engine's message about ``prepared.text``."""
    position = _engine_position(query, prepared, engine_message)
    for check in (_undeclared_prefix, _open_string, _brackets, _misspelt_keyword, _missing_by, _incomplete_triple):
        found = check(query, position)
        if found:
            return found
    return _generic(query, position, engine_message)


def _engine_position(query: str, prepared: Prepared, message: str) -> tuple[int, int]:
    m = _ENGINE_POSITION.search(message)
    if not m:
        lines = query.split("\n")
        return len(lines), len(lines[-1]) + 1
    return prepared.user_line(int(m.group(1))), int(m.group(2))


def _undeclared_prefix(query: str, _position) -> Problem | None:
    known = set(declared_prefixes(query)) | set(PREDECLARED)
    for token in prefixed_names(query):
        prefix = token.text.split(":", 1)[0]
        if prefix in known:
            continue
        close = [ALIASES[prefix]] if prefix in ALIASES else difflib.get_close_matches(prefix, sorted(known), n=1, cutoff=0.5)
        hint_de = f" Meinten Sie {close[0]}:?" if close else ""
        hint_en = f" Did you mean {close[0]}:?" if close else ""
        listed = ", ".join(f"{p}:" for p in PREDECLARED)
        return _problem(
            token,
            f"Präfix {prefix}: ist nicht deklariert.{hint_de} Vordeklariert sind {listed}; "
            f"für ein anderes eine Zeile PREFIX {prefix}: <…> an den Anfang setzen.",
            f"Prefix {prefix}: is not declared.{hint_en} Predeclared are {listed}; "
            f"for another one put a line PREFIX {prefix}: <…> at the start.")
    return None


def _open_string(query: str, _position) -> Problem | None:
    token = unterminated_string(query)
    if token is None:
        return None
    quote = token.text[:3] if token.text[:3] in ("'''", '"""') else token.text[0]
    return _problem(token, f"Die Zeichenkette, die hier beginnt, wird nicht geschlossen: es fehlt ein {quote}.",
                    f"The string that starts here is not closed: a {quote} is missing.")


def _brackets(query: str, position) -> Problem | None:
    found = bracket_problem(query)
    if found is None:
        return None
    bracket = found.token
    if found.problem == "unclosed":
        end = closing(bracket.text)
        return _problem(position,
                        f"Hier fehlt eine schließende Klammer „{end}“ zur „{bracket.text}“ aus Zeile {bracket.line}, Spalte {bracket.column}.",
                        f"A closing bracket „{end}“ is missing here, for the „{bracket.text}“ of line {bracket.line}, column {bracket.column}.")
    if found.problem == "unopened":
        return _problem(bracket, f"Diese schließende Klammer „{bracket.text}“ hat keine öffnende – eine zu viel?",
                        f"This closing bracket „{bracket.text}“ has no opening one – one too many?")
    opening = found.opening
    return _problem(bracket,
                    f"Hier steht „{bracket.text}“, aber offen ist noch „{opening.text}“ aus Zeile {opening.line}, Spalte {opening.column}: "
                    f"erst mit „{closing(opening.text)}“ schließen.",
                    f"„{bracket.text}“ here, but „{opening.text}“ of line {opening.line}, column {opening.column} is still open: "
                    f"close it with „{closing(opening.text)}“ first.")


def _near(query: str, position) -> list[Token]:
    """Tokens up to and including the one at the engine's position (where it stopped)."""
    limit = offset_of(query, *position)
    return [t for t in tokens(query) if t.offset <= limit]


def _misspelt_keyword(query: str, position) -> Problem | None:
    words = [t for t in _near(query, position)[-3:] if t.kind == "word" and t.text.upper() not in KEYWORDS]
    for word in reversed(words):
        close = difflib.get_close_matches(word.text.upper(), sorted(KEYWORDS), n=1, cutoff=0.75)
        if close:
            return _problem(word, f"„{word.text}“ ist kein SPARQL-Schlüsselwort – gemeint ist wohl {close[0]}.",
                            f"„{word.text}“ is not a SPARQL keyword – {close[0]} is probably meant.")
    return None


def _missing_by(query: str, position) -> Problem | None:
    seen = _near(query, position)
    for before, token in zip(seen, seen[1:], strict=False):
        if before.kind == "word" and before.text.upper() in ("ORDER", "GROUP") and token.text.upper() != "BY":
            word = before.text.upper()
            return _problem(token, f"Nach {word} fehlt BY: {word} BY ?variable.", f"BY is missing after {word}: {word} BY ?variable.")
    return None


def _incomplete_triple(query: str, position) -> Problem | None:
    """``{ ?s ?p }``: the pattern before a ``}`` or ``.`` has a subject and predicate but no object."""
    seen = _near(query, position)
    stop = next((i for i in range(len(seen) - 1, -1, -1) if seen[i].text in ("}", ".")), None)
    if stop is None:
        return None
    terms, after_semicolon = 0, False
    for token in reversed(seen[:stop]):
        if token.text in ("{", ".", "}") and token.kind == "other":
            break
        if token.text == ";" and token.kind == "other":
            after_semicolon = True
            break
        if token.kind in _TERM_KINDS or token.kind == "word" and token.text == "a":
            terms += 1
        elif token.kind not in ("langtag",) and token.text != "^":
            return None  # a filter, a path or something else: not a plain triple pattern
    needed = 2 if after_semicolon else 3
    if terms > needed:
        return _problem(seen[stop], "Das Tripelmuster davor hat mehr Teile als Subjekt Prädikat Objekt: fehlt ein „.“ oder „;“?",
                        "The triple pattern before this has more parts than subject predicate object: is a „.“ or „;“ missing?")
    if 0 < terms < needed:
        missing_de, missing_en = ("das Objekt", "the object") if needed - terms == 1 else ("Prädikat und Objekt", "predicate and object")
        return _problem(seen[stop],
                        f"Dem Tripelmuster davor fehlt {missing_de} (ein Muster hat drei Teile: Subjekt Prädikat Objekt).",
                        f"The triple pattern before this lacks {missing_en} (a pattern has three parts: subject predicate object).")
    return None


def _generic(query: str, position, message: str) -> Problem:
    seen = _near(query, position)
    found = seen[-1].text if seen else ""
    found_terminals = {"?" if e == "$" else "<" if e == ":" else e for e in _EXPECTED_PUNCTUATION.findall(message)}
    expected = [words for key, words in EXPECTED_WORDS.items() if key in found_terminals]
    at_end = offset_of(query, *position) >= len(query.rstrip())
    shown_de = " Sie endet zu früh." if at_end else f" Nach „{found}“ passt hier etwas anderes." if found else ""
    shown_en = " It ends too early." if at_end else f" Something else is needed after „{found}“." if found else ""
    if expected:
        listed_de = " oder ".join(de for de, _ in expected[:4])
        listed_en = " or ".join(en for _, en in expected[:4])
        return _problem(position, f"Die Abfrage ist hier fehlerhaft oder unvollständig.{shown_de} Erwartet wird z. B. {listed_de}.",
                        f"The query is malformed or incomplete here.{shown_en} Expected is e.g. {listed_en}.")
    return _problem(position, f"Die Abfrage ist hier fehlerhaft oder unvollständig.{shown_de}",
                    f"The query is malformed or incomplete here.{shown_en}")
