"""Persistent, content-addressed embedding cache (SQLite, safe for concurrent scans).

Key: sha256(model id, NUL, text). Value: float16 vector plus an 8-byte BLAKE2 check,
so a damaged entry is detected and recomputed, never trusted. Any failure to open or
write the cache becomes a warning: the scan goes on without it (``sqlite_store``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

import numpy as np

from ..sqlite_store import SqliteStore, check

SCHEMA = ("CREATE TABLE IF NOT EXISTS vectors "
          "(key BLOB PRIMARY KEY, dim INTEGER NOT NULL, vec BLOB NOT NULL, chk BLOB NOT NULL)")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "poisonscan"


def text_key(model_id: str, text: str) -> bytes:
    return hashlib.sha256(f"{model_id}\0{text}".encode("utf-8", "surrogatepass")).digest()[:20]


class EmbeddingCache(SqliteStore):
    def __init__(self, directory: str | os.PathLike, warn: Callable[[str], None]):
        super().__init__(directory, "embeddings-v1.sqlite3", SCHEMA, "embedding cache", warn)

    def get_many(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        if not keys:
            return found
        for key, dim, vec, chk in self.select("SELECT key, dim, vec, chk FROM vectors WHERE key IN ({marks})", keys):
            if len(vec) != 2 * dim or check(vec) != chk:
                self.corrupt += 1
                continue
            found[bytes(key)] = np.frombuffer(vec, dtype=np.float16).astype(np.float32)
        self.count(keys, len(found))
        return found

    def put_many(self, items: list[tuple[bytes, np.ndarray]]) -> None:
        if self.db is None or not self.writable:
            return
        rows = []
        for key, vec in items:
            blob = np.asarray(vec, dtype=np.float16).tobytes()
            rows.append((key, int(vec.shape[0]), blob, check(blob)))
        self.insert("INSERT OR REPLACE INTO vectors (key, dim, vec, chk) VALUES (?, ?, ?, ?)", rows)
