"""Prompt neighbours and the background: how alike are the answers of prompts this alike?

Every record gets its ``K`` nearest prompts. A seeded sample of records gives background pairs
at all similarity levels (nearest neighbour, a farther neighbour, a random record): from them,
for any set of carriers left out, the expected answer cosine at a given prompt cosine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


K = 20
BACKGROUND = 3000
BINS = 15
QUARTILE = 0.10
FLOOR = 0.45


@dataclass
class Background:
    u: np.ndarray
    v: np.ndarray
    p: np.ndarray      # prompt cosine of each pair
    a: np.ndarray      # answer cosine of each pair
    sampled: np.ndarray  # the sampled records


class PromptNeighbours:
    def __init__(self, ctx):
        self.ctx = ctx
        self.has_prompt = np.asarray(ctx.present["prompt"], dtype=bool)
        self.answered = np.asarray(ctx.present["answer"], dtype=bool)
        self.search = ctx.searcher("prompt")     # the context's prompt search keeps at least K per row
        g = self.search.graph(keep_index=not self.search.exact)   # an IVF index answers nearest_outside
        self.idx, self.sim = g.idx[:, :K], g.sims[:, :K]
        self.k = self.idx.shape[1]
        self._background: Background | None = None
        self._prompt_answer: np.ndarray | None = None

    def nearest_outside(self, rows: np.ndarray, inside: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's nearest answered prompt outside ``inside`` (a mask): (row or -1, cosine or -1), from the
        prompt search (exact up to ``knn.EXACT_LIMIT`` prompts, its IVF index above)."""
        return self.search.nearest_allowed(rows, ~inside & self.has_prompt & self.answered)

    def release(self) -> None:
        """Drop the kept prompt index (the trigger test is done with it)."""
        self.search.release()

    def _cos(self, view: str, i: np.ndarray, j: np.ndarray, other: str | None = None) -> np.ndarray:
        """Cosines of ``view``'s rows ``i`` with ``other``'s (default: the same view) rows ``j``, pair by pair."""
        U, V = self.ctx.discovery[view], self.ctx.discovery[other or view]
        out = np.empty(len(i), dtype=np.float32)
        for s in range(0, len(i), 8192):
            out[s:s + 8192] = np.einsum("ij,ij->i", U[i[s:s + 8192]], V[j[s:s + 8192]])
        return out

    def answer_cos(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return self._cos("answer", i, j)

    def prompt_cos(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return self._cos("prompt", i, j)

    def prompt_answer_cos(self, i: np.ndarray) -> np.ndarray:
        """How much each record's answer is about its own prompt: computed for every record at the first call
        (the trigger tests ask for their pairs' records over and over: 0.6 s of 100k records' tests against
        0.1 s for all records once). Each record's value is its own row's product, the same whichever rows
        are computed with it (tested)."""
        if self._prompt_answer is None:
            every = np.arange(self.ctx.n)
            self._prompt_answer = self._cos("prompt", every, every, "answer")
        return self._prompt_answer[i]

    def background(self) -> Background:
        if self._background is None:
            self._background = self._sample()
        return self._background

    def _sample(self) -> Background:
        rng = np.random.default_rng(self.ctx.seed)
        usable = np.flatnonzero(self.has_prompt & self.answered & (self.idx[:, 0] >= 0))
        u = np.sort(rng.choice(usable, size=min(BACKGROUND, len(usable)), replace=False)) if len(usable) else usable
        far = rng.integers(1, max(2, self.k), size=len(u))
        rand = rng.choice(usable, size=len(u)) if len(usable) else u
        v = np.concatenate([self.idx[u, 0], self.idx[u, np.minimum(far, self.k - 1)], rand])
        uu = np.concatenate([u, u, u])
        ok = (v >= 0) & (v != uu)
        uu, v = uu[ok], v[ok]
        ok = self.answered[v]
        uu, v = uu[ok], v[ok]
        return Background(uu, v, self.prompt_cos(uu, v), self.answer_cos(uu, v), u)

    def match_threshold(self, inside: np.ndarray | None = None) -> float:
        """Prompts count as the same kind of question when at least this alike: the 10th percentile of the
        sampled records' similarity to their nearest prompt, among records outside ``inside`` (a mask), and
        never below ``FLOOR``."""
        bg = self.background()
        rows = bg.sampled
        if inside is not None:
            rows = rows[~inside[rows]]
        if not len(rows):
            return 1.0
        nb = self.idx[rows]
        usable = nb >= 0
        if inside is not None:
            usable &= ~inside[np.maximum(nb, 0)]
        first = np.argmax(usable, axis=1)
        has = usable[np.arange(len(rows)), first]
        sims = self.sim[rows, first][has]
        return max(FLOOR, float(np.quantile(sims, QUARTILE))) if len(sims) else 1.0


def expected_curve(p: np.ndarray, a: np.ndarray):
    """E[answer cosine | prompt cosine] as a piecewise-linear function (quantile bins, monotone)."""
    if len(p) < 2 * BINS:
        mean = float(a.mean()) if len(a) else 0.0
        return lambda q: np.full(len(q), mean, dtype=np.float32)
    edges = np.quantile(p, np.linspace(0, 1, BINS + 1))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, BINS - 1)
    counts = np.bincount(which, minlength=BINS)
    ok = counts > 0
    xs = np.bincount(which, weights=p, minlength=BINS)[ok] / counts[ok]
    ys = np.bincount(which, weights=a, minlength=BINS)[ok] / counts[ok]
    ys = isotonic(ys, counts[ok].astype(np.float64))
    return lambda q: np.interp(q, xs, ys).astype(np.float32)


def isotonic(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Non-decreasing weighted least-squares fit (pool adjacent violators)."""
    blocks: list[list[float]] = []          # [mean, weight, count]
    for value, weight in zip(y.tolist(), w.tolist()):
        blocks.append([value, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    return np.array([m for m, _, c in blocks for _ in range(c)])
