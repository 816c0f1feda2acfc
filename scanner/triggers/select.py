"""From tested candidates to findings: merge candidates on the same records, explain away the
ones whose effect comes from records another candidate already explains, and name each effect by
its smallest candidate.
"""

from __future__ import annotations

import numpy as np

KIND_ORDER = {"ngram": 0, "lead": 1, "trail": 1, "system": 2, "first": 2, "last": 2}


def fingerprints(cands) -> np.ndarray:
    """One row per candidate identifying its carrier set (support, first, last, sums)."""
    support = cands.support()
    rec = cands.records.astype(np.int64)
    cand_of = cands.posting_candidates()
    c = len(cands)
    s1 = np.bincount(cand_of, weights=rec, minlength=c)
    s2 = np.bincount(cand_of, weights=(rec * 2654435761) % 1000003, minlength=c)
    first = rec[cands.offsets[:-1]] if len(rec) else np.zeros(c)
    last = rec[np.maximum(cands.offsets[1:] - 1, 0)] if len(rec) else np.zeros(c)
    return np.stack([support, first, last, s1, s2], axis=1).astype(np.float64)


def size_key(desc: dict) -> tuple:
    """Smaller first: fewer tokens, a word before bare punctuation, anywhere before a position, shorter."""
    toks = desc["tokens"]
    wordless = not any(ch.isalnum() for ch in desc["text"])
    return (len(toks) if desc["kind"] not in ("system", "first", "last") else 9, wordless,
            KIND_ORDER.get(desc["kind"], 3), len(desc["text"]), desc["text"])


def representatives(cands) -> tuple[np.ndarray, dict[int, list[int]]]:
    """One candidate per distinct carrier set (the smallest), and each one's aliases."""
    fp = fingerprints(cands)
    _, group = np.unique(fp, axis=0, return_inverse=True)
    group = group.ravel()
    members: dict[int, list[int]] = {}
    for c, g in enumerate(group):
        members.setdefault(int(g), []).append(c)
    reps, aliases = [], {}
    for cs in members.values():
        if len(cs) == 1:
            reps.append(cs[0])
            continue
        ordered = sorted(cs, key=lambda c: size_key(cands.describe(c)))
        reps.append(ordered[0])
        aliases[ordered[0]] = ordered[1:]
    return np.array(sorted(reps), dtype=np.int64), aliases


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / max(1, min(len(a), len(b)))
