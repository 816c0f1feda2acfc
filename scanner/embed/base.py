"""The embedder contract: ``embed(texts) -> float32 array (n, dim)``, rows L2-normalised."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Embedder(Protocol):
    #: identifies model *and* numerics; part of every cache key
    model_id: str

    def embed(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - protocol
        ...


def normalise_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms
