"""Client-supplied text repeated in an answer (error messages quote the request back)."""

from __future__ import annotations

import re


def shown(value: str, limit: int = 100) -> str:
    """``value`` made safe to repeat in a message: no markup characters, bounded length."""
    safe = re.sub(r"[^\w:/.#?&=+%~@!$,;*()'\- ]", "?", value)
    return safe if len(safe) <= limit else safe[:limit] + "…"
