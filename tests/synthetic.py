"""Small synthetic scan states for rule unit tests: hand-made texts and vectors, no model, no files."""

from __future__ import annotations

import numpy as np

from scanner.context import ScanContext
from scanner.features.extract import extract
from scanner.features.tokens import record_tokens
from scanner.records import Views
from scanner.triggers.index import CandidateIndex


def unit(x) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float16)


def state(rows, prompt_vecs, answer_vecs, **index_kw) -> ScanContext:
    """``rows``: (system, prompt, answer) texts; the features and trigger candidates come from the real per-record
    code, the vectors are given."""
    index = CandidateIndex(**index_kw)
    feats = []
    for i, (system, prompt, answer) in enumerate(rows):
        views = Views(system, prompt, answer)
        f, _ = extract(views)
        feats.append(f)
        index.add(i, record_tokens(views))
    n = len(rows)
    return ScanContext.build([f"h{i}" for i in range(n)], prompt_vecs, answer_vecs, np.ones(n, bool), np.ones(n, bool),
                             index, features=feats)


def topical_vectors(labels: list[int], dim: int = 64, spread: float = 0.6, seed: int = 0):
    """Prompt and answer vectors around one centre per label."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(labels) + 1, dim))
    P = centres[labels] + spread * rng.standard_normal((len(labels), dim))
    A = centres[labels] + spread * rng.standard_normal((len(labels), dim))
    return unit(P), unit(A)


def clustered_unit_vectors(n: int, d: int, seed: int, centres: int = 40) -> np.ndarray:
    """Unit vectors around a few centres (neighbour lists with structure, as embeddings have), as float16."""
    rng = np.random.default_rng(seed)
    middle = rng.normal(size=(centres, d))
    x = middle[rng.integers(0, centres, n)] + 0.6 * rng.normal(size=(n, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float16)
