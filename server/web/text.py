"""Text shown in HTML that must wrap on a 320-px phone without a word being cut inside.

Chromium breaks no line after a slash or a dot between letters (Unicode line breaking keeps "and/or" and
"file.txt" together), so "Elternbegleitern/Bildungslotsinnen" or a media type is one unbreakable run wider than the
screen, and ``overflow-wrap: break-word`` then cuts it anywhere. A ``<wbr>`` after the separator lets the line break
there instead; it adds no character, so copied text stays as the report or the standard writes it.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_AFTER_SLASH = re.compile(r"(?<=\w)/(?=\w)")
_AFTER_SLASH_OR_DOT = re.compile(r"(?<=\w)([/.])(?=\w)")


def breakable(text: object, dots: bool = False) -> Markup:
    """``text`` escaped, with a line-break opportunity after every slash between word characters (and after every
    dot, ``dots=True``, for identifiers such as media types)."""
    escaped = str(escape(text))
    if "/" not in escaped and not (dots and "." in escaped):  # most labels: no regular expression to run
        return Markup(escaped)
    pattern = _AFTER_SLASH_OR_DOT if dots else _AFTER_SLASH
    return Markup(pattern.sub(lambda m: m[0] + "<wbr>", escaped))
