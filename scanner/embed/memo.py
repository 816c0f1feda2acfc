"""The static vectors of the last scan of the same inputs, kept for the next scan of them (a rescan).

The static embedder is about as cheap per text as a cache lookup, so its vectors are not cached per text. Yet a
rescan after a small edit would embed every text again (several seconds per 100k records). This memo stores
the last scan's matrices whole, keyed by each record's content hash (which fixes its prompt and answer text):
on the next scan of the same input paths a record whose hash is in the memo takes its rows from it, and only
the new records are embedded. Vectors are identical either way (the same function of the same text, stored
as the float16 the scan uses).

Files, per (embedder, input paths): ``<key>.hashes.npy`` (n, 16) uint8, ``<key>.vectors.npy`` (n, 2, d)
float16 (prompt and answer), and ``<key>.json`` with the embedder id, shapes and BLAKE2 digests of both files,
written last. Loaded with ``allow_pickle=False`` after the digests match; anything else is ignored (the
records are embedded again). At most ``KEEP`` memos are kept in the folder, the least recently used go first.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np

from ..fileutil import replacing

KEEP = 2
ORPHAN_AGE = 3600   # seconds before files without their memo's digests count as left over
FOLDER = "vector-memo"


def memo_key(model_id: str, paths: list[str]) -> str:
    """The memo's name: the embedder and the resolved input paths (order-free)."""
    names = sorted(str(Path(p).resolve()) if "://" not in p else p for p in paths)
    return hashlib.sha256(json.dumps([model_id, names]).encode()).hexdigest()[:24]


def _digest(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _hash_bytes(hashes: list[str]) -> np.ndarray:
    """Content hashes (32 hex digits) as (n, 16) uint8 rows."""
    return np.frombuffer(bytes.fromhex("".join(hashes)), dtype=np.uint8).reshape(len(hashes), 16)


class VectorMemo:
    """One memo: ``row(content_hash)`` while streaming, ``rows(...)`` to copy vectors, ``save`` at the end."""

    def __init__(self, folder: str | os.PathLike, model_id: str, paths: list[str]):
        self.dir = Path(folder) / FOLDER
        self.model_id = model_id
        self.key = memo_key(model_id, paths)
        self.vectors: np.ndarray | None = None   # (n, 2, d) float16, memory-mapped
        self._row: dict[bytes, int] = {}
        self.problem: str | None = None          # why a memo that exists could not be used

    def _files(self, key: str | None = None) -> tuple[Path, Path, Path]:
        key = key or self.key
        return self.dir / f"{key}.hashes.npy", self.dir / f"{key}.vectors.npy", self.dir / f"{key}.json"

    def _source(self) -> str | None:
        """The memo to read: these paths' own, else the most recently used one of this embedder (an edited
        copy of a dataset shares most records with the dataset last scanned)."""
        if self._files()[2].is_file():
            return self.key
        try:
            metas = sorted(self.dir.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
            for meta_path in metas:
                if json.loads(meta_path.read_text(encoding="utf-8")).get("model_id") == self.model_id:
                    return meta_path.stem
        except (OSError, ValueError):
            pass
        return None

    def load(self) -> "VectorMemo":
        """Read the memo if there is one that checks out; else stay empty (every record is embedded)."""
        key = self._source()
        if key is None:
            return self
        hashes_path, vectors_path, meta_path = self._files(key)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("model_id") != self.model_id:
                return self
            if (_digest(hashes_path) != meta.get("hashes") or _digest(vectors_path) != meta.get("vectors")):
                raise ValueError("its files do not match their digests")
            hashes = np.load(hashes_path, allow_pickle=False)
            vectors = np.load(vectors_path, allow_pickle=False, mmap_mode="r")
            if (hashes.dtype != np.uint8 or hashes.ndim != 2 or hashes.shape[1] != 16 or vectors.dtype != np.float16
                    or vectors.ndim != 3 or vectors.shape[:2] != (len(hashes), 2)):
                raise ValueError("its arrays have the wrong shape")
            os.utime(meta_path)   # recently used
        except (OSError, ValueError) as exc:
            self.problem = f"static vector memo {meta_path} not used ({exc}); its records are embedded again"
            return self
        self.vectors = vectors
        raw = hashes.tobytes()
        self._row = {raw[j:j + 16]: i for i, j in enumerate(range(0, len(raw), 16))}
        return self

    def __len__(self) -> int:
        return len(self._row)

    def row(self, content_hash: str) -> int:
        """The memo row of a record with this content hash, or -1."""
        return self._row.get(bytes.fromhex(content_hash), -1) if self._row else -1

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), 2, d) float16: prompt and answer vectors of the given memo rows."""
        order = np.argsort(rows, kind="stable")   # memory-mapped reads in file order
        out = np.empty((len(rows),) + self.vectors.shape[1:], dtype=np.float16)
        out[order] = self.vectors[rows[order]]
        return out

    def save(self, hashes: list[str], prompt: np.ndarray, answer: np.ndarray) -> str | None:
        """Store this scan's vectors (rows in record order) as the memo; returns a warning if it cannot."""
        hashes_path, vectors_path, meta_path = self._files()
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            meta_path.unlink(missing_ok=True)   # the old memo stops being valid before its files change
            with replacing(hashes_path) as tmp, open(tmp, "wb") as fh:
                np.save(fh, _hash_bytes(hashes), allow_pickle=False)
            n, d = prompt.shape
            with replacing(vectors_path) as tmp:
                out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float16, shape=(n, 2, d))
                for start in range(0, n, 65_536):
                    out[start:start + 65_536, 0] = prompt[start:start + 65_536]
                    out[start:start + 65_536, 1] = answer[start:start + 65_536]
                out.flush()
                del out
            meta = {"model_id": self.model_id, "rows": n, "dim": d, "hashes": _digest(hashes_path),
                    "vectors": _digest(vectors_path)}
            with replacing(meta_path) as tmp:
                tmp.write_text(json.dumps(meta), encoding="utf-8")
            self._prune()
        except (OSError, ValueError) as exc:
            return f"could not store the static vector memo in {self.dir} ({exc}); the next scan embeds every record"
        return None

    def _prune(self) -> None:
        """Keep the ``KEEP`` most recently used memos and drop the others' files. Files no memo names yet are
        left for ``ORPHAN_AGE`` seconds: another scan may be writing them (its digests come last)."""
        metas = sorted(self.dir.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        keep, drop = {p.stem for p in metas[:KEEP]}, {p.stem for p in metas[KEEP:]}
        now = time.time()
        for path in self.dir.iterdir():
            key = path.name.split(".")[0]
            if path.name.startswith(".") or key in keep:
                continue
            try:
                if key in drop or now - path.stat().st_mtime > ORPHAN_AGE:
                    path.unlink(missing_ok=True)
            except OSError:
                pass
