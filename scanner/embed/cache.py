"""Persistent, content-addressed embedding cache (SQLite, safe for concurrent scans).

Key: sha256(model id, NUL, text). Value: float16 vector plus an 8-byte BLAKE2 check,
so a damaged entry is detected and recomputed, never trusted. Any failure to open or
write the cache becomes a warning: the scan goes on without it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Callable

import numpy as np

SCHEMA = ("CREATE TABLE IF NOT EXISTS vectors "
          "(key BLOB PRIMARY KEY, dim INTEGER NOT NULL, vec BLOB NOT NULL, chk BLOB NOT NULL)")
LOOKUP_CHUNK = 500


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "poisonscan"


def text_key(model_id: str, text: str) -> bytes:
    return hashlib.sha256(f"{model_id}\0{text}".encode("utf-8", "surrogatepass")).digest()[:20]


def _check(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=8).digest()


class EmbeddingCache:
    def __init__(self, directory: str | os.PathLike, warn: Callable[[str], None]):
        self.directory = Path(directory)
        self.warn = warn
        self.db: sqlite3.Connection | None = None
        self.writable = True
        self.hits = self.misses = self.corrupt = 0
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.directory / "embeddings-v1.sqlite3", timeout=30, isolation_level=None,
                                 check_same_thread=False)  # used by the embedding thread, one at a time
            db.execute("PRAGMA busy_timeout = 30000")
            try:
                db.execute("PRAGMA journal_mode = WAL")
            except sqlite3.Error:
                pass
            db.execute(SCHEMA)
            self.db = db
        except (OSError, sqlite3.Error) as exc:
            self.warn(f"embedding cache unavailable at {self.directory} ({exc}); continuing without it")

    def get_many(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        if self.db is None or not keys:
            return found
        try:
            for start in range(0, len(keys), LOOKUP_CHUNK):
                chunk = keys[start:start + LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                for key, dim, vec, chk in self.db.execute(
                        f"SELECT key, dim, vec, chk FROM vectors WHERE key IN ({marks})", chunk):
                    if len(vec) != 2 * dim or _check(vec) != chk:
                        self.corrupt += 1
                        continue
                    found[bytes(key)] = np.frombuffer(vec, dtype=np.float16).astype(np.float32)
        except sqlite3.Error as exc:
            self.warn(f"embedding cache read failed ({exc}); recomputing")
            self.db = None
            return {}
        self.hits += len(found)
        self.misses += len(set(keys)) - len(found)
        return found

    def put_many(self, items: list[tuple[bytes, np.ndarray]]) -> None:
        if self.db is None or not self.writable or not items:
            return
        rows = []
        for key, vec in items:
            blob = np.asarray(vec, dtype=np.float16).tobytes()
            rows.append((key, int(vec.shape[0]), blob, _check(blob)))
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO vectors (key, dim, vec, chk) VALUES (?, ?, ?, ?)", rows)
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            self.writable = False
            self.warn(f"embedding cache at {self.directory} cannot be written ({exc}); continuing without saving")

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
