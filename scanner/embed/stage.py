"""The embedding stage: buffer views, reuse cached vectors, embed only what is new.

Chunks are embedded by one background thread, in order, while the reader goes on
(tokenizers and BLAS release the GIL); at most two chunks wait, so memory stays bounded.

Every vector goes through float16 (the cache's storage type) before use, so a scan
gives the same vectors whether they were computed now or read from the cache.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np

from .cache import EmbeddingCache, text_key
from .store import RowFile

VIEWS = ("prompt", "answer")


def embed_texts(embedder, cache: EmbeddingCache | None, texts: list[str]) -> tuple[np.ndarray, int, int]:
    """float16 vectors for ``texts`` (cache first, then the embedder for the rest, each distinct text once);
    also returns how many texts were embedded and how many came from the cache."""
    vectors, origin = embed_texts_traced(embedder, cache, texts)
    return vectors, int((origin == EMBEDDED).sum()), int((origin == CACHED).sum())


CACHED, EMBEDDED, REPEATED = 1, 2, 0   # where each text's vector came from


def embed_texts_traced(embedder, cache: EmbeddingCache | None, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``embed_texts`` with, per text, where its vector came from: ``CACHED``, ``EMBEDDED`` (the first
    occurrence of a text the embedder computed) or ``REPEATED`` (a later occurrence of it)."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float16), np.zeros(0, dtype=np.int8)
    keys = [text_key(embedder.model_id, text) for text in texts]
    vectors = cache.get_many(keys) if cache else {}
    origin = np.array([CACHED if k in vectors else REPEATED for k in keys], dtype=np.int8)
    todo: dict[bytes, str] = {}
    for n, (key, text) in enumerate(zip(keys, texts)):
        if key not in vectors and key not in todo:
            todo[key] = text
            origin[n] = EMBEDDED
    if todo:
        fresh = embedder.embed(list(todo.values())).astype(np.float16)
        new_items = list(zip(todo.keys(), fresh))
        vectors.update(new_items)
        if cache:
            cache.put_many(new_items)
    return np.stack([np.asarray(vectors[k], dtype=np.float16) for k in keys]), origin


class EmbeddingStage:
    """Collects (record index, view text) pairs and fills one matrix per view."""

    def __init__(self, embedder, cache: EmbeddingCache | None, scratch: Path,
                 on_progress: Callable[[int], None] | None = None, chunk_records: int = 512, keep_texts=None,
                 memo=None):
        """``keep_texts(index, views)``: also called for every record (the cascade spills texts for later).
        ``memo`` (``memo.VectorMemo``): a record whose content hash it holds takes both views' vectors from it."""
        self.embedder = embedder
        self.memo = memo if memo is not None and len(memo) else None
        self.memo_hits: list[tuple[int, int]] = []   # (record index, memo row) of the buffered chunk
        self.memo_records = 0                        # records whose vectors came from the memo
        self._memo_texts = 0
        self.keep_texts = keep_texts
        self.cache = cache if getattr(embedder, "cacheable", True) else None
        self.on_progress = on_progress or (lambda n: None)
        self.chunk_records = chunk_records
        self.buffer: list[tuple[int, str, str]] = []  # (record index, view, text)
        self.files = {v: RowFile(Path(scratch) / f"{v}.f16") for v in VIEWS}
        self.present = {v: bytearray() for v in VIEWS}
        self.embedded = 0
        self.cached = 0
        self._records_in_buffer = 0
        self._block_start = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="poisonscan-embed")
        self._pending: deque[Future] = deque()

    def add(self, index: int, views, content_hash: str | None = None) -> None:
        if self.keep_texts is not None:
            self.keep_texts(index, views)
        row = self.memo.row(content_hash) if self.memo is not None and content_hash else -1
        for view in VIEWS:
            text = getattr(views, view)
            has = bool(text.strip())
            self.present[view].append(1 if has else 0)
            if has and row < 0:
                self.buffer.append((index, view, text))
            elif has:
                self._memo_texts += 1     # counted here, added to ``cached`` once the thread is done
        if row >= 0:
            self.memo_hits.append((index, row))
            self.memo_records += 1
        self._records_in_buffer += 1
        if self._records_in_buffer >= self.chunk_records:
            self.flush()

    def flush(self) -> None:
        """Hand the buffered chunk to the embedding thread (waits while two chunks are already queued)."""
        count, first = self._records_in_buffer, self._block_start  # this block: records first .. first+count-1
        self._block_start += count
        buffer, self.buffer = self.buffer, []
        hits, self.memo_hits = self.memo_hits, []
        self._records_in_buffer = 0
        while len(self._pending) >= 2:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._process, buffer, count, first, hits))

    def _process(self, buffer: list[tuple[int, str, str]], count: int, first: int,
                 hits: list[tuple[int, int]] = ()) -> None:
        if not buffer and not hits:
            for f in self.files.values():
                f.append(None, count)
            self.on_progress(count)
            return
        vecs = None
        if buffer:
            vecs, embedded, cached = embed_texts(self.embedder, self.cache, [text for _, _, text in buffer])
            self.embedded += embedded
            self.cached += cached
        dim = vecs.shape[1] if vecs is not None else self.memo.vectors.shape[2]
        blocks = {v: np.zeros((count, dim), dtype=np.float16) for v in VIEWS}
        if hits:
            at, rows = np.array(hits, dtype=np.int64).T
            both = self.memo.rows(rows)
            for j, view in enumerate(VIEWS):
                blocks[view][at - first] = both[:, j]
        for vec, (index, view, _) in zip(vecs if vecs is not None else (), buffer):
            blocks[view][index - first] = vec
        for view in VIEWS:
            self.files[view].append(blocks[view], count)
        self.on_progress(count)

    def close(self) -> None:
        """Stop the embedding thread after a failed scan (its errors no longer matter)."""
        for f in self._pending:
            f.cancel()
        self._pool.shutdown(wait=True)

    def drain(self) -> None:
        """Wait for every queued chunk (re-raising its error) and stop the thread."""
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            for f in self._pending:
                f.cancel()
            self._pool.shutdown(wait=True)

    def finish(self, n: int, default_dim: int = 384) -> dict[str, np.ndarray]:
        """float16 matrices (memory-mapped) per view, and the presence masks."""
        self.flush()
        self.drain()
        self.cached += self._memo_texts
        self._memo_texts = 0
        dim = next((f.dim for f in self.files.values() if f.dim), default_dim)
        out = {v: self.files[v].finish(n, dim) for v in VIEWS}
        out["present_prompt"] = np.frombuffer(bytes(self.present["prompt"]), dtype=np.uint8).astype(bool)
        out["present_answer"] = np.frombuffer(bytes(self.present["answer"]), dtype=np.uint8).astype(bool)
        return out
