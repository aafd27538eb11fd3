"""Short links for queries (``/abfrage/<id>``): the id is a content hash of the query text, so the same query always
gets the same link; the texts live in a small SQLite file outside the build.

This is the only thing the server ever writes, and only here: a query text, once, through ``POST /abfrage``. The
graph and the endpoint stay read-only. Bounds: a text is at most ``KG_MAX_QUERY_LENGTH`` characters; the file holds
at most ``KG_SHORTLINK_MAX_MB`` of texts (then new links are refused, existing ones keep working); one client
(its address) may create ``KG_SHORTLINK_RATE`` new links per hour. SQLite (Python's standard library) keeps the
store consistent across the server's processes (WAL, a busy timeout).
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

ID_LENGTH = 12  # base32 characters: 60 bits of SHA-256, no collision among any number of queries people write
WINDOW = 3600   # seconds: the rate limit counts new links per client and hour
SCHEMA = """
CREATE TABLE IF NOT EXISTS abfrage (id TEXT PRIMARY KEY, text TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS rate (client TEXT NOT NULL, window INTEGER NOT NULL, n INTEGER NOT NULL,
                                 PRIMARY KEY (client, window));
"""


class Refused(Exception):
    """No new link now: ``status`` 429 (rate limit, ``retry_after`` seconds) or 507 (store full)."""

    def __init__(self, status: int, retry_after: int | None = None) -> None:
        self.status, self.retry_after = status, retry_after
        super().__init__(status)


def link_id(text: str) -> str:
    """The id of a query text: its SHA-256 in lower-case base32, cut to :data:`ID_LENGTH` characters."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:ID_LENGTH]


def valid_id(value: str) -> bool:
    return len(value) == ID_LENGTH and all(c in "abcdefghijklmnopqrstuvwxyz234567" for c in value)


@dataclass(frozen=True)
class ShortLinks:
    path: Path
    max_bytes: int
    per_hour: int

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(SCHEMA)
        return connection

    def get(self, link: str) -> str | None:
        if not valid_id(link) or not self.path.exists():
            return None
        with closing(self._connect()) as db:
            row = db.execute("SELECT text FROM abfrage WHERE id = ?", (link,)).fetchone()
        return row[0] if row else None

    def put(self, text: str, client: str, now: float | None = None) -> str:
        """The id for ``text``, stored if new; raises :class:`Refused` beyond the rate limit or the size cap."""
        link, now = link_id(text), time.time() if now is None else now
        window = int(now // WINDOW)
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time across processes: count, check, insert as one
            try:
                if db.execute("SELECT 1 FROM abfrage WHERE id = ?", (link,)).fetchone():
                    db.execute("COMMIT")
                    return link  # known query: the same link, nothing written, nothing counted
                used = db.execute("SELECT n FROM rate WHERE client = ? AND window = ?", (client, window)).fetchone()
                if used and used[0] >= self.per_hour:
                    raise Refused(429, retry_after=int((window + 1) * WINDOW - now) + 1)
                stored = db.execute("SELECT COALESCE(SUM(LENGTH(CAST(text AS BLOB))), 0) FROM abfrage").fetchone()[0]
                if stored + len(text.encode("utf-8")) > self.max_bytes:
                    raise Refused(507)
                db.execute("INSERT INTO abfrage (id, text, created) VALUES (?, ?, ?)", (link, text, now))
                db.execute("INSERT INTO rate (client, window, n) VALUES (?, ?, 1) "
                           "ON CONFLICT (client, window) DO UPDATE SET n = n + 1", (client, window))
                db.execute("DELETE FROM rate WHERE window < ?", (window - 1,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return link
