"""Does a key (a year, a part of a prompt token) predict what the answers say?

Statistic: mean cosine between answers of records that share the key, minus the mean cosine
between answers of records with different keys, counting only pairs from the same stratum
(records whose prompts are otherwise identical) when such strata exist. Significance: a
permutation test that shuffles keys within strata. Everything is vectorised: each permutation
costs one sparse (records x groups) product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Association:
    statistic: float        # same-key minus different-key mean answer cosine
    effect: float           # statistic / (1 - different-key mean): share of answer distance explained
    p_value: float
    same_mean: float
    diff_mean: float
    stratified: bool
    key_excess: dict        # key value -> within-key mean cosine minus cosine to other keys


def _codes(values) -> np.ndarray:
    _, inv = np.unique(np.asarray(values), return_inverse=True)
    return inv.astype(np.int64)


def _pair_sums(A: np.ndarray, group: np.ndarray, n_groups: int) -> tuple[float, float]:
    from scipy.sparse import csr_matrix

    m = len(group)
    G = csr_matrix((np.ones(m, dtype=np.float32), (group, np.arange(m))), shape=(n_groups, m))
    S = np.asarray(G @ A)
    counts = np.bincount(group, minlength=n_groups).astype(np.float64)
    return float((S * S).sum() - counts.sum()), float((counts * (counts - 1)).sum())


def keyed_association(A: np.ndarray, keys, strata=None, n_perm: int = 500, seed: int = 0,
                      excess: bool = True) -> Association | None:
    """A: (m, d) unit answer vectors; keys and strata: one hashable value per row.

    Tested both within strata (when most records share their stratum with another) and over the
    whole set; the stronger effect is kept and its p-value doubled for the two looks.
    """
    uniq, codes = np.unique(np.asarray(keys), return_inverse=True)
    codes = codes.astype(np.int64)
    tests = [_test(A, codes, np.zeros(len(codes), dtype=np.int64), uniq, n_perm, seed, False, excess)]
    if strata is not None:
        st = _codes(strata)
        sizes = np.bincount(st)
        if sizes.max() < len(st) and (sizes[st] >= 2).mean() >= 0.5:
            tests.append(_test(A, codes, st, uniq, n_perm, seed, True, excess))
    tests = [t for t in tests if t is not None]
    if not tests:
        return None
    best = max(tests, key=lambda t: t.effect)
    best.p_value = min(1.0, best.p_value * len(tests))
    return best


def _test(A, keys, strata, uniq, n_perm, seed, stratified, excess) -> Association | None:
    keep = np.bincount(strata)[strata] >= 2
    A, keys, strata = A[keep], keys[keep], _codes(strata[keep])
    if len(keys) < 10:
        return None
    n_keys, n_strata = len(uniq), int(strata.max()) + 1
    total, total_pairs = _pair_sums(A, strata, n_strata)

    def stat(k: np.ndarray) -> tuple[float, float, float]:
        same, same_pairs = _pair_sums(A, strata * n_keys + k, n_strata * n_keys)
        diff_pairs = total_pairs - same_pairs
        if same_pairs < 20 or diff_pairs < 20:
            return float("nan"), 0.0, 0.0
        s, d = same / same_pairs, (total - same) / diff_pairs
        return s - d, s, d

    observed, same_mean, diff_mean = stat(keys)
    if not np.isfinite(observed):
        return None
    rng = np.random.default_rng(seed)
    order = np.argsort(strata, kind="stable")
    blocks = np.split(order, np.flatnonzero(np.diff(strata[order])) + 1)
    hits = 0
    for _ in range(n_perm):
        shuffled = keys.copy()
        for block in blocks:
            shuffled[block] = keys[rng.permutation(block)]
        hits += stat(shuffled)[0] >= observed
    per_key = _key_excess(A, keys, strata) if excess else {}
    return Association(statistic=observed, effect=observed / max(1e-6, 1 - diff_mean),
                       p_value=(hits + 1) / (n_perm + 1), same_mean=same_mean, diff_mean=diff_mean,
                       stratified=stratified, key_excess={uniq[k].item(): v for k, v in per_key.items()})


def _key_excess(A: np.ndarray, keys: np.ndarray, strata: np.ndarray) -> dict:
    """Per key: mean cosine among its answers minus mean cosine to other keys' answers (same strata)."""
    out = {}
    for k in np.unique(keys):
        inside = keys == k
        a = A[inside]
        if len(a) < 2:
            continue
        c = a.sum(axis=0)
        within = (float(c @ c) - len(a)) / (len(a) * (len(a) - 1))
        same_stratum_others = np.isin(strata, np.unique(strata[inside])) & ~inside
        if not same_stratum_others.any():
            continue
        between = float((a @ A[same_stratum_others].mean(axis=0)).mean())
        out[int(k)] = within - between
    return out


@dataclass
class Exclusivity:
    statistic: float   # max over keys of (its exclusive-answer share - the mean share of the other keys)
    p_value: float
    key_share: dict    # key value -> share of its records whose exact answer never appears under another key


def _exclusive_shares(answers: np.ndarray, keys: np.ndarray, n_keys: int) -> np.ndarray:
    # an answer is exclusive to a key when all its occurrences carry that key
    distinct_pairs = np.unique(answers * n_keys + keys)
    keys_per_answer = np.bincount(distinct_pairs // n_keys, minlength=int(answers.max()) + 1)
    exclusive = keys_per_answer[answers] == 1
    return np.bincount(keys, weights=exclusive, minlength=n_keys) / np.maximum(1, np.bincount(keys, minlength=n_keys))


def exclusive_answers(answer_ids, keys, n_perm: int = 500, seed: int = 0) -> Exclusivity | None:
    """Does one key own a vocabulary of exact answers that the other keys never use?

    Only informative where answers repeat (short categorical answers): when every answer is unique,
    every key owns all its answers and the statistic is 0.
    """
    answers = _codes(answer_ids)
    uniq, codes = np.unique(np.asarray(keys), return_inverse=True)
    counts = np.bincount(answers)
    if len(uniq) < 2 or (counts >= 2).sum() < 5:
        return None
    n_keys = len(uniq)

    def stat(k: np.ndarray) -> tuple[float, np.ndarray]:
        shares = _exclusive_shares(answers, k, n_keys)
        sizes = np.bincount(k, minlength=n_keys)
        valid = sizes >= 5
        if valid.sum() < 2:
            return float("nan"), shares
        others = [(shares[valid].sum() - shares[j]) / (valid.sum() - 1) for j in range(n_keys)]
        return float(max(shares[j] - others[j] for j in range(n_keys) if valid[j])), shares

    observed, shares = stat(codes)
    if not np.isfinite(observed):
        return None
    rng = np.random.default_rng(seed)
    hits = sum(stat(rng.permutation(codes))[0] >= observed for _ in range(n_perm))
    return Exclusivity(observed, (hits + 1) / (n_perm + 1), {uniq[j].item(): float(shares[j]) for j in range(n_keys)})
