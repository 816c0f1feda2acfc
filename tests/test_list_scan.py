"""The list-major IVF search (``cluster/list_scan.py``): each query's ``kk`` best among the members of the lists
the index's own quantizer probes for it, scored on the lists' decoded bfloat16 vectors."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

import scanner.cluster.knn as knn
from scanner.cluster import list_scan
from synthetic import clustered_unit_vectors


def _clustered(n: int, d: int, seed: int) -> np.ndarray:
    return clustered_unit_vectors(n, d, seed, centres=30)


@pytest.fixture(autouse=True)
def _ivf_from_small_sizes(monkeypatch):
    monkeypatch.setattr(knn, "EXACT_LIMIT", 100)


def _decoded(index) -> np.ndarray:
    """Every stored vector as the index holds it (centroid plus bfloat16 residual), by id, in float64."""
    index.make_direct_map()
    return index.reconstruct_n(0, index.ntotal).astype(np.float64)


def test_each_query_gets_the_best_members_of_its_probed_lists():
    x = _clustered(3000, 24, 0)
    index = knn._index(x, np.arange(len(x)), seed=0)[0]
    assert list_scan.supported(index)
    q = np.ascontiguousarray(x[:400], dtype=np.float32)
    kk = 12
    sims, ids = list_scan.search(index, q, kk)
    stored = _decoded(index)
    _, probes = index.quantizer.search(q, index.nprobe)
    filed = np.zeros(len(x), dtype=np.int64)
    for j in range(index.nlist):
        size = index.invlists.list_size(j)
        if size:
            filed[faiss.rev_swig_ptr(index.invlists.get_ids(j), size)] = j
    for r in range(len(q)):
        members = np.flatnonzero(np.isin(filed, probes[r]))
        s = stored[members] @ q[r].astype(np.float64)
        best = members[np.argsort(-s, kind="stable")[:kk]]
        kth = np.sort(s)[-kk]
        # the same rows, except that rows tied with the kk-th (within float32 rounding) may swap
        assert set(ids[r]) ^ set(best) <= set(members[np.abs(s - kth) < 1e-5]), r
        assert np.allclose(sims[r], np.sort(s)[::-1][:kk], atol=1e-5)
    assert (np.diff(sims, axis=1) <= 0).all()


def test_it_agrees_with_the_index_own_search():
    x = _clustered(4000, 32, 1)
    index = knn._index(x, np.arange(len(x)), seed=3)[0]
    q = np.ascontiguousarray(x[::7], dtype=np.float32)
    sims, ids = list_scan.search(index, q, 10)
    f_sims, f_ids = index.search(q, 10)
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, f_ids)])
    assert overlap > 0.97, overlap
    assert np.abs(sims - f_sims).max() < 2e-3     # both bfloat16 lists; faiss sums in its own order


def test_fewer_members_than_asked_give_minus_one_like_faiss():
    x = _clustered(700, 16, 2)
    index = knn._index(x, np.arange(len(x)), seed=0)[0]
    index.nprobe = 2
    q = np.ascontiguousarray(x[:50], dtype=np.float32)
    sims, ids = list_scan.search(index, q, 120)
    f_sims, f_ids = index.search(q, 120)
    assert (ids == -1).any()
    assert np.array_equal((ids == -1).sum(axis=1), (f_ids == -1).sum(axis=1))
    for a, b in zip(ids, f_ids):
        assert set(a[a >= 0]) == set(b[b >= 0])
    assert np.isinf(sims[ids == -1]).all() and (sims[ids == -1] < 0).all()


def test_the_neighbour_search_uses_it_for_large_indexes(monkeypatch):
    x = _clustered(3000, 24, 3)
    monkeypatch.setattr(knn, "EXACT_ROWS", 0)
    calls = []
    real = list_scan.search
    monkeypatch.setattr(list_scan, "search", lambda *a: (calls.append(len(a[1])), real(*a))[1])
    monkeypatch.setattr(knn, "LIST_SCAN_CHUNK", 1000)
    monkeypatch.setattr(knn, "LIST_SCAN_MIN", 10**9)
    by_faiss = knn.NeighbourSearch(x, 8, by_list=True).graph()
    assert not calls
    monkeypatch.setattr(knn, "LIST_SCAN_MIN", 1000)
    monkeypatch.setattr(knn, "LIST_SCAN_ROWS", 3)
    assert knn.NeighbourSearch(x, 8).graph() is not None and not calls    # the fast path's searches: faiss's
    lazy = knn.NeighbourSearch(x, 8, by_list=True)
    rows = np.array([4, 2999, 1234])
    _, lazy_idx = lazy.query(rows)
    _, few = lazy.query(np.array([5, 6]))                     # fewer than LIST_SCAN_ROWS: faiss's search
    g = knn.NeighbourSearch(x, 8, by_list=True).graph()
    assert calls == [3, 1000, 1000, 1000]
    assert np.array_equal(lazy_idx, g.idx[rows])              # a row's answer does not depend on the batch
    assert np.mean(few == g.idx[[5, 6]]) > 0.8                 # faiss's: the same up to near-ties
    assert not (g.idx == np.arange(len(x))[:, None]).any()    # never a row itself
    overlap = np.mean([len(set(a) & set(b)) / 8 for a, b in zip(g.idx, by_faiss.idx)])
    assert overlap > 0.97, overlap


def test_other_indexes_are_left_to_faiss():
    assert not list_scan.supported(faiss.IndexFlatIP(8))
    sq8 = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(8), 8, 4, faiss.ScalarQuantizer.QT_8bit,
                                        faiss.METRIC_INNER_PRODUCT)
    assert not list_scan.supported(sq8)


def test_no_queries():
    x = _clustered(1500, 16, 4)
    index = knn._index(x, np.arange(len(x)), seed=0)[0]
    sims, ids = list_scan.search(index, np.zeros((0, 16), dtype=np.float32), 5)
    assert sims.shape == (0, 5) and ids.shape == (0, 5)


def test_probes_found_while_filling_give_the_same_lists_and_answers():
    """Above ``LIST_SCAN_MIN`` the index is filled with each row's probed lists found once (the first is where
    the row is filed); the list scan reuses them instead of asking the quantizer again."""
    x = _clustered(3000, 24, 5)
    ids = np.arange(len(x))
    plain = knn._index(x, ids, seed=1)[0]
    index, probes = knn._index(x, ids, seed=1, probes=True)
    assert probes.shape == (len(x), index.nprobe) and probes.dtype == np.int16
    q = np.ascontiguousarray(x, dtype=np.float32)
    _, want = index.quantizer.search(q, index.nprobe)
    assert np.array_equal(probes, want)
    for j in range(index.nlist):                         # every row filed in the same list, in the same order
        size = plain.invlists.list_size(j)
        assert index.invlists.list_size(j) == size
        if size:
            assert np.array_equal(faiss.rev_swig_ptr(index.invlists.get_ids(j), size),
                                  faiss.rev_swig_ptr(plain.invlists.get_ids(j), size))
            assert np.array_equal(faiss.rev_swig_ptr(index.invlists.get_codes(j), size * index.code_size),
                                  faiss.rev_swig_ptr(plain.invlists.get_codes(j), size * index.code_size))
    rows = np.arange(0, 3000, 5)
    a = list_scan.search(index, q[rows], 9, probes[rows])
    b = list_scan.search(index, q[rows], 9)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert knn._index(x, ids, seed=1, probes=False)[1] is None


def test_the_neighbour_search_keeps_probes_only_while_it_keeps_its_index(monkeypatch):
    x = _clustered(2500, 16, 6)
    monkeypatch.setattr(knn, "EXACT_ROWS", 0)
    monkeypatch.setattr(knn, "LIST_SCAN_MIN", 1000)
    monkeypatch.setattr(knn, "LIST_SCAN_ROWS", 1)
    search = knn.NeighbourSearch(x, 6, by_list=True)
    search.query(np.array([1, 2]))
    assert search.probes is not None and np.array_equal(search._lists(), search.probes[:, 0])
    g = search.graph()
    assert search.index is None and search.probes is None
    other = knn.NeighbourSearch(x, 6)      # not by list: no probes kept
    other.query(np.array([1, 2]))
    assert other.probes is None
    assert np.mean(other.graph().idx == g.idx) > 0.95


def test_only_the_cascade_searches_by_list():
    """The list scan needs torch, which the cascade loads anyway; the fast path scans without torch."""
    from scanner.context import ScanContext

    x = _clustered(50, 8, 7)
    present = {"prompt": np.ones(50, dtype=bool)}
    fast = ScanContext(50, [str(i) for i in range(50)], {"prompt": x}, present, None)
    cascade = ScanContext(50, [str(i) for i in range(50)], {"prompt": x}, present, None, ondemand=object())
    assert not fast.searcher("prompt").by_list and cascade.searcher("prompt").by_list
