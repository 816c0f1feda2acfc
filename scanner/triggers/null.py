"""The candidates' own background: how much does a comparable prompt word change the answers here?

Content words legitimately change answers ("how many" asks for a number, "when" for a date, a
question about "you" gets a self-description in a persona chat), so a paired effect on answer
meaning alone does not make a trigger. A seeded sample of candidates spread over every support
level is the reference pool. A candidate is compared with the pooled candidates most like it in
support and in how topical it is (the share of its carriers' nearest prompts that carry it
too), each re-tested on the records that do not carry the candidate (so a trigger on half the
dataset cannot leak into its own reference). Its effect must clear the reference's 90th
percentile by a margin.
"""

from __future__ import annotations

import numpy as np

from .select import overlap

SAMPLE = 400
REFERENCE = 25
MIN_REFERENCE = 10
MARGIN = 0.2


def topicality(pn, carriers: np.ndarray) -> float:
    """Share of the carriers' nearest prompts that are carriers too."""
    inside = np.zeros(pn.ctx.n, dtype=bool)
    inside[carriers] = True
    nb = pn.idx[carriers]
    ok = nb >= 0
    return float((inside[np.maximum(nb, 0)] & ok).sum() / max(1, ok.sum()))


class CandidateNull:
    def __init__(self, cands, reps: np.ndarray, pn, seed: int, min_support: int):
        self.cands, self.pn, self.min_support = cands, pn, min_support
        rng = np.random.default_rng(seed)
        support = cands.support()[reps]
        bins = np.floor(np.log2(np.maximum(support, 1))).astype(int)
        chosen = []
        per_bin = max(10, SAMPLE // max(1, len(np.unique(bins))))
        for b in np.unique(bins):
            pool = reps[bins == b]
            chosen.extend(rng.choice(pool, size=min(len(pool), per_bin), replace=False).tolist())
        self.pool = np.array(sorted(chosen), dtype=np.int64)
        self.coords = np.array([[np.log2(len(cands.carriers(c))), 3 * topicality(pn, cands.carriers(c))]
                                for c in self.pool]).reshape(-1, 2)

    def references(self, carriers: np.ndarray, run) -> list:
        """Contrasts of the comparable pooled candidates on the records outside ``carriers``: the nearest
        in (support, topicality) first, until ``REFERENCE`` of them could be tested."""
        if not len(self.pool):
            return []
        here = np.array([np.log2(len(carriers)), 3 * topicality(self.pn, carriers)])
        order = np.argsort(((self.coords - here) ** 2).sum(axis=1), kind="stable")
        out, tried = [], 0
        for k in order:
            theirs = self.cands.carriers(int(self.pool[k]))
            if overlap(theirs, carriers) >= 0.5:
                continue
            rest = np.setdiff1d(theirs, carriers)
            if len(rest) < self.min_support:
                continue
            tried += 1
            t = run(rest, carriers)
            if t.effects:
                out.append(t)
            if len(out) >= REFERENCE or tried >= 3 * REFERENCE:
                break
        return out

    def standardise(self, test, run) -> None:
        """Add the reference's median and 90th percentile, and ``stands_out``, to every effect of ``test``.

        ``run(carriers, exclude)`` -> Contrast of a reference set with ``exclude`` barred from controls."""
        refs = self.references(test.carriers, run)
        for name, res in test.effects.items():
            values = np.array([t.effects.get(name, {"effect": 0.0})["effect"] for t in refs])
            if len(values) < MIN_REFERENCE:
                res.update(null_median=None, null_q90=None, stands_out=None)
                continue
            q90 = float(np.quantile(values, 0.9))
            res.update(null_median=round(float(np.median(values)), 4), null_q90=round(q90, 4),
                       stands_out=bool(res["effect"] >= q90 + MARGIN))
