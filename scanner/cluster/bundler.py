"""Density bundles: components of the mutual-kNN graph at a ladder of similarity levels.

For each level (most similar first), edges join records that are in each other's k
nearest neighbours with cosine >= level. Connected components of at least
``min_size`` records are candidate bundles; the same membership seen at several
levels is one bundle (kept at its loosest level, where it is largest). The result
is deterministic: no randomness, ties broken by record index.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .knn import KnnGraph

LEVELS = (0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5)


@dataclass
class DensityBundler:
    """sklearn-style: parameters in __init__, ``fit(graph)`` returns self, ``bundles_`` after."""

    min_size: int = 10
    max_share: float = 0.5
    levels: tuple = LEVELS
    mutual: bool = True
    bundles_: list = field(default_factory=list, init=False)
    levels_: list = field(default_factory=list, init=False)

    def fit(self, graph: KnnGraph) -> "DensityBundler":
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        n, k = graph.idx.shape
        rows = np.repeat(np.arange(n), k)
        cols = graph.idx.ravel()
        valid = cols >= 0
        # similarities shifted by +2 so that every stored edge is positive
        adj = coo_matrix((graph.sims.ravel()[valid] + 2.0, (rows[valid], cols[valid])), shape=(n, n)).tocsr()
        adj = adj.minimum(adj.T) if self.mutual else adj.maximum(adj.T)
        adj = adj.tocoo()
        rows, cols, sims = adj.row, adj.col, adj.data - 2.0
        max_size = max(self.min_size, int(self.max_share * n))
        seen: dict[tuple, int] = {}
        bundles: list[np.ndarray] = []
        levels: list[float] = []
        for level in self.levels:
            sel = sims >= level
            adj = coo_matrix((np.ones(int(sel.sum())), (rows[sel], cols[sel])), shape=(n, n))
            _, labels = connected_components(adj, directed=False)
            counts = np.bincount(labels)
            for lab in np.flatnonzero((counts >= self.min_size) & (counts <= max_size)):
                members = np.flatnonzero(labels == lab)
                key = (int(members[0]), len(members))
                if key in seen:  # same bundle as at a tighter level: keep the loosest level
                    levels[seen[key]] = level
                    continue
                seen[key] = len(bundles)
                bundles.append(members)
                levels.append(level)
        self.bundles_ = bundles
        self.levels_ = levels
        return self
