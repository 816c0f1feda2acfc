"""List-major search of a faiss IVF index with bfloat16 lists: each inverted list is read once per batch of
queries and scored against every query that probes it as one matrix product.

faiss scans an IVF index query by query: every query decodes and scores its probed lists' codes itself, so at
1M rows (lists of ~250 vectors, ~11,600 vectors scanned per query in 16 probed lists, 512 MB of lists) the scan
waits on memory and takes ~15 ns per scanned vector. Here the queries of a batch are grouped by the lists they
probe (the same lists faiss would probe: the index's own coarse quantizer picks them), each list is decoded
once and multiplied with its queries' matrix, each query keeps the ``kk`` best of that list (``torch.topk``), and
the ``nprobe * kk`` survivors of each query give its ``kk`` nearest. The answer is the index's own (the best
``kk`` among the members of the probed lists); the similarities are the decoded vectors' inner products in
float32, which differ from faiss's own arithmetic by about 1e-4, so rows with near-ties at the ``kk``-th place
can keep a different one of them. Used only for large indexes, where it is faster (``knn.LIST_SCAN_MIN``;
benchmarks/RESULTS.md), in the cascade, which loads torch anyway (the fast path runs without torch)."""

from __future__ import annotations

import numpy as np

from ..torch_threads import on_threads

THREADS = 2


def supported(index) -> bool:
    """An IVF index with bfloat16 codes scored by inner product, which this module can decode."""
    import faiss

    return (isinstance(index, faiss.IndexIVFScalarQuantizer) and index.metric_type == faiss.METRIC_INNER_PRODUCT
            and index.sq.qtype == faiss.ScalarQuantizer.QT_bf16 and index.code_size == 2 * index.d)


def search(index, q: np.ndarray, kk: int, probes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(similarities, ids) of each query's ``kk`` nearest among its ``index.nprobe`` probed lists, like
    ``index.search``: (len(q), kk), descending, ties by id; -1 ids (and -inf) where fewer were found.
    ``probes``: the queries' probed lists if known (what ``index.quantizer.search(q, nprobe)`` gives)."""
    import faiss
    import torch

    nq, nprobe = len(q), index.nprobe
    if not nq:
        return np.zeros((0, kk), dtype=np.float32), np.zeros((0, kk), dtype=np.int64)
    q = np.ascontiguousarray(q, dtype=np.float32)
    if probes is None:
        _, probes = index.quantizer.search(q, nprobe)
    flat = np.asarray(probes, dtype=np.int64).ravel()
    order = np.argsort(flat, kind="stable")        # (query, probe) pairs grouped by list
    lists = flat[order]
    cut = np.flatnonzero(np.diff(lists)) + 1
    starts, ends = np.r_[0, cut], np.r_[cut, len(lists)]
    groups = [(int(lists[a]), order[a:b]) for a, b in zip(starts, ends) if lists[a] >= 0]
    centroids = index.quantizer.reconstruct_n(0, index.nlist) if index.by_residual else None
    invlists = index.invlists
    cent_t = torch.from_numpy(centroids) if centroids is not None else None
    queries = torch.from_numpy(q)
    cand_v = torch.full((nq * nprobe, kk), -np.inf, dtype=torch.float32)
    cand_i = torch.full((nq * nprobe, kk), -1, dtype=torch.int32)   # positions < 2**31

    def scan(part) -> None:
        for j, pairs in part:
            m = invlists.list_size(j)
            if not m:
                continue
            codes = faiss.rev_swig_ptr(invlists.get_codes(j), m * index.code_size).view(np.int16)
            x = (torch.from_numpy(codes).reshape(m, index.d).to(torch.int32) << 16).view(torch.float32)  # bf16 bits
            if centroids is not None:
                x += cent_t[j]
            ids = torch.from_numpy(faiss.rev_swig_ptr(invlists.get_ids(j), m).astype(np.int32))
            pairs_t = torch.from_numpy(pairs)
            sims = queries[pairs_t // nprobe] @ x.T
            if m > kk:
                v, p = torch.topk(sims, kk, dim=1, sorted=False)
                cand_v[pairs_t] = v
                cand_i[pairs_t] = ids[p]
            else:
                cand_v[pairs_t, :m] = sims
                cand_i[pairs_t, :m] = ids

    on_threads(scan, [groups[t::THREADS] for t in range(THREADS)])   # one list per thread: small products
    v, p = torch.topk(cand_v.view(nq, nprobe * kk), kk, dim=1)
    sims = v.numpy()
    ids = torch.gather(cand_i.view(nq, nprobe * kk), 1, p).numpy().astype(np.int64)
    ids = np.where(np.isfinite(sims), ids, -1)
    tie = np.lexsort((ids, -sims), axis=1)           # descending similarity, then id (deterministic ties)
    return np.take_along_axis(sims, tie, axis=1), np.take_along_axis(ids, tie, axis=1)
