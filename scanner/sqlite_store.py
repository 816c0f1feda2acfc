"""A content-addressed blob store in SQLite, shared by the scan's persistent caches.

Keys are digests; each value is a blob with an 8-byte BLAKE2 check, so a damaged entry is detected and
recomputed, never trusted. WAL mode and a busy timeout make it safe for concurrent scans. Any failure to
open, read or write becomes one warning (``what`` names the cache): the scan goes on without it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Callable, Iterator

LOOKUP_CHUNK = 500


def check(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=8).digest()


class SqliteStore:
    """One table ``(key BLOB PRIMARY KEY, <columns>, chk BLOB)`` in ``directory/filename``."""

    def __init__(self, directory: str | os.PathLike, filename: str, schema: str, what: str,
                 warn: Callable[[str], None]):
        self.directory = Path(directory)
        self.what = what
        self.warn = warn
        self.db: sqlite3.Connection | None = None
        self.writable = True
        self.hits = self.misses = self.corrupt = 0
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.directory / filename, timeout=30, isolation_level=None,
                                 check_same_thread=False)  # used by one thread at a time (e.g. the embedding thread)
            db.execute("PRAGMA busy_timeout = 30000")
            try:
                db.execute("PRAGMA journal_mode = WAL")
            except sqlite3.Error:
                pass
            db.execute(schema)
            self.db = db
        except (OSError, sqlite3.Error) as exc:
            self.warn(f"{what} unavailable at {self.directory} ({exc}); continuing without it")

    def select(self, query: str, keys: list[bytes]) -> Iterator[tuple]:
        """Rows of ``query`` (a SELECT with ``IN ({marks})``) for ``keys``, a chunk at a time. A read failure
        is one warning and ends the lookups of this scan (the caller recomputes what was not found)."""
        if self.db is None:
            return
        try:
            for start in range(0, len(keys), LOOKUP_CHUNK):
                chunk = keys[start:start + LOOKUP_CHUNK]
                yield from self.db.execute(query.format(marks=",".join("?" * len(chunk))), chunk)
        except sqlite3.Error as exc:
            self.warn(f"{self.what} read failed ({exc}); recomputing")
            self.db = None

    def count(self, keys: list[bytes], found: int) -> None:
        self.hits += found
        self.misses += len(set(keys)) - found

    def insert(self, statement: str, rows: list[tuple]) -> None:
        """``executemany(statement, rows)`` in one transaction; a failure stops writing for this scan."""
        if self.db is None or not self.writable or not rows:
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(statement, rows)
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            self.writable = False
            self.warn(f"{self.what} at {self.directory} cannot be written ({exc}); continuing without saving")

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
