"""Who runs this site, for the imprint (/impressum) and the accessibility statement (/barrierefreiheit).

The settings are ``server.config.OPERATOR_SETTINGS``; empty values are shown as clearly marked placeholders.
"""

from __future__ import annotations

import re

from flask import current_app

from server.config import OPERATOR_SETTINGS

EMAIL = re.compile(r"[^@\s|,;]+@[^@\s|,;]+\.[A-Za-z]{2,}")


def setting(name: str) -> str:
    return str(current_app.config[name] or "").strip()


def operator() -> dict:
    """The operator settings, with address lines split and e-mail addresses found for mailto: links."""
    info = {name: setting(name) for name in OPERATOR_SETTINGS}
    info["KG_ACCESSIBILITY_CONTACT"] = info["KG_ACCESSIBILITY_CONTACT"] or info["KG_OPERATOR_CONTACT"]
    return {
        "name": info["KG_OPERATOR_NAME"],
        "address": [line.strip() for line in info["KG_OPERATOR_ADDRESS"].split("|") if line.strip()],
        "contact": contact(info["KG_OPERATOR_CONTACT"]),
        "representative": info["KG_OPERATOR_REPRESENTATIVE"],
        "accessibility_contact": contact(info["KG_ACCESSIBILITY_CONTACT"]),
        "reviewed": info["KG_ACCESSIBILITY_REVIEWED"],
        "enforcement": info["KG_ENFORCEMENT_BODY"],
    }


def contact(text: str) -> list[tuple[str, str | None]]:
    """``text`` cut into pieces, each with its mailto: target where the piece is an e-mail address."""
    pieces: list[tuple[str, str | None]] = []
    pos = 0
    for m in EMAIL.finditer(text):
        if m.start() > pos:
            pieces.append((text[pos:m.start()], None))
        pieces.append((m.group(), "mailto:" + m.group()))
        pos = m.end()
    if pos < len(text):
        pieces.append((text[pos:], None))
    return pieces
