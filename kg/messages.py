"""The wording of data findings: „meinten Sie …?“ for keys, the valid values where there are few, the separator.

Everything here is about telling a clerk what to type instead; the checks themselves live in kg/sources.py.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from kg.schema import LIST_SEP

FEW = 12  # up to this many valid values are listed in the message
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def fold(text: str) -> str:
    text = " ".join(str(text).casefold().split())
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return text


def slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", fold(text)))


@dataclass
class Keys:
    """The keys of one table with the names people write instead (labels, spellings, numbers as printed)."""

    what: str  # "OE", "Ziel" … as the message names one entry
    where: str  # "Tabelle „oe“ (data/oe.csv)"
    names: dict[str, list[str]] = field(default_factory=dict)  # key -> names

    def __contains__(self, key: str) -> bool:
        return key in self.names

    def label(self, key: str) -> str:
        return next((n for n in self.names.get(key, []) if n and n != key), "")

    def show(self, key: str) -> str:
        label = self.label(key)
        return f"„{key}“ ({label})" if label and fold(label) != fold(key) else f"„{key}“"

    def suggest(self, value: str, limit: int = 3) -> list[str]:
        """Keys the clerk probably meant: a name written instead of the key, the key with other case, spaces or
        umlauts, a number without its leading zero, or a near miss."""
        wanted = fold(value)
        exact = [k for k, names in self.names.items() if wanted in {fold(n) for n in [k, *names] if n}]
        if not exact:
            exact = [k for k in self.names if slug(value) == k or (value.isdigit() and k.lstrip("0") == value.lstrip("0"))]
        if not exact and value.isdigit() and 0 < int(value) <= len(ROMAN):  # Dezernat „2“ for „II“
            exact = [k for k in self.names if k == ROMAN[int(value) - 1]]
        if exact:
            return exact[:limit]
        choices: dict[str, str] = {}
        for k, names in self.names.items():
            for n in [k, *names]:
                if n:
                    choices.setdefault(fold(n), k)
        close = difflib.get_close_matches(wanted, list(choices), n=limit * 3, cutoff=0.72)
        if len(wanted) >= 5:  # "Jugend" for "Fachbereich Jugend"
            close += [n for n in choices if re.search(rf"\b{re.escape(wanted)}\b", n)]
        found: list[str] = []
        for n in close:
            if choices[n] not in found:
                found.append(choices[n])
        return found[:limit]


def did_you_mean(keys: Keys, candidates: list[str]) -> str:
    return "Meinten Sie " + " oder ".join(keys.show(k) for k in candidates) + "?"


def listing(keys: Keys, subset: list[str] | None = None) -> str:
    chosen = list(keys.names) if subset is None else subset
    return ", ".join(keys.show(k) for k in chosen)


def separator_fix(value: str, keys: Keys | None) -> str | None:
    """For ``51;50``, ``51, 50`` or ``51/50``: the cell written with ``|``, when the parts are keys (or, without
    keys to check against, whenever the value splits)."""
    parts = [p.strip() for p in re.split(r"\s*[;,/]\s*|\s+und\s+", value) if p.strip()]
    if len(parts) < 2:
        return None
    if keys is not None and not all(p in keys for p in parts):
        return None
    return f"Mehrere Werte mit | trennen: „{LIST_SEP.join(parts)}“"


def unknown_key(value: str, keys: Keys, others: dict[str, Keys]) -> str:
    """The fix for a value that is no key of ``keys``; ``others`` are further tables (column -> keys) the value
    might belong to instead."""
    sep = separator_fix(value, keys)
    if sep:
        return sep
    candidates = keys.suggest(value)
    if candidates:
        return did_you_mean(keys, candidates)
    for column, other in others.items():
        hit = other.suggest(value, limit=1)
        if hit and fold(value) in {fold(n) for n in [hit[0], *other.names[hit[0]]]}:
            return (f"„{value}“ ist ein {other.what} – dessen Schlüssel „{hit[0]}“ gehört in Spalte „{column}“; "
                    f"in diese Spalte gehört ein Schlüssel aus {keys.where}.")
    if len(keys.names) <= FEW:
        return f"Gültig sind: {listing(keys)}."
    return f"Den Schlüssel aus {keys.where} eintragen (nicht den Namen)."
