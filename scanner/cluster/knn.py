"""k-nearest-neighbour graph by cosine similarity (inner product on unit vectors).

Exact search (faiss IndexFlatIP) up to ``EXACT_LIMIT`` records, IVF above it. Rows
that are all zero (a view the record does not have) get no neighbours (-1).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

EXACT_LIMIT = 200_000
QUERY_CHUNK = 8192


@dataclass
class KnnGraph:
    sims: np.ndarray  # (n, k) float32, descending per row
    idx: np.ndarray   # (n, k) int64, -1 where there is no neighbour

    @property
    def k(self) -> int:
        return self.idx.shape[1]


def _index(x: np.ndarray, seed: int):
    import faiss

    faiss.omp_set_num_threads(max(1, os.cpu_count() or 1))
    n, d = x.shape
    if n <= EXACT_LIMIT:
        index = faiss.IndexFlatIP(d)
    else:
        nlist = int(4 * np.sqrt(n))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(seed)
        sample = x[np.sort(rng.choice(n, size=min(n, 64 * nlist), replace=False))]
        index.cp.seed = seed
        index.train(sample)
        index.nprobe = 16
    index.add(x)
    return index


def knn_graph(x: np.ndarray, k: int, present: np.ndarray | None = None, seed: int = 0) -> KnnGraph:
    """Neighbours of every row among the present rows, self excluded."""
    n = x.shape[0]
    present = np.ones(n, dtype=bool) if present is None else present
    ids = np.flatnonzero(present)
    sims = np.zeros((n, k), dtype=np.float32)
    idx = np.full((n, k), -1, dtype=np.int64)
    if len(ids) < 2:
        return KnnGraph(sims, idx)
    sub = np.ascontiguousarray(x[ids], dtype=np.float32)
    index = _index(sub, seed)
    kk = min(k + 1, len(ids))
    for start in range(0, len(ids), QUERY_CHUNK):
        d, i = index.search(sub[start:start + QUERY_CHUNK], kk)
        me = np.arange(start, start + d.shape[0])[:, None]
        order = np.argsort(i == me, axis=1, kind="stable")[:, :k]  # self (if found) moves last
        i = np.take_along_axis(i, order, axis=1)
        d = np.take_along_axis(d, order, axis=1)
        rows = ids[start:start + d.shape[0]]
        width = i.shape[1]
        idx[rows, :width] = np.where(i >= 0, ids[np.maximum(i, 0)], -1)
        sims[rows, :width] = np.where(i >= 0, d, 0.0)
    return KnnGraph(sims, idx)
