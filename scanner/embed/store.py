"""Compact vector storage: float16 rows appended to a scratch file, read back memory-mapped.

The scan keeps no float32 matrix of the whole dataset: rules read the rows they need
through :class:`ViewRows`, which converts to float32 on access (float16 is also the
cache's storage type, so values are the same whether computed now or cached).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CHUNK = 65_536


class RowFile:
    """Append-only float16 matrix on disk; rows arrive in blocks, in record order."""

    def __init__(self, path: Path):
        self.path = path
        self.fh = open(path, "wb")
        self.rows = 0
        self.dim: int | None = None
        self._pending_zero = 0  # rows to write as zeros once the width is known

    def append(self, block: np.ndarray | None, count: int) -> None:
        """Append ``count`` rows: ``block`` (count, dim) or ``None`` for all-zero rows."""
        if block is None:
            if self.dim is None:
                self._pending_zero += count
                return
            block = np.zeros((count, self.dim), dtype=np.float16)
        if self.dim is None:
            self.dim = int(block.shape[1])
            if self._pending_zero:
                self.fh.write(np.zeros((self._pending_zero, self.dim), dtype=np.float16).tobytes())
                self.rows += self._pending_zero
                self._pending_zero = 0
        self.fh.write(np.ascontiguousarray(block, dtype=np.float16).tobytes())
        self.rows += count

    def finish(self, n: int, default_dim: int) -> np.ndarray:
        if self.dim is None:
            self.dim = default_dim
            self.append(None, self._pending_zero)
            self._pending_zero = 0
        if self.rows < n:
            self.append(None, n - self.rows)
        self.fh.close()
        if n == 0 or self.dim == 0:
            return np.zeros((n, self.dim), dtype=np.float16)
        return np.memmap(self.path, dtype=np.float16, mode="r", shape=(n, self.dim))


class ViewRows:
    """float32 rows of one view on demand; ``joint`` is the normalised sum of prompt and answer."""

    def __init__(self, parts: list[np.ndarray]):
        self.parts = parts
        self.shape = (parts[0].shape[0], parts[0].shape[1])

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, idx) -> np.ndarray:
        if len(self.parts) == 1:
            return np.asarray(self.parts[0][idx], dtype=np.float32)
        total = np.asarray(self.parts[0][idx], dtype=np.float32)
        for p in self.parts[1:]:
            total = total + np.asarray(p[idx], dtype=np.float32)
        norms = np.linalg.norm(total, axis=-1, keepdims=True)
        norms[norms == 0] = 1.0
        return (total / norms).astype(np.float32)

    def matvec(self, c: np.ndarray) -> np.ndarray:
        """``rows @ c`` for every row, a chunk at a time."""
        out = np.empty(self.shape[0], dtype=np.float32)
        for start in range(0, self.shape[0], CHUNK):
            out[start:start + CHUNK] = self[start:start + CHUNK] @ c
        return out
