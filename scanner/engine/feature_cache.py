"""Per-record features (and the static analyser's issues per code snippet) kept between scans, keyed by the
record's content and the feature code.

The per-record step (``rows.process_batch``) costs hundreds of microseconds a record; a rescan after a small
edit reuses every unchanged record's features and code and computes only the new ones. Trigger-candidate
tokens are not stored: they are recomputed (tens of microseconds) rather than doubling the cache.

Key: sha256(feature digest, packs on/off, content hash). The digest covers the source of every module the
per-record step runs and every knowledge pack, so an edited extractor or pack never serves stale features.
Values are JSON (never pickled) with a BLAKE2 check (``sqlite_store``); a damaged entry is recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..features.bandit_scan import bandit_version, run_bandit
from ..features.extract import RecordFeatures, features_from_values, features_to_values
from ..knowledge import packs_dir
from ..sqlite_store import SqliteStore, check

SCHEMA = "CREATE TABLE IF NOT EXISTS features (key BLOB PRIMARY KEY, row BLOB NOT NULL, chk BLOB NOT NULL)"
PACKAGE = Path(__file__).resolve().parent.parent
# what process_batch runs: the feature extractors, the record model, the pack loader and this step's glue
SOURCES = ("features/*.py", "records.py", "knowledge.py", "errors.py", "textutil.py", "engine/rows.py",
           "engine/feature_cache.py")


@lru_cache(maxsize=1)
def feature_digest() -> str:
    """sha256 over the per-record step's source files and the knowledge packs, in a fixed order."""
    h = hashlib.sha256()
    files = sorted({p for pattern in SOURCES for p in PACKAGE.glob(pattern)}) + sorted(packs_dir().glob("*.yaml"))
    for path in files:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def encode(features: RecordFeatures, code: str | None) -> bytes:
    return json.dumps([features_to_values(features), code]).encode("ascii")   # \\u escapes: any text


def decode(blob: bytes) -> tuple[RecordFeatures, str | None]:
    """The inverse of ``encode``; tuple fields come back as tuples (JSON has only lists)."""
    values, code = json.loads(blob)
    return features_from_values(values), code


class FeatureCache(SqliteStore):
    def __init__(self, directory: str | os.PathLike, packs: bool, warn: Callable[[str], None]):
        super().__init__(directory, "features-v1.sqlite3", SCHEMA, "feature cache", warn)
        self.prefix = f"{feature_digest()}\0{int(packs)}\0".encode()

    def key(self, content_hash: str) -> bytes:
        return hashlib.sha256(self.prefix + content_hash.encode()).digest()[:20]

    def get_many(self, content_hashes: list[str]) -> dict[str, tuple[RecordFeatures, str | None]]:
        """Stored (features, code) by content hash, for the records that have them."""
        by_key = {self.key(h): h for h in content_hashes}
        found: dict[str, tuple[RecordFeatures, str | None]] = {}
        for key, blob, chk in self.select("SELECT key, row, chk FROM features WHERE key IN ({marks})", list(by_key)):
            try:
                if check(blob) != chk:
                    raise ValueError("check mismatch")
                found[by_key[bytes(key)]] = decode(blob)
            except (ValueError, TypeError):
                self.corrupt += 1
        self.count(list(by_key), len(found))
        return found

    def put_many(self, items: list[tuple[str, RecordFeatures, str | None]]) -> None:
        """Store (content hash, features, code) rows."""
        if self.db is None or not self.writable:
            return
        rows = []
        for content_hash, features, code in items:
            blob = encode(features, code)
            rows.append((self.key(content_hash), blob, check(blob)))
        self.insert("INSERT OR REPLACE INTO features (key, row, chk) VALUES (?, ?, ?)", rows)


ISSUES_SCHEMA = "CREATE TABLE IF NOT EXISTS issues (key BLOB PRIMARY KEY, row BLOB NOT NULL, chk BLOB NOT NULL)"


class CodeIssueCache(SqliteStore):
    """The static analyser's issues for each code snippet (no issue is an answer too), keyed by the snippet's
    bytes, the analyser's version and the feature digest (which covers the list of ignored checks)."""

    def __init__(self, directory: str | os.PathLike, warn: Callable[[str], None]):
        super().__init__(directory, "code-issues-v1.sqlite3", ISSUES_SCHEMA, "code analysis cache", warn)
        self.prefix = f"{feature_digest()}\0{bandit_version()}\0".encode()

    def key(self, code: bytes) -> bytes:
        return hashlib.sha256(self.prefix + code).digest()[:20]

    def get_many(self, keys: list[bytes]) -> dict[bytes, list[dict]]:
        found: dict[bytes, list[dict]] = {}
        for key, blob, chk in self.select("SELECT key, row, chk FROM issues WHERE key IN ({marks})", keys):
            try:
                issues = json.loads(blob) if check(blob) == chk else None
                if not isinstance(issues, list) or not all(isinstance(i, dict) for i in issues):
                    raise ValueError("not a list of issues")
                found[bytes(key)] = issues
            except ValueError:
                self.corrupt += 1
        self.count(keys, len(found))
        return found

    def put_many(self, items: list[tuple[bytes, list[dict]]]) -> None:
        rows = []
        for key, issues in items:
            blob = json.dumps(issues).encode("ascii")
            rows.append((key, blob, check(blob)))
        self.insert("INSERT OR REPLACE INTO issues (key, row, chk) VALUES (?, ?, ?)", rows)


def code_issues(folder: Path, cache: CodeIssueCache | None) -> dict[int, list[dict]]:
    """``run_bandit`` over every ``<index>.py`` in the folder, analysing only the snippets the cache has not
    seen; the same answer as without the cache."""
    files = sorted(folder.glob("*.py"))
    if cache is None or cache.db is None:
        return run_bandit(folder, files)
    keys = {f: cache.key(f.read_bytes()) for f in files}
    known = cache.get_many(list(set(keys.values())))
    todo = [f for f in files if keys[f] not in known]
    fresh = run_bandit(folder, todo)
    cache.put_many(list({keys[f]: fresh.get(int(f.stem), []) for f in todo}.items()))
    out: dict[int, list[dict]] = {}
    for f in files:
        issues = known[keys[f]] if keys[f] in known else fresh.get(int(f.stem), [])
        if issues:
            out[int(f.stem)] = issues
    return out
