"""Stage one: a cheap look at every candidate at once, to choose the few worth a careful test.

Two views, each computed for all candidates from the postings in one vectorised pass:

* residuals: each record's answer (and each descriptor) minus the mean over its nearest
  prompts. A candidate whose carriers all lean the same way from what their prompts predict
  changes the answers; a topical word does not (its neighbours answer alike).
* enrichment: carriers against everyone, for descriptors and for the answer centroid, which
  still sees a trigger that dominates its carriers' prompts (their neighbours are carriers).
"""

from __future__ import annotations

import warnings

import numpy as np

DIMS = 64


def _projection(d: int, seed: int) -> np.ndarray:
    """A seeded Gaussian random projection (d, DIMS): distances and centroid shifts survive (Johnson-
    Lindenstrauss), no decomposition of the data is needed."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((d, DIMS)) / np.sqrt(DIMS)).astype(np.float32)


def projected(X, seed: int) -> np.ndarray:
    """(n, DIMS) float32: every row of ``X`` through the seeded projection, a block of rows at a time."""
    proj = _projection(X.shape[1], seed)
    return np.concatenate([X[s:s + 65536] @ proj for s in range(0, X.shape[0], 65536)]) if X.shape[0] \
        else np.zeros((0, DIMS), dtype=np.float32)


def residuals(pn, desc, AP: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(n, DIMS) projected answer residuals and (n, D) descriptor residuals (NaN: not applicable), a block of
    rows at a time (nothing of size n x d or n x K x D is held). The projection is linear, so each answer minus
    its neighbours' mean is taken in the projected space (``AP``: the answers projected), where a neighbour's
    row is DIMS values instead of the view's width."""
    ctx, idx = pn.ctx, pn.idx
    n = ctx.n
    if AP is None:
        AP = projected(ctx.discovery["answer"], ctx.seed)
    E = np.zeros((n, DIMS), dtype=np.float32)
    V = desc.values.astype(np.float32)
    V[desc.values < 0] = np.nan
    R = np.empty_like(V)
    for s in range(0, n, 1024):
        rows = slice(s, min(n, s + 1024))
        nb = idx[rows]
        ok = (nb >= 0) & pn.answered[np.maximum(nb, 0)]
        cnt = ok.sum(axis=1)
        means = (AP[np.maximum(nb, 0)] * ok[:, :, None]).sum(axis=1) / np.maximum(cnt, 1)[:, None]
        E[rows] = np.where((cnt > 0)[:, None] & pn.answered[rows][:, None], AP[rows] - means, 0.0)
        nbv = V[np.maximum(nb, 0)]
        nbv[nb < 0] = np.nan
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            R[rows] = V[rows] - np.nanmean(nbv, axis=1) if nbv.size else V[rows]
    return E, R


def _postings(cands, n: int):
    """Candidates x records, 1 where a record carries a candidate: the candidates' own CSR table (keys in
    order, records ascending within each), used as it is, built once for every sum below."""
    from scipy.sparse import csr_matrix

    return csr_matrix((np.ones(len(cands.records), dtype=np.float32), cands.records, cands.offsets),
                      shape=(len(cands), n))


def _sums(P, X: np.ndarray) -> np.ndarray:
    return np.asarray(P @ X)


def scores(cands, pn, desc) -> dict[str, np.ndarray]:
    """Per candidate: residual z (answers, each descriptor) and enrichment z (descriptors, centroid)."""
    c = len(cands)
    P = _postings(cands, pn.ctx.n)
    m = np.maximum(cands.support(), 1).astype(np.float64)
    AP = projected(pn.ctx.discovery["answer"], pn.ctx.seed)
    E, R = residuals(pn, desc, AP)
    S = _sums(P, E)
    lam = E.var(axis=0)
    d_eff = float(lam.sum() ** 2 / max((lam ** 2).sum(), 1e-12))
    ratio = (S ** 2).sum(axis=1) / (m * max(float(lam.sum()), 1e-12))
    out = {"answer_residual": (ratio - 1.0) * np.sqrt(d_eff / 2.0)}
    ok = ~np.isnan(R)
    Rz = np.where(ok, R, 0.0)
    sums, counts = _sums(P, Rz), _sums(P, ok.astype(np.float32))
    var = np.array([np.nanvar(R[:, j]) if ok[:, j].any() else 1.0 for j in range(R.shape[1])])
    out["descriptor_residual"] = np.max(np.abs(sums) / np.sqrt(np.maximum(counts, 1) * np.maximum(var, 1e-6)),
                                        axis=1) if R.shape[1] else np.zeros(c)
    V = desc.values.astype(np.float64)
    okv = V >= 0
    base = np.where(okv, V, 0).sum(axis=0) / np.maximum(okv.sum(axis=0), 1)
    hits, valid = _sums(P, np.where(okv, V, 0)), _sums(P, okv.astype(np.float64))
    se = np.sqrt(np.maximum(base * (1 - base), 1e-4) / np.maximum(valid, 1))
    out["descriptor_enrichment"] = np.max(np.abs(hits / np.maximum(valid, 1) - base) / se * (valid >= 5), axis=1)
    out["answer_shift"] = _shift(P, AP, m) - _shift(P, projected(pn.ctx.discovery["prompt"], pn.ctx.seed), m)
    return out


def _shift(P, Y: np.ndarray, m) -> np.ndarray:
    """How far each candidate's centroid sits from the dataset's, in units of chance (``Y``: the rows projected;
    centred here on a copy)."""
    n = Y.shape[0]
    Y = Y - Y.mean(axis=0)
    lam = float(Y.var(axis=0).sum())
    S = _sums(P, Y)
    return (S ** 2).sum(axis=1) / (m * max(lam, 1e-12)) * (1 - m / max(n, 1))


def shortlist(cands, score: dict[str, np.ndarray], per_view: dict[str, int]) -> list[int]:
    """The best candidates of each view, in order, without duplicates."""
    chosen: dict[int, None] = {}
    for view, count in per_view.items():
        s = score[view]
        for c in np.argsort(-s, kind="stable")[:count]:
            if s[c] > 0:
                chosen.setdefault(int(c), None)
    return list(chosen)
