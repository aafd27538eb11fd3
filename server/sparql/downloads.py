"""File names of downloaded results: from the query's title comment, else a hash of its text.

``# Maßnahmen je Handlungsfeld`` on the first line gives ``massnahmen-je-handlungsfeld.csv``; a query without a
title ``abfrage-<8 hex digits of its SHA-256>.csv`` – the same query always gets the same name.
"""

from __future__ import annotations

import hashlib
import re

from server.sparql.query_text import tokens

_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
MAX_STEM = 60


def stem(query: str) -> str:
    """The file name without extension for ``query``."""
    first = next(tokens(query, keep_comments=True), None)
    if first is not None and first.kind == "comment":
        slug = re.sub(r"[^a-z0-9]+", "-", first.text.lstrip("#").strip().translate(_TRANSLITERATE).lower()).strip("-")
        if slug:
            return slug[:MAX_STEM].rstrip("-")
    return "abfrage-" + hashlib.sha256(query.encode("utf-8")).hexdigest()[:8]


def content_disposition(query: str, extension: str, attachment: bool) -> str:
    return f'{"attachment" if attachment else "inline"}; filename="{stem(query)}.{extension}"'
