"""The neighbour search above ``EXACT_LIMIT``: an IVF index whose lists hold bfloat16 values. Its similarities
must stay within bfloat16 rounding of the exact ones, and it must find most of the exact neighbours."""

from __future__ import annotations

import numpy as np

import scanner.cluster.knn as knn


def _clustered(n: int, d: int, seed: int) -> np.ndarray:
    """Unit vectors around 40 centres (neighbour lists with structure, as embeddings have), stored as float16."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, d))
    x = centres[rng.integers(0, 40, n)] + 0.6 * rng.normal(size=(n, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float16)


def test_ivf_neighbours_are_close_to_the_exact_ones(monkeypatch):
    x = _clustered(3000, 32, 0)
    exact = knn.knn_graph(x, 10)
    monkeypatch.setattr(knn, "EXACT_LIMIT", 500)
    search = knn.NeighbourSearch(x, 10)
    assert not search.exact
    ivf = search.graph()
    xf = x.astype(np.float32)
    # similarities are those of the rows listed, up to bfloat16 rounding (8 bits of mantissa)
    listed = np.einsum("nd,nkd->nk", xf, xf[ivf.idx])
    assert np.abs(listed - ivf.sims).max() < 5e-3
    assert (np.diff(ivf.sims, axis=1) <= 5e-3).all()           # descending, up to that rounding
    assert not (ivf.idx == np.arange(len(x))[:, None]).any()   # never a row itself
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact.idx, ivf.idx)])
    assert recall > 0.9, recall


def test_ivf_lazy_rows_equal_the_full_graph(monkeypatch):
    x = _clustered(2000, 16, 1)
    monkeypatch.setattr(knn, "EXACT_LIMIT", 500)
    lazy = knn.NeighbourSearch(x, 8)
    rows = np.array([5, 17, 1999, 300])
    sims, idx = lazy.query(rows)
    full = knn.NeighbourSearch(x, 8).graph()
    assert np.array_equal(idx, full.idx[rows]) and np.array_equal(sims, full.sims[rows])
