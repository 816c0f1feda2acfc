"""The IVF neighbour answers of an earlier scan of the same vectors, kept for the next scan of them.

Above ``knn.EXACT_LIMIT`` rows a view's neighbours come from an IVF index whose lists are trained on a seeded
sample of the view's own vectors, so the index, and every row's answer, is a function of the view's vectors,
which rows are present, ``k`` and the seed. When all of those are unchanged (a rescan of the same data, or of
data whose edits left this view alone: answers rewritten for the same prompts leave the prompt view as it was),
the answers are those of the last scan, and a search reads them here instead of training, filling and searching
an index (~5 s per view at 100k rows). Nothing else changes: rows the rules ask about before an index exists
are still searched exactly, as in any scan, and an index is still built when a rule needs one
(``nearest_allowed``), from the stored centroids of its lists, without training it again (the same index).
A changed vector, row or setting gives another digest, and the search runs as usual.

One ``.npz`` per digest in ``<cache>/graph-memo``: ``sims`` (m, k) float32 and ``idx`` (m, k) int32, the
present rows' answers in row order, and ``centroids`` (lists, d) float32, read with ``allow_pickle=False``
and checked (shapes, types, neighbour range, finite values) before use. At most ``KEEP`` are kept, the least
recently used go first.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

import numpy as np

from ..fileutil import replacing

FOLDER = "graph-memo"
FORMAT = 2
KEEP = 4            # two views (prompt, joint) of the last two datasets scanned
CHUNK = 65_536


def digest(x, present: np.ndarray, k: int, seed: int, settings: tuple) -> str:
    """BLAKE2 of everything an IVF answer depends on: each stored part of the view's rows (one for prompt or
    answer, both for the joint view, which is their normalised sum), the present rows, ``k``, the seed, the
    index's settings, and the faiss version and instruction set in use (a cache folder shared by machines
    whose kernels round differently keeps one memo each)."""
    import faiss

    h = hashlib.blake2b(digest_size=16)
    parts = getattr(x, "parts", None) or [x]
    h.update(repr((FORMAT, faiss.__version__, _simd(faiss), settings, k, seed, x.shape, len(parts),
                   [str(np.asarray(p[:1]).dtype) for p in parts])).encode())
    h.update(np.packbits(np.asarray(present, dtype=bool)).tobytes())
    for p in parts:
        for start in range(0, p.shape[0], CHUNK):
            h.update(np.ascontiguousarray(p[start:start + CHUNK]).tobytes())
    return h.hexdigest()


def _simd(faiss) -> str:
    """The faiss build and the instruction set its kernels run with here (chosen at run time by newer builds)."""
    try:
        level = faiss.SIMDConfig.get_level_name()
    except Exception:  # noqa: BLE001 - an older faiss without run-time dispatch: its build says it all
        level = ""
    return f"{faiss.get_compile_options()}/{level}"


class GraphMemo:
    """``load(key, rows, k, n, lists)`` the answers stored under a digest, or None; ``save(key, sims, idx,
    centroids)``."""

    def __init__(self, folder: str | os.PathLike, warn: Callable[[str], None] | None = None):
        self.dir = Path(folder) / FOLDER
        self.warn = warn
        self.reused = 0     # searches answered from the memo in this scan
        self.saved = 0

    def _path(self, key: str) -> Path:
        return self.dir / f"{key}.npz"

    def load(self, key: str, rows: int, k: int, n: int,
             lists: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(sims, idx, centroids) of the ``rows`` present rows (neighbours among ``n`` rows) and the index's
        ``lists`` (count, width), or None when there is no usable memo of this digest."""
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                sims, idx, centroids = z["sims"], z["idx"], z["centroids"]
            if (sims.dtype != np.float32 or idx.dtype != np.int32 or sims.shape != (rows, k)
                    or idx.shape != (rows, k) or not np.isfinite(sims).all()
                    or (rows and (int(idx.min()) < -1 or int(idx.max()) >= n))
                    or centroids.dtype != np.float32 or centroids.shape != tuple(lists)
                    or not np.isfinite(centroids).all()):
                raise ValueError("its arrays do not fit this view")
            os.utime(path)   # recently used
        except (OSError, ValueError, KeyError) as exc:
            self._warn(f"neighbour memo {path} not used ({exc}); the neighbours are searched again")
            return None
        self.reused += 1
        return sims, idx.astype(np.int64), centroids

    def save(self, key: str, sims: np.ndarray, idx: np.ndarray, centroids: np.ndarray) -> None:
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            with replacing(self._path(key)) as tmp, open(tmp, "wb") as fh:
                np.savez(fh, sims=np.asarray(sims, dtype=np.float32), idx=np.asarray(idx, dtype=np.int32),
                         centroids=np.asarray(centroids, dtype=np.float32))
            self.saved += 1
            self._prune()
        except (OSError, ValueError) as exc:
            self._warn(f"could not store the neighbour memo in {self.dir} ({exc}); the next scan searches again")

    def _prune(self) -> None:
        memos = sorted(self.dir.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in memos[KEEP:]:
            path.unlink(missing_ok=True)

    def _warn(self, message: str) -> None:
        if self.warn is not None:
            self.warn(message)
