"""Who runs this site: settings for the imprint (/impressum) and the accessibility statement (/barrierefreiheit).

Same shape as ``server.config.SETTINGS`` (name -> (default, type, description)), so the entries can move there.
Empty values are shown as clearly marked placeholders: the operator has to fill them in, nothing is guessed.
"""

from __future__ import annotations

import re

from flask import current_app

OPERATOR_SETTINGS = {
    "KG_OPERATOR_NAME": ("", str, "Operator of the site (imprint, accessibility statement), e.g. the publishing authority"),
    "KG_OPERATOR_ADDRESS": ("", str, "Postal address of the operator; lines separated by `|`"),
    "KG_OPERATOR_CONTACT": ("", str, "General contact of the operator (e-mail address and/or phone); an e-mail address becomes a link"),
    "KG_OPERATOR_REPRESENTATIVE": ("", str, "Who represents the operator legally (imprint: „vertreten durch“)"),
    "KG_ACCESSIBILITY_CONTACT": ("", str, "Contact for reporting accessibility barriers; falls back to KG_OPERATOR_CONTACT"),
    "KG_ACCESSIBILITY_REVIEWED": ("", str, "Date the accessibility statement was last reviewed (e.g. 2026-11-27)"),
    "KG_ENFORCEMENT_BODY": ("", str, "Enforcement/arbitration body named in the accessibility statement (name and contact)"),
}

EMAIL = re.compile(r"[^@\s|,;]+@[^@\s|,;]+\.[A-Za-z]{2,}")


def setting(name: str) -> str:
    return str(current_app.config[name] or "").strip()  # defaults: OPERATOR_SETTINGS, loaded by server.config


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
