"""k-nearest-neighbour graph by cosine similarity (inner product on unit vectors).

Exact search (faiss IndexFlatIP) up to ``EXACT_LIMIT`` records, IVF above it (bfloat16 lists, 4*sqrt(n) lists,
16 probed, k-means on 32 points per list with 10 iterations: training stays a small part
of the search); above it too, the first rows asked before an index exists are searched exactly
(``EXACT_ROWS``), and from ``LIST_SCAN_MIN`` rows the index is searched list by list (``list_scan``). An
earlier scan's IVF answers for the same vectors are read from a memo instead of searching (``graph_memo``).
Rows are read a chunk at a time, so only the index holds all vectors. Rows that are all zero (a view the record does not
have) get no neighbours (-1).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from . import list_scan

EXACT_LIMIT = 20_000
QUERY_CHUNK = 8192
ADD_CHUNK = 65_536
# Above EXACT_LIMIT, rows asked about before the IVF index exists are searched exactly while the rows asked so
# far stay within EXACT_ROWS (each call counted as at least EXACT_CALL_ROWS: every call reads all rows once).
# Building the index costs about as much as an exact search for ~2,000 rows at 100k and at 1M rows alike (both
# grow with n: 1.3 s vs 0.8 s for 1,034 rows at 100k, 16.1 s vs 8.0 s at 1M), so a view the rules only ask
# a few hundred rows of (answers, for the lift of trigger carriers) never builds one.
EXACT_ROWS = 2048
EXACT_CALL_ROWS = 128
POOL_CHUNK = 65_536
# From this many present rows, the cascade's IVF queries asked ``LIST_SCAN_ROWS`` or more at a time are answered
# list by list (``list_scan``): 1.2x faiss's own search at 200k rows, 1.4x at 300k, 1.9x at 1M (100,000 queries, the
# generated corpus' prompt vectors; slower below 200k rows). At 1M rows it is slower than faiss for a
# thousand queries or fewer (0.26-0.5x for 256, 0.5-1.0x for 1,024, 1.3x for 4,096: every list a query probes
# is decoded for it), so small calls stay with faiss. Both give the best of the same probed lists; their
# similarities differ by ~1e-4 (faiss's rounding), so a row tied at its k-th place may keep another of the tied
# rows depending on the path (benchmarks/RESULTS.md).
LIST_SCAN_MIN = 200_000
LIST_SCAN_ROWS = 2048
LIST_SCAN_CHUNK = 32_768
NPROBE = 16
NITER = 10
TRAIN_PER_LIST = 32
# everything besides the rows, k, the seed and the number of lists that an IVF answer depends on (``graph_memo``
# digests it with them)
IVF_SETTINGS = ("ivf-sq-bf16-inner-product", NPROBE, NITER, TRAIN_PER_LIST, EXACT_LIMIT)


@dataclass
class KnnGraph:
    sims: np.ndarray  # (n, k) float32, descending per row
    idx: np.ndarray   # (n, k) int64, -1 where there is no neighbour

    @property
    def k(self) -> int:
        return self.idx.shape[1]


def nlist_for(n: int) -> int:
    """The IVF index's number of lists for ``n`` rows."""
    return int(4 * np.sqrt(n))


def _index(x, ids: np.ndarray, seed: int, probes: bool = False, centroids: np.ndarray | None = None):
    """(index, probes): an index over the rows ``ids`` of ``x`` (positions 0..len(ids)-1), filled a chunk at a
    time; with ``probes`` and an IVF index, each row's ``nprobe`` nearest lists (n, nprobe), found while
    filling it (the first is the list the row is filed in), which the list scan then reuses instead of asking
    the quantizer again (~8 s per 1M rows); else None. ``centroids``: the lists' centroids as this index's
    training found them for the same rows and seed (from the neighbour memo): training is skipped and the
    index is the same, list by list (tested)."""
    import faiss

    faiss.omp_set_num_threads(max(1, os.cpu_count() or 1))
    n, d = len(ids), x.shape[1]
    if n <= EXACT_LIMIT:
        index = faiss.IndexFlatIP(d)
    else:
        nlist = nlist_for(n)
        # bfloat16 lists: half the memory of float32, and scanned faster than float16 ones (3.7 vs 4.9 s for the
        # 100,000 prompt vectors of the generated corpus) for the same recall (0.739 vs 0.740 of the exact 20
        # nearest); similarities differ from float16 lists' by at most 6e-4 there (benchmarks/RESULTS.md)
        index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(d), d, nlist, faiss.ScalarQuantizer.QT_bf16,
                                              faiss.METRIC_INNER_PRODUCT)
        if centroids is not None and centroids.shape == (nlist, d):
            index.quantizer.add(np.ascontiguousarray(centroids, dtype=np.float32))
            index.is_trained = True   # bfloat16 codes need no training: the centroids are all a training finds
        else:
            rng = np.random.default_rng(seed)
            sample = np.sort(rng.choice(n, size=min(n, TRAIN_PER_LIST * nlist), replace=False))
            index.cp.seed = seed
            index.cp.niter = NITER
            index.cp.min_points_per_centroid = 1  # no warning for fewer than 39 points per list
            index.train(_rows(x, ids[sample]))
        index.nprobe = NPROBE
        if probes:
            found = np.empty((n, index.nprobe), dtype=np.int16 if nlist < 2 ** 15 else np.int32)
            for start in range(0, n, ADD_CHUNK):
                rows = _rows(x, ids[start:start + ADD_CHUNK])
                _, p = index.quantizer.search(rows, index.nprobe)
                found[start:start + len(rows)] = p
                filed = np.ascontiguousarray(p[:, 0])
                index.add_core(len(rows), faiss.swig_ptr(rows), None, faiss.swig_ptr(filed))
            return index, found
    for start in range(0, n, ADD_CHUNK):
        index.add(_rows(x, ids[start:start + ADD_CHUNK]))
    return index, None


def _rows(x, ids: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x[ids], dtype=np.float32)


class NeighbourSearch:
    """k nearest neighbours among the present rows, computed for the rows asked about, then kept.

    A rule that only needs the neighbours of a few thousand candidate records never pays for the
    whole graph; ``graph()`` completes it when a rule needs every row. A row's neighbours do not
    depend on which other rows were asked about (each query is independent), so lazy and full
    answers are identical, with two exceptions above ``EXACT_LIMIT``: the first few rows asked
    (``EXACT_ROWS``) are searched exactly, which costs less than building the index they would
    otherwise need, and they keep those exact neighbours; and from ``LIST_SCAN_MIN`` rows, rows asked
    ``LIST_SCAN_ROWS`` or more at a time are searched list by list, whose similarities round differently
    from faiss's (near-ties at the k-th place may resolve differently). The calls rules make depend only on
    the data, so a scan's answers do too."""

    def __init__(self, x, k: int, present: np.ndarray | None = None, seed: int = 0, on_time=None,
                 by_list: bool = False, memo=None):
        """``by_list``: large searches may go list by list (``list_scan``, which needs torch: the cascade's
        searches; the fast path keeps faiss's search and runs without torch). ``memo``: a
        ``graph_memo.GraphMemo`` whose IVF answers of the same vectors replace the index's search, and which
        keeps this search's answers once its graph is complete (faiss's search only: list by list, a row's
        answer depends on the size of the call it came in)."""
        n = x.shape[0]
        self.x, self.k, self.seed = x, k, seed
        self.by_list = by_list
        self.on_time = on_time  # called with the seconds each search took (stage timing)
        self.present = np.ones(n, dtype=bool) if present is None else np.asarray(present, dtype=bool)
        self.ids = np.flatnonzero(self.present)
        self.pos = np.full(n, -1, dtype=np.int64)
        self.pos[self.ids] = np.arange(len(self.ids))
        self.sims = np.zeros((n, k), dtype=np.float32)
        self.idx = np.full((n, k), -1, dtype=np.int64)
        self.done = ~self.present if len(self.ids) >= 2 else np.ones(n, dtype=bool)
        self.index = None
        self.probes = None         # each present row's probed lists, for the list scan, while the index exists
        self.assign = None         # each present row's inverted list (``_lists``), while the index exists
        self.exact_rows = 0        # rows searched exactly before an index existed (calls counted as above)
        self.memo = memo
        self._memo_key: str | None = None
        self._memo_looked = False
        self._memo_answers = None  # (sims, idx) by position read from the memo, until every row has its answer
        self._memo_settled = False  # this search's answers came from the memo, or went into it
        self._centroids = None      # the memo's list centroids: an index built after all skips training
        self._exact_asked: list[np.ndarray] = []   # the rows searched exactly (the memo keeps their IVF answers)

    def query(self, rows) -> tuple[np.ndarray, np.ndarray]:
        """(sims, idx) of the given rows, shape (len(rows), k)."""
        rows = np.asarray(rows, dtype=np.int64)
        todo = np.unique(rows[~self.done[rows]])
        if len(todo):
            self._search(todo)
        return self.sims[rows], self.idx[rows]

    def graph(self, keep_index: bool = False) -> KnnGraph:
        """Every row's neighbours. The index is dropped once the graph is complete unless ``keep_index``
        (for ``nearest_allowed``; ``release`` drops it then)."""
        if not self.done.all():
            self.query(np.arange(self.x.shape[0]))
        self._remember()
        if not keep_index:
            self.index, self.probes, self.assign = None, None, None
        return KnnGraph(self.sims, self.idx)

    @property
    def exact(self) -> bool:
        """Whether this search's neighbours are exact (a flat index: at most ``EXACT_LIMIT`` present rows)."""
        return len(self.ids) <= EXACT_LIMIT

    def nearest_allowed(self, rows: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's nearest present row among ``allowed`` (a mask over all rows): (row or -1, similarity or
        -1). Exact (every allowed row scanned) while this search is; above ``EXACT_LIMIT`` by its IVF index with
        the other rows filtered out inside the search (among its probed lists, like every neighbour it gives)."""
        rows = np.asarray(rows, dtype=np.int64)
        best_j = np.full(len(rows), -1, dtype=np.int64)
        best_p = np.full(len(rows), -1.0, dtype=np.float32)
        ok = np.asarray(allowed, dtype=bool)[self.ids]
        if not len(rows) or not ok.any():
            return best_j, best_p
        if self.exact:
            self._scan_allowed(rows, self.ids[ok], best_j, best_p)
            return best_j, best_p
        import faiss

        if self.index is None:
            self._build()
        bitmap = np.packbits(ok, bitorder="little")
        params = faiss.SearchParametersIVF(sel=faiss.IDSelectorBitmap(len(ok), faiss.swig_ptr(bitmap)),
                                           nprobe=self.index.nprobe)
        for start in range(0, len(rows), QUERY_CHUNK):
            chunk = rows[start:start + QUERY_CHUNK]
            d, i = self.index.search(_rows(self.x, chunk), 1, params=params)
            found = i[:, 0] >= 0
            best_j[start:start + len(chunk)] = np.where(found, self.ids[np.maximum(i[:, 0], 0)], -1)
            best_p[start:start + len(chunk)] = np.where(found, d[:, 0], -1.0)
        return best_j, best_p

    def _scan_allowed(self, rows: np.ndarray, pool: np.ndarray, best_j: np.ndarray, best_p: np.ndarray) -> None:
        """The exact scan: every row of ``pool`` against the asked rows, a block of pool rows at a time."""
        Q = self.x[rows]
        for s in range(0, len(pool), 32768):
            chunk = pool[s:s + 32768]
            S = Q @ self.x[chunk].T
            k = S.argmax(axis=1)
            val = S[np.arange(len(rows)), k]
            better = val > best_p
            best_p[better], best_j[better] = val[better], chunk[k[better]]

    def release(self) -> None:
        """Drop the index kept by ``graph(keep_index=True)`` (it is rebuilt if asked for again)."""
        if self.done.all():
            self.index, self.probes, self.assign = None, None, None

    def _build(self) -> None:
        self.index, self.probes = _index(self.x, self.ids, self.seed, probes=self._by_list(), centroids=self._centroids)

    def _by_list(self) -> bool:
        return self.by_list and len(self.ids) >= LIST_SCAN_MIN

    def _search(self, rows: np.ndarray) -> None:
        started = time.perf_counter()
        self._search_rows(rows)
        if self.on_time is not None:
            self.on_time(time.perf_counter() - started)

    def _search_rows(self, rows: np.ndarray) -> None:
        if self.index is None and not self.exact:
            cost = max(len(rows), EXACT_CALL_ROWS)
            if self.exact_rows + cost <= EXACT_ROWS:
                self.exact_rows += cost
                self._exact_asked.append(rows)
                self._keep(rows, *self._exact_search(rows, min(self.k + 1, len(self.ids))))
                return
        if self._from_memo(rows):
            return
        if self.index is None:
            self._build()
        kk = min(self.k + 1, len(self.ids))
        if not self.exact:
            rows = rows[np.argsort(self._lists()[self.pos[rows]], kind="stable")]
        if self._by_list() and len(rows) >= LIST_SCAN_ROWS and list_scan.supported(self.index):
            for start in range(0, len(rows), LIST_SCAN_CHUNK):
                chunk = rows[start:start + LIST_SCAN_CHUNK]
                probes = None if self.probes is None else self.probes[self.pos[chunk]]
                self._keep(chunk, *list_scan.search(self.index, _rows(self.x, chunk), kk, probes))
            return
        for start in range(0, len(rows), QUERY_CHUNK):
            chunk = rows[start:start + QUERY_CHUNK]
            self._keep(chunk, *self.index.search(_rows(self.x, chunk), kk))

    def _lists(self) -> np.ndarray:
        """The inverted list each present row is filed in (by position), read from the index once.

        Queries are searched in this order: rows of one list probe mostly the same lists, which then stay in
        the processor's cache. Each query's answer is its own, so the order changes no result; at 1M rows,
        where the lists (512 MB) do not fit in any cache, a search took 6.3 s per 40,000 queries in this order
        against 9.9 s in row order (3.3 vs 3.6 s per 100,000 queries at 100k; benchmarks/RESULTS.md)."""
        if self.assign is None and self.probes is not None:
            self.assign = self.probes[:, 0].astype(np.int64)
        if self.assign is None:
            import faiss

            self.assign = np.zeros(len(self.ids), dtype=np.int64)
            lists = self.index.invlists
            for j in range(self.index.nlist):
                size = lists.list_size(j)
                if size:
                    self.assign[faiss.rev_swig_ptr(lists.get_ids(j), size)] = j
        return self.assign

    def _exact_search(self, rows: np.ndarray, kk: int) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, positions among the present rows) of each row's ``kk`` nearest, every present row
        scanned a block at a time (a flat index per block; the blocks' lists merged)."""
        import faiss

        q = _rows(self.x, rows)
        best_d = np.full((len(rows), 0), -np.inf, dtype=np.float32)
        best_i = np.zeros((len(rows), 0), dtype=np.int64)
        for start in range(0, len(self.ids), POOL_CHUNK):
            block = faiss.IndexFlatIP(q.shape[1])
            block.add(_rows(self.x, self.ids[start:start + POOL_CHUNK]))
            d, i = block.search(q, min(kk, block.ntotal))
            best_d = np.concatenate([best_d, d], axis=1)
            best_i = np.concatenate([best_i, np.where(i >= 0, i + start, -1)], axis=1)
            order = np.lexsort((best_i, -best_d), axis=1)[:, :kk]    # by similarity, then position
            best_d = np.take_along_axis(best_d, order, axis=1)
            best_i = np.take_along_axis(best_i, order, axis=1)
        return best_d, best_i

    def _keep(self, chunk: np.ndarray, d: np.ndarray, i: np.ndarray) -> None:
        """Store searched rows' neighbours (``i``: positions among the present rows, -1 none), self left out."""
        self.sims[chunk], self.idx[chunk] = self._answers(chunk, d, i)
        self.done[chunk] = True

    def _answers(self, chunk: np.ndarray, d: np.ndarray, i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(sims, row ids) of width k: the search's answer with the row itself left out, padded with 0 / -1."""
        ids, k = self.ids, self.k
        me = self.pos[chunk][:, None]
        order = np.argsort(i == me, axis=1, kind="stable")[:, :k]  # self (if found) moves last
        i = np.take_along_axis(i, order, axis=1)
        d = np.take_along_axis(d, order, axis=1)
        width = i.shape[1]
        sims = np.zeros((len(chunk), k), dtype=np.float32)
        idx = np.full((len(chunk), k), -1, dtype=np.int64)
        idx[:, :width] = np.where(i >= 0, ids[np.maximum(i, 0)], -1)
        sims[:, :width] = np.where(i >= 0, d, 0.0)
        return sims, idx

    def _memo_usable(self) -> bool:
        return self.memo is not None and not self.exact and not self._by_list()

    def _key(self) -> str:
        if self._memo_key is None:
            from .graph_memo import digest

            self._memo_key = digest(self.x, self.present, self.k, self.seed,
                                    IVF_SETTINGS + (nlist_for(len(self.ids)),))
        return self._memo_key

    def _from_memo(self, rows: np.ndarray) -> bool:
        """Answer rows the index would answer from the memo, if it holds this view's answers (looked up once)."""
        if not self._memo_usable():
            return False
        if not self._memo_looked:
            self._memo_looked = True
            found = self.memo.load(self._key(), len(self.ids), self.k, self.x.shape[0],
                                   (nlist_for(len(self.ids)), self.x.shape[1]))
            if found is not None:
                self._memo_answers, self._centroids = found[:2], found[2]
            self._memo_settled = found is not None
        if self._memo_answers is None:
            return False
        p = self.pos[rows]
        self.sims[rows], self.idx[rows] = self._memo_answers[0][p], self._memo_answers[1][p]
        self.done[rows] = True
        if self.done.all():
            self._memo_answers = None   # every row has its answer: the memo's copy is not needed again
        return True

    def _remember(self) -> None:
        """Keep a complete graph's IVF answers in the memo: the stored ones for every present row, with the
        index's own answers for the rows that were searched exactly (a later scan may ask other rows first)."""
        if not self._memo_usable() or self._memo_settled or self.index is None:
            return
        key = self._key()
        sims, idx = self.sims[self.ids], self.idx[self.ids]
        asked = np.unique(np.concatenate(self._exact_asked)) if self._exact_asked else np.zeros(0, np.int64)
        kk = min(self.k + 1, len(self.ids))
        for start in range(0, len(asked), QUERY_CHUNK):
            chunk = asked[start:start + QUERY_CHUNK]
            found = self.index.search(_rows(self.x, chunk), kk)
            sims[self.pos[chunk]], idx[self.pos[chunk]] = self._answers(chunk, *found)
        self.memo.save(key, sims, idx, self.index.quantizer.reconstruct_n(0, self.index.nlist))
        self._memo_settled = True


def knn_graph(x, k: int, present: np.ndarray | None = None, seed: int = 0) -> KnnGraph:
    """Neighbours of every row among the present rows, self excluded.

    ``x``: an array, or anything whose ``x[ids]`` gives float32 rows (``ViewRows``)."""
    return NeighbourSearch(x, k, present, seed).graph()
