"""The embedding stage: buffer views, reuse cached vectors, embed only what is new.

Every vector goes through float16 (the cache's storage type) before use, so a scan
gives the same vectors whether they were computed now or read from the cache.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .cache import EmbeddingCache, text_key

VIEWS = ("prompt", "answer")


class GrowableMatrix:
    """Rows arrive by record index; zero rows stand for views a record does not have."""

    def __init__(self) -> None:
        self.dim: int | None = None
        self.data: np.ndarray | None = None

    def set_row(self, i: int, vec: np.ndarray) -> None:
        if self.data is None:
            self.dim = int(vec.shape[0])
            self.data = np.zeros((max(1024, i + 1), self.dim), dtype=np.float32)
        if i >= self.data.shape[0]:
            grown = np.zeros((max(i + 1, 2 * self.data.shape[0]), self.dim), dtype=np.float32)
            grown[: self.data.shape[0]] = self.data
            self.data = grown
        self.data[i] = vec

    def finish(self, n: int, dim: int) -> np.ndarray:
        out = np.zeros((n, dim), dtype=np.float32)
        if self.data is not None:
            rows = min(n, self.data.shape[0])
            out[:rows] = self.data[:rows]
        return out


class EmbeddingStage:
    """Collects (record index, view text) pairs and fills one matrix per view."""

    def __init__(self, embedder, cache: EmbeddingCache | None, on_progress: Callable[[int], None] | None = None,
                 chunk_records: int = 512):
        self.embedder = embedder
        self.cache = cache
        self.on_progress = on_progress or (lambda n: None)
        self.chunk_records = chunk_records
        self.buffer: list[tuple[int, str, str]] = []  # (record index, view, text)
        self.matrices = {v: GrowableMatrix() for v in VIEWS}
        self.present = {v: [] for v in VIEWS}
        self.embedded = 0
        self.cached = 0
        self._records_in_buffer = 0

    def add(self, index: int, views) -> None:
        for view in VIEWS:
            text = getattr(views, view)
            has = bool(text.strip())
            self.present[view].append(has)
            if has:
                self.buffer.append((index, view, text))
        self._records_in_buffer += 1
        if self._records_in_buffer >= self.chunk_records:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            self.on_progress(self._records_in_buffer)
            self._records_in_buffer = 0
            return
        model_id = self.embedder.model_id
        keys = [text_key(model_id, text) for _, _, text in self.buffer]
        vectors = self.cache.get_many(keys) if self.cache else {}
        self.cached += sum(1 for k in keys if k in vectors)
        todo: dict[bytes, str] = {}
        for key, (_, _, text) in zip(keys, self.buffer):
            if key not in vectors and key not in todo:
                todo[key] = text
        if todo:
            fresh = self.embedder.embed(list(todo.values()))
            fresh16 = fresh.astype(np.float16)
            new_items = list(zip(todo.keys(), fresh16))
            for key, vec in new_items:
                vectors[key] = vec.astype(np.float32)
            self.embedded += len(todo)
            if self.cache:
                self.cache.put_many(new_items)
        for key, (index, view, _) in zip(keys, self.buffer):
            self.matrices[view].set_row(index, vectors[key])
        self.buffer = []
        self.on_progress(self._records_in_buffer)
        self._records_in_buffer = 0

    def finish(self, n: int, default_dim: int = 384) -> dict[str, np.ndarray]:
        self.flush()
        dim = next((m.dim for m in self.matrices.values() if m.dim), default_dim)
        out = {v: self.matrices[v].finish(n, dim) for v in VIEWS}
        out["present_prompt"] = np.array(self.present["prompt"], dtype=bool)
        out["present_answer"] = np.array(self.present["answer"], dtype=bool)
        return out
