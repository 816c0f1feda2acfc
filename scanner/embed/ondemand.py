"""Transformer vectors on demand, for the cascade: only the rows a rule asks about are embedded.

The cascade scans every record with static vectors (neighbour graph, bundles, candidate proposal) and
keeps each record's texts in a scratch file; when a rule or a statistic reads ``ctx.vectors[view][rows]``,
the rows not embedded yet are embedded together (through the embedding cache, so a rescan and the
accurate path share vectors) and kept in a sparse float16 scratch matrix. Whole-dataset access is refused:
a rule that needs every row reads the discovery vectors instead.
"""

from __future__ import annotations

import struct
import threading
from pathlib import Path

import numpy as np

from ..records import Views
from .stage import embed_texts

VIEWS = ("prompt", "answer")
DEFAULT_DIM = 384   # the width reported before the first row is embedded (all-MiniLM-L6-v2's)


class TextSpill:
    """Each record's prompt and answer, appended to a scratch file while reading; read back by index."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.fh = open(self.path, "wb")
        self.offsets: list[int] = []
        self._end = 0
        self._reader = None

    def add(self, index: int, views: Views) -> None:
        if index != len(self.offsets):
            raise ValueError(f"records must be spilled in order (got {index}, expected {len(self.offsets)})")
        p, a = views.prompt.encode("utf-8", "surrogatepass"), views.answer.encode("utf-8", "surrogatepass")
        blob = struct.pack("<II", len(p), len(a)) + p + a
        self.offsets.append(self._end)
        self.fh.write(blob)
        self._end += len(blob)

    def finish(self) -> None:
        self.fh.close()

    def __call__(self, indices) -> dict[int, Views]:
        if self._reader is None:
            self._reader = open(self.path, "rb")
        out: dict[int, Views] = {}
        for i in sorted({int(i) for i in indices}):
            self._reader.seek(self.offsets[i])
            lp, la = struct.unpack("<II", self._reader.read(8))
            raw = self._reader.read(lp + la)
            out[i] = Views(prompt=raw[:lp].decode("utf-8", "surrogatepass"),
                           answer=raw[lp:].decode("utf-8", "surrogatepass"))
        return out

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        if self._reader is not None:
            self._reader.close()


class OnDemandVectors:
    """Transformer rows of the prompt and answer views, embedded the first time they are asked for."""

    def __init__(self, embedder, cache, texts, n: int, present: dict[str, np.ndarray], scratch: Path,
                 dim: int | None = None):
        self.embedder, self.cache, self.texts, self.n = embedder, cache, texts, n
        self.present = present
        self.dim = dim
        self.scratch = Path(scratch)
        self.rows = {v: None for v in VIEWS}         # sparse float16 memmaps, created on first use
        self.done = {v: np.zeros(n, dtype=bool) for v in VIEWS}
        self.embedded = 0
        self.cached = 0
        self.requests = 0
        self._lock = threading.Lock()

    def _matrix(self, view: str) -> np.ndarray:
        if self.rows[view] is None:
            self.rows[view] = np.memmap(self.scratch / f"ondemand-{view}.f16", dtype=np.float16, mode="w+",
                                        shape=(max(1, self.n), self.dim))
        return self.rows[view]

    def ensure(self, views, rows: np.ndarray) -> None:
        """Embed, in one pass, every requested row of ``views`` that is present and not embedded yet."""
        with self._lock:
            todo = {v: np.unique(rows[self.present[v][rows] & ~self.done[v][rows]]) for v in views}
            if not any(len(t) for t in todo.values()):
                return
            self.requests += 1
            records = self.texts(np.unique(np.concatenate([t for t in todo.values()])))
            texts, starts = [], {}
            for v, t in todo.items():   # view by view: each view's rows are one slice of the pass
                starts[v] = len(texts)
                texts += [getattr(records[i], v) for i in t.tolist()]
            vecs, embedded, cached = embed_texts(self.embedder, self.cache, texts)
            self.embedded += embedded
            self.cached += cached
            self.dim = self.dim or int(vecs.shape[1])
            for v, t in todo.items():
                if len(t):
                    self._matrix(v)[t] = vecs[starts[v]:starts[v] + len(t)]
                    self.done[v][t] = True

    def get(self, view: str, rows: np.ndarray) -> np.ndarray:
        """float32 rows (zeros where the view is absent)."""
        self.ensure((view,), rows)
        if self.rows[view] is None:
            return np.zeros((len(rows), self.dim or DEFAULT_DIM), dtype=np.float32)
        return np.asarray(self._matrix(view)[rows], dtype=np.float32)

    def count(self) -> int:
        return int(sum(d.sum() for d in self.done.values()))


def _as_rows(idx, n: int) -> np.ndarray:
    if isinstance(idx, slice) or idx is Ellipsis:
        raise TypeError("the cascade embeds rows on demand: ask for the rows you need (an index array), "
                        "and read ctx.discovery for whole-dataset work")
    a = np.asarray(idx)
    if a.dtype == bool:
        a = np.flatnonzero(a)
    return a.astype(np.int64)


class LazyView:
    """``ViewRows`` over on-demand vectors: ``joint`` is the normalised sum of prompt and answer rows."""

    def __init__(self, source: OnDemandVectors, parts: tuple[str, ...]):
        self.source, self.parts = source, parts

    @property
    def shape(self) -> tuple[int, int]:
        return (self.source.n, self.source.dim or DEFAULT_DIM)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, idx) -> np.ndarray:
        rows = _as_rows(idx, self.shape[0])
        flat = rows.reshape(-1)
        self.source.ensure(self.parts, flat)
        total = self.source.get(self.parts[0], flat)
        for p in self.parts[1:]:
            total = total + self.source.get(p, flat)
        if len(self.parts) > 1:
            norms = np.linalg.norm(total, axis=-1, keepdims=True)
            norms[norms == 0] = 1.0
            total = (total / norms).astype(np.float32)
        return total.reshape(*rows.shape, self.shape[1])

    def matvec(self, c: np.ndarray) -> np.ndarray:
        raise TypeError("the cascade has no whole-dataset transformer vectors; use ctx.discovery")


def lazy_views(source: OnDemandVectors) -> dict[str, LazyView]:
    return {"prompt": LazyView(source, ("prompt",)), "answer": LazyView(source, ("answer",)),
            "joint": LazyView(source, ("prompt", "answer"))}
