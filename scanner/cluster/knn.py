"""k-nearest-neighbour graph by cosine similarity (inner product on unit vectors).

Exact search (faiss IndexFlatIP) up to ``EXACT_LIMIT`` records, IVF above it (float16 lists, 4*sqrt(n) lists,
16 probed, k-means on 32 points per list with 10 iterations: training stays a small part
of the search). Rows are read a chunk at a time, so only the index holds all vectors. Rows
that are all zero (a view the record does not have) get no neighbours (-1).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

EXACT_LIMIT = 20_000
QUERY_CHUNK = 8192
ADD_CHUNK = 65_536


@dataclass
class KnnGraph:
    sims: np.ndarray  # (n, k) float32, descending per row
    idx: np.ndarray   # (n, k) int64, -1 where there is no neighbour

    @property
    def k(self) -> int:
        return self.idx.shape[1]


def _index(x, ids: np.ndarray, seed: int):
    """An index over the rows ``ids`` of ``x`` (positions 0..len(ids)-1), filled a chunk at a time."""
    import faiss

    faiss.omp_set_num_threads(max(1, os.cpu_count() or 1))
    n, d = len(ids), x.shape[1]
    if n <= EXACT_LIMIT:
        index = faiss.IndexFlatIP(d)
    else:
        nlist = int(4 * np.sqrt(n))
        # vectors are float16 values already: fp16 lists lose nothing, halve memory and scan faster
        index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(d), d, nlist, faiss.ScalarQuantizer.QT_fp16,
                                              faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(n, size=min(n, 32 * nlist), replace=False))
        index.cp.seed = seed
        index.cp.niter = 10
        index.cp.min_points_per_centroid = 1  # no warning for fewer than 39 points per list
        index.train(_rows(x, ids[sample]))
        index.nprobe = 16
    for start in range(0, n, ADD_CHUNK):
        index.add(_rows(x, ids[start:start + ADD_CHUNK]))
    return index


def _rows(x, ids: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x[ids], dtype=np.float32)


def knn_graph(x, k: int, present: np.ndarray | None = None, seed: int = 0) -> KnnGraph:
    """Neighbours of every row among the present rows, self excluded.

    ``x``: an array, or anything whose ``x[ids]`` gives float32 rows (``ViewRows``)."""
    n = x.shape[0]
    present = np.ones(n, dtype=bool) if present is None else present
    ids = np.flatnonzero(present)
    sims = np.zeros((n, k), dtype=np.float32)
    idx = np.full((n, k), -1, dtype=np.int64)
    if len(ids) < 2:
        return KnnGraph(sims, idx)
    index = _index(x, ids, seed)
    kk = min(k + 1, len(ids))
    for start in range(0, len(ids), QUERY_CHUNK):
        d, i = index.search(_rows(x, ids[start:start + QUERY_CHUNK]), kk)
        me = np.arange(start, start + d.shape[0])[:, None]
        order = np.argsort(i == me, axis=1, kind="stable")[:, :k]  # self (if found) moves last
        i = np.take_along_axis(i, order, axis=1)
        d = np.take_along_axis(d, order, axis=1)
        rows = ids[start:start + d.shape[0]]
        width = i.shape[1]
        idx[rows, :width] = np.where(i >= 0, ids[np.maximum(i, 0)], -1)
        sims[rows, :width] = np.where(i >= 0, d, 0.0)
    return KnnGraph(sims, idx)
