"""The neighbour search above ``EXACT_LIMIT``: an IVF index whose lists hold bfloat16 values. Its similarities
must stay within bfloat16 rounding of the exact ones, and it must find most of the exact neighbours."""

from __future__ import annotations

import numpy as np

import scanner.cluster.knn as knn
from synthetic import clustered_unit_vectors


def _clustered(n: int, d: int, seed: int) -> np.ndarray:
    return clustered_unit_vectors(n, d, seed)


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
    monkeypatch.setattr(knn, "EXACT_ROWS", 0)
    lazy = knn.NeighbourSearch(x, 8)
    rows = np.array([5, 17, 1999, 300])
    sims, idx = lazy.query(rows)
    full = knn.NeighbourSearch(x, 8).graph()
    assert np.array_equal(idx, full.idx[rows]) and np.array_equal(sims, full.sims[rows])


def test_the_first_rows_asked_are_searched_exactly_without_an_index(monkeypatch):
    """Above ``EXACT_LIMIT``, rows asked for before an index exists are searched exactly (cheaper than building
    the index) until ``EXACT_ROWS`` are spent, each call counting at least ``EXACT_CALL_ROWS``; they keep
    those neighbours when the graph is completed by the index."""
    x = _clustered(3000, 32, 2)
    exact = knn.knn_graph(x, 10)
    monkeypatch.setattr(knn, "EXACT_LIMIT", 500)
    monkeypatch.setattr(knn, "POOL_CHUNK", 700)          # several blocks, merged
    search = knn.NeighbourSearch(x, 10)
    first = np.array([3, 2999, 1500])
    sims, idx = search.query(first)
    assert search.index is None and search.exact_rows == knn.EXACT_CALL_ROWS
    assert np.array_equal(idx, exact.idx[first]) and np.allclose(sims, exact.sims[first], atol=1e-5)
    many = np.arange(100, 100 + knn.EXACT_ROWS)           # more than the rest of the budget: the index is built
    search.query(many)
    assert search.index is not None
    g = search.graph()
    assert np.array_equal(g.idx[first], exact.idx[first])


def test_exact_rows_skip_absent_rows_and_themselves(monkeypatch):
    x = _clustered(1200, 16, 3)
    present = np.ones(1200, dtype=bool)
    present[::3] = False
    monkeypatch.setattr(knn, "EXACT_LIMIT", 100)
    monkeypatch.setattr(knn, "POOL_CHUNK", 256)
    search = knn.NeighbourSearch(x, 6, present)
    rows = np.array([1, 2, 4, 1198])
    _, idx = search.query(rows)
    assert search.index is None
    assert present[idx].all() and not (idx == rows[:, None]).any()
    xf = x.astype(np.float32)
    pool = np.flatnonzero(present)
    for r, got in zip(rows, idx):
        s = xf[pool] @ xf[r]
        s[pool == r] = -np.inf
        assert set(got) == set(pool[np.argsort(-s)[:6]])



def test_queries_are_searched_list_by_list_with_the_answers_of_row_order(monkeypatch):
    """Above ``EXACT_LIMIT`` the rows asked are searched grouped by the inverted list they are filed in (those
    lists stay in cache); each row still gets the neighbours a search in row order gives it."""
    x = _clustered(2500, 16, 4)
    present = np.ones(2500, dtype=bool)
    present[7::11] = False
    monkeypatch.setattr(knn, "EXACT_LIMIT", 500)
    monkeypatch.setattr(knn, "EXACT_ROWS", 0)
    monkeypatch.setattr(knn, "QUERY_CHUNK", 300)          # several chunks
    asked = []
    keep = knn.NeighbourSearch._keep
    monkeypatch.setattr(knn.NeighbourSearch, "_keep", lambda self, chunk, d, i: (asked.append(chunk), keep(self, chunk, d, i)))
    search = knn.NeighbourSearch(x, 8, present)
    g = search.graph(keep_index=True)
    index, ids = search.index, search.ids
    rows = np.ascontiguousarray(x[ids], dtype=np.float32)
    _, filed = index.quantizer.search(rows, 1)
    order = search.pos[np.concatenate(asked)]
    assert sorted(order) == list(range(len(ids)))          # every present row once
    assert (np.diff(filed[order, 0]) >= 0).all()           # grouped by list, lists in order
    _, i = index.search(rows, 9)                           # the same index, in row order
    for p in range(len(ids)):
        want = ids[[j for j in i[p] if j >= 0 and j != p][:8]]
        assert np.array_equal(g.idx[ids[p]], want), p
    assert (g.idx[~present] == -1).all()
