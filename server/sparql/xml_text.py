"""XML result bodies (SPARQL XML results, RDF/XML) that every XML 1.0 parser reads back as the engine wrote them.

Oxigraph writes literal text as it is. Two things go wrong in XML 1.0:
- a raw CR: every parser turns CR LF and lone CR into LF (XML 1.0 §2.11), so ``"a\\r\\nb"`` would come back as
  ``"a\\nb"``; written as the character reference ``&#13;`` it survives.
- C0 control characters other than tab, LF, CR (and U+FFFE, U+FFFF) are not XML 1.0 characters at all, not even
  as references (§2.2): a document holding one does not parse. Such a result cannot be XML; the client is told
  so and pointed at the formats that can carry it.

Tab and LF are left raw: in element content (the only place these writers put literal text) they survive parsing.
Imports stay light: the query worker processes use this module.
"""

from __future__ import annotations

import re

XML_FORMATS = frozenset({"xml", "rdf"})  # format keys of server.formats whose bodies are XML
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class NotRepresentable(ValueError):
    """The result holds a character that XML 1.0 cannot carry."""

    def __init__(self, char: str) -> None:
        self.char = char
        super().__init__(f"U+{ord(char):04X}")


def xml_body(body: bytes) -> bytes:
    """``body`` with raw CRs as ``&#13;``; raises :class:`NotRepresentable` for a character XML cannot hold."""
    found = _NOT_XML.search(body.decode("utf-8"))
    if found:
        raise NotRepresentable(found.group())
    return body.replace(b"\r", b"&#13;")
