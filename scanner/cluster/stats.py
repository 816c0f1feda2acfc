"""Statistics of member sets over the whole dataset: purity and lift (neighbours), coherence, gaps.

Read by rules and the classifier through ``ScanContext.stats``; they read the vectors and the
neighbour search and never change the dataset state.
"""

from __future__ import annotations

import numpy as np

from .rerank import MAX_ASKED, even_sample

BATCH_GAPS_ABOVE = 50_000   # above this many records, gaps of many sets share one pass over the vectors
CHUNK_ROWS = 65_536
SETS_PER_PASS = 256         # ... at most this many sets per pass (a CHUNK_ROWS x sets block of similarities)


class BundleStats:
    def __init__(self, n: int, vectors: dict, present: dict, neighbours):
        """``neighbours(view, rows)``: (len(rows), k) neighbour indices, -1 for none."""
        self.n, self.vectors, self.present, self.neighbours = n, vectors, present, neighbours
        self._gaps: dict = {}

    def mask(self, members) -> np.ndarray:
        m = np.zeros(self.n, dtype=bool)
        m[np.asarray(members, dtype=np.int64)] = True
        return m

    def purity(self, view: str, members, asked: int | None = None) -> float:
        """Mean share of members' k nearest neighbours that are members too (1.0 = sealed region).
        ``asked``: an estimate may read the neighbours of this many members only (exact statistics read all)."""
        members = np.asarray(members, dtype=np.int64)
        members = members[self.present[view][members]]
        if len(members) < 2:
            return 0.0
        inside = self.mask(members)
        nb = self._members_neighbours(view, members, asked)
        valid = nb >= 0
        hits = (inside[np.maximum(nb, 0)] & valid).sum(axis=1)
        denom = np.minimum(valid.sum(axis=1), len(members) - 1).clip(min=1)
        return float(np.mean(hits / denom))

    def _members_neighbours(self, view: str, members: np.ndarray, asked: int | None) -> np.ndarray:
        """Neighbour rows whose share inside the set is the purity (every member's, here)."""
        return self.neighbours(view, members)

    def lift(self, view: str, members, asked: int | None = None) -> float:
        """Purity above the share expected by chance, rescaled to 0..1 (``asked``: see ``purity``)."""
        base = len(members) / max(1, int(self.present[view].sum()))
        if base >= 1:
            return 0.0
        return max(0.0, (self.purity(view, members, asked) - base) / (1 - base))

    def coherence(self, view: str, members) -> float:
        x = self.vectors[view][np.asarray(members, dtype=np.int64)]
        c = x.mean(axis=0)
        norm = float(np.linalg.norm(c))
        return float((x @ (c / norm)).mean()) if norm else 0.0

    def gap(self, view: str, members) -> float:
        """Members' mean similarity to their centroid minus that of the closest non-members."""
        return self.gaps(view, [members])[0]

    def gaps(self, view: str, groups: list) -> list[float]:
        """``gap`` for many member sets in one pass over the vectors (what large datasets need); remembered."""
        groups = [np.asarray(g, dtype=np.int64) for g in groups]
        keys = [(view, g.tobytes()) for g in groups]
        todo = {k: g for k, g in zip(keys, groups) if k not in self._gaps}
        if todo:
            for k, value in zip(todo, self._compute_gaps(view, list(todo.values()))):
                self._gaps[k] = value
        return [self._gaps[k] for k in keys]

    def expect_gaps(self, view: str, groups: list) -> None:
        """Sets whose gaps will likely be asked one at a time (see ``CascadeStats``); nothing to prepare here."""

    def _compute_gaps(self, view: str, groups: list) -> list[float]:
        if not groups:
            return []
        if self.n <= BATCH_GAPS_ABOVE:  # small: one exact matrix-vector product per set
            return [self._gap_exact(view, g) for g in groups]
        out = []
        for start in range(0, len(groups), SETS_PER_PASS):
            out += self._gaps_one_pass(view, groups[start:start + SETS_PER_PASS])
        return out

    def _gaps_one_pass(self, view: str, groups: list) -> list[float]:
        x = self.vectors[view]
        C = unit_centroids(x, groups)
        best = closest_outside(x, self.present[view], groups, C, [len(g) for g in groups])
        out = []
        for b, g in enumerate(groups):
            if not len(best[b][0]):
                out.append(0.0)
                continue
            out.append(float((x[g] @ C[b]).mean() - best[b][0].mean()))
        return out

    def _gap_exact(self, view: str, members: np.ndarray) -> float:
        x = self.vectors[view]
        c = x[members].mean(axis=0)
        c /= np.linalg.norm(c) or 1.0
        sims = x.matvec(c)
        inside = self.mask(members)
        outside = sims[~inside & self.present[view]]
        if not len(outside):
            return 0.0
        top = np.sort(outside)[-min(len(members), len(outside)):]
        return float(sims[members].mean() - top.mean())


def unit_centroids(x, row_sets: list) -> np.ndarray:
    """(sets, dim) float32: each set's mean row of ``x``, scaled to unit length (a zero mean stays zero)."""
    cents = []
    for rows in row_sets:
        c = x[rows].mean(axis=0)
        cents.append(c / (np.linalg.norm(c) or 1.0))
    return np.stack(cents).astype(np.float32)


def closest_outside(x, present: np.ndarray, groups: list, C: np.ndarray, takes: list[int]) -> list[tuple]:
    """For each set (its member rows), the ``take`` present rows outside it most similar to its centroid
    (row of ``C``), from one pass over ``x`` a block of rows at a time: (similarities, rows), in no order."""
    best = [(np.empty(0, np.float32), np.empty(0, np.int64)) for _ in groups]
    for start in range(0, len(present), CHUNK_ROWS):
        stop = min(len(present), start + CHUNK_ROWS)
        S = x[start:stop] @ C.T
        rows = np.arange(start, stop)
        for b, (g, take) in enumerate(zip(groups, takes)):
            if not take:
                continue
            ok = present[start:stop].copy()
            ok[g[(g >= start) & (g < stop)] - start] = False
            vals = np.concatenate([best[b][0], S[ok, b]])
            idx = np.concatenate([best[b][1], rows[ok]])
            if len(vals) > take:
                part = np.argpartition(-vals, take - 1)[:take]
                vals, idx = vals[part], idx[part]
            best[b] = (vals, idx)
    return best


MAX_MEMBERS = 128   # the cascade's centroid and coherence read at most this many members (an even sample)
GAP_CANDIDATES = 512   # a gap's closest non-members come from this many static candidates at most ...
GAP_SCORED = 64        # ... of which at most this many (an even sample along the static ranking) are re-scored


class CascadeStats(BundleStats):
    """The same statistics in the transformer's space with the transformer run on a few rows only: purity on
    an even sample of members whose neighbours are re-ranked from their static candidates and the members
    (``rerank.py``), coherence and centroids on at most ``MAX_MEMBERS`` members, and a gap's closest
    non-members taken from the static vectors' closest to the static centroid, an even sample of them
    re-scored by the transformer."""

    def __init__(self, n: int, vectors: dict, present: dict, rerank, discovery: dict):
        super().__init__(n, vectors, present, rerank.neighbours)
        self.rerank = rerank
        self.discovery = discovery
        self._expected: dict = {}       # view -> sets whose gaps are expected one at a time (``expect_gaps``)
        self._candidates: dict = {}     # (view, set) -> static candidates found ahead of their gap

    def _members_neighbours(self, view: str, members: np.ndarray, asked: int | None) -> np.ndarray:
        """An even sample of members (``MAX_ASKED``, or fewer when asked), each with its neighbours re-ranked
        among its static candidates and the members: purity averages over the sample (its denominators still
        count every member)."""
        most = min(MAX_ASKED, asked or MAX_ASKED)
        return self.rerank.neighbours(view, even_sample(members, most), extra=even_sample(members, MAX_MEMBERS))

    def coherence(self, view: str, members) -> float:
        return super().coherence(view, even_sample(members, MAX_MEMBERS))

    def expect_gaps(self, view: str, groups: list) -> None:
        """Sets whose gaps will likely be asked one at a time, in this order (a budget's judged bundles): when
        one is asked, the static candidates of the next expected sets are found in the same pass over the
        static vectors, so a budgeted loop pays about one pass per ``SETS_PER_PASS`` sets instead of one per
        set. A set's candidates do not depend on the others found with it."""
        sets = (np.unique(np.asarray(g, dtype=np.int64)) for g in groups)
        self._expected[view] = {g.tobytes(): g for g in sets}       # in order; a set leaves once prepared

    def _compute_gaps(self, view: str, groups: list) -> list[float]:
        groups = [np.unique(np.asarray(g, dtype=np.int64)) for g in groups]     # no n-sized mask per set
        self._prepare(view, groups)
        keys = [(view, g.tobytes()) for g in groups]
        out = [self._rescored_gap(view, g, self._candidates[k]) for g, k in zip(groups, keys)]
        for k in set(keys):
            del self._candidates[k]
        return out

    def _prepare(self, view: str, groups: list) -> None:
        """Static candidates of ``groups`` (and of the next expected sets, up to a pass each), kept by set."""
        expected = self._expected.get(view, {})
        todo = {}
        for g in groups:
            key = g.tobytes()
            expected.pop(key, None)
            if (view, key) not in self._candidates:
                todo[key] = g
        if not todo:
            return
        while len(todo) < SETS_PER_PASS and expected:
            key = next(iter(expected))
            g = expected.pop(key)
            if (view, key) not in self._candidates and (view, key) not in self._gaps:
                todo[key] = g
        todo = list(todo.values())
        for start in range(0, len(todo), SETS_PER_PASS):
            chunk = todo[start:start + SETS_PER_PASS]
            for g, cand in zip(chunk, self._static_candidates(view, chunk)):
                self._candidates[(view, g.tobytes())] = cand

    def _static_candidates(self, view: str, groups: list) -> list:
        """For up to ``SETS_PER_PASS`` sets (unique sorted rows), from one pass over the static vectors: each
        set's closest non-members by static similarity to its static centroid, an even sample of them to be
        re-scored by the transformer, and how many were taken."""
        static = self.discovery[view]
        present = self.present[view]
        C = unit_centroids(static, [even_sample(g, MAX_MEMBERS) for g in groups])
        n_present = int(np.count_nonzero(present))
        takes = [min(n_present - int(np.count_nonzero(present[g])), GAP_CANDIDATES, 2 * len(g)) for g in groups]
        out = []
        for take, (vals, idx) in zip(takes, closest_outside(static, present, groups, C, takes)):
            cand = idx[np.lexsort((idx, -vals))]                                # by static similarity
            scored = cand[np.linspace(0, take - 1, min(take, GAP_SCORED)).round().astype(np.int64)] if take \
                else cand[:0]
            out.append((scored, take))
        return out

    def _rescored_gap(self, view: str, g: np.ndarray, candidates: tuple) -> float:
        """The gap of one set from its static candidates, the sample re-scored by the transformer."""
        scored, take = candidates
        if not take:
            return 0.0
        x = self.vectors[view][even_sample(g, MAX_MEMBERS)]
        centroid = x.mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        # the closest min(m, take) of the ``take`` candidates, estimated on the re-scored sample
        keep = max(1, int(round(len(scored) * min(len(g), take) / take)))
        near = np.sort(self.vectors[view][np.sort(scored)] @ centroid)[-keep:]
        return float((x @ centroid).mean() - near.mean())
