"""The URI stability registry: published URIs that were retired (410 Gone) or merged into another (301).

``data/uri-registry.csv`` has one row per retired ``/id/…`` or ``/doc/…`` path:
``uri_path,status,successor_path,date,reason`` with status ``gone`` or ``moved``. A row for ``/id/x/y`` also
covers its documents ``/doc/x/y`` and ``/doc/x/y.{ext}``. Successors are paths on this server only, so the
registry can never become an open redirect. Read by the server (:mod:`server.uri_registry`) and by the change
list of a release (:mod:`kg.diff`), with the same rules.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

COLUMNS = ("uri_path", "status", "successor_path", "date", "reason")
STATUSES = ("gone", "moved")
_PATH = re.compile(r"/(?:id|doc)/[A-Za-z0-9][A-Za-z0-9._/-]*")
_DOC = re.compile(r"/doc/(?P<rest>[^.]+)(?P<ext>\..+)?")
MAX_CHAIN = 10


class RegistryError(ValueError):
    """A row that breaks the registry rules; the message names file and line."""


@dataclass(frozen=True)
class Entry:
    uri_path: str
    status: str
    successor_path: str | None
    date: str
    reason: str


@dataclass(frozen=True)
class Hit:
    """A request path the registry answers: ``location`` is where that very path moved (for the 301),
    ``replaced_by`` the successor of the registered URI (for ``dct:isReplacedBy``)."""

    entry: Entry
    requested: str
    location: str | None
    replaced_by: str | None


def _check(row: dict, where: str) -> Entry:
    path, status = (row.get("uri_path") or "").strip(), (row.get("status") or "").strip().lower()
    successor, when, reason = ((row.get(c) or "").strip() for c in ("successor_path", "date", "reason"))
    if not _PATH.fullmatch(path) or ".." in path:
        raise RegistryError(f"{where}: uri_path „{path}“ muss ein Pfad unter /id/ oder /doc/ sein")
    if status not in STATUSES:
        raise RegistryError(f"{where}: status „{status}“ muss gone oder moved sein")
    if status == "moved" and (not _PATH.fullmatch(successor) or ".." in successor or successor == path):
        raise RegistryError(f"{where}: moved braucht successor_path, einen anderen Pfad unter /id/ oder /doc/")
    if status == "gone" and successor:
        raise RegistryError(f"{where}: gone hat keinen successor_path (sonst moved)")
    try:
        date.fromisoformat(when)
    except ValueError:
        raise RegistryError(f"{where}: date „{when}“ muss JJJJ-MM-TT sein") from None
    if not reason:
        raise RegistryError(f"{where}: reason fehlt – warum wurde die URI aufgegeben?")
    return Entry(path, status, successor or None, when, reason)


def load(path: Path) -> dict[str, Entry]:
    """Read and check the registry; a missing file is an empty registry."""
    path = Path(path)
    if not path.exists():
        return {}
    entries: dict[str, Entry] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise RegistryError(f"{path}: Kopfzeile muss {','.join(COLUMNS)} sein")
        for row in reader:
            where = f"{path}, Zeile/line {reader.line_num}"
            entry = _check(row, where)
            if entry.uri_path in entries:
                raise RegistryError(f"{where}: {entry.uri_path} steht doppelt im Register")
            entries[entry.uri_path] = entry
    for entry in entries.values():
        final_successor(entries, entry)  # raises on cycles and chains ending in gone
    return entries


def final_successor(entries: dict[str, Entry], entry: Entry) -> str | None:
    """Follow moved → moved … so a client gets one redirect, not a chain; a chain must not end in gone."""
    seen, current = {entry.uri_path}, entry
    while current.status == "moved":
        nxt = entries.get(current.successor_path)
        if nxt is None:
            return current.successor_path
        if nxt.uri_path in seen or len(seen) > MAX_CHAIN:
            raise RegistryError(f"{entry.uri_path}: Weiterleitungskette ohne Ende über {nxt.uri_path}")
        if nxt.status == "gone":
            raise RegistryError(f"{entry.uri_path} wird nach {nxt.uri_path} weitergeleitet, das es nicht mehr gibt")
        seen.add(nxt.uri_path)
        current = nxt
    return None


def lookup(entries: dict[str, Entry], request_path: str) -> Hit | None:
    """The registry row answering this path: exact match, else the ``/id/`` row of a ``/doc/`` path."""
    entry = entries.get(request_path)
    if entry:
        successor = final_successor(entries, entry)
        return Hit(entry, request_path, successor, successor)
    m = _DOC.fullmatch(request_path)
    entry = entries.get(f"/id/{m['rest']}") if m else None
    if entry is None:
        return None
    successor = location = final_successor(entries, entry)
    if successor and successor.startswith("/id/"):
        location = "/doc/" + successor[len("/id/"):] + (m["ext"] or "")
    return Hit(entry, request_path, location, successor)
