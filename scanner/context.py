"""ScanContext: the compact, whole-dataset state that bundle rules read.

Holds per-record hashes and embeddings (never the raw texts; float16, memory-mapped,
read as float32 rows on demand), the prompt candidate index, and lazily built
neighbour graphs and bundles per view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .cluster.bundler import DensityBundler
from .cluster.knn import KnnGraph, NeighbourSearch
from .embed.store import ViewRows

BATCH_GAPS_ABOVE = 50_000   # above this many records, gaps of many sets share one pass over the vectors
CHUNK_ROWS = 65_536


@dataclass
class ScanContext:
    n: int
    hashes: list[str]
    vectors: dict[str, ViewRows]        # view -> (n, d) unit rows (zero rows where a view is absent)
    present: dict[str, np.ndarray]      # view -> (n,) bool
    candidate_index: object             # triggers.index.CandidateIndex (prompt tokens, n-grams, phrases)
    features: list = field(default_factory=list)   # per-record RecordFeatures
    code_issues: dict = field(default_factory=dict)  # record index -> bandit issues
    fetch: object = None                            # callable: indices -> {index: Views}
    k: int = 15
    seed: int = 0
    _search: dict = field(default_factory=dict, repr=False)
    _gaps: dict = field(default_factory=dict, repr=False)
    _bundles: dict = field(default_factory=dict, repr=False)
    _candidates: dict = field(default_factory=dict, repr=False)
    cache: dict = field(default_factory=dict, repr=False)   # results shared between rules (trigger tests)

    @classmethod
    def build(cls, hashes, prompt, answer, present_prompt, present_answer, candidate_index, **kw) -> "ScanContext":
        vectors = {"prompt": ViewRows([prompt]), "answer": ViewRows([answer]), "joint": ViewRows([prompt, answer])}
        present = {"prompt": present_prompt, "answer": present_answer, "joint": present_prompt | present_answer}
        return cls(len(hashes), hashes, vectors, present, candidate_index, **kw)

    def searcher(self, view: str) -> NeighbourSearch:
        if view not in self._search:
            self._search[view] = NeighbourSearch(self.vectors[view], self.k, self.present[view], seed=self.seed)
        return self._search[view]

    def candidates(self, min_support: int, max_share: float):
        """Prompt candidates carried by ``min_support`` records up to ``max_share`` of the dataset."""
        from .triggers.index import CandidateIndex

        max_count = int(max_share * self.n)
        if "base" not in self._candidates:  # the index is finished once, by the first rule that asks
            index = self.candidate_index
            self._candidates["base"] = index.finish(min_support, max_count) if isinstance(index, CandidateIndex) \
                else index
            self.candidate_index = None
        base = self._candidates["base"]
        return None if base is None else base.restrict(min_support, max_count)

    def graph(self, view: str) -> KnnGraph:
        """The complete kNN graph of a view (bundles need it); purity and lift only ask for members."""
        return self.searcher(view).graph()

    def neighbours(self, view: str, rows) -> np.ndarray:
        """(len(rows), k) neighbour indices (-1: none), computed for these rows only if need be."""
        return self.searcher(view).query(rows)[1]

    def bundles(self, view: str = "joint", min_size: int = 15) -> list[tuple[np.ndarray, float]]:
        key = (view, min_size)
        if key not in self._bundles:
            b = DensityBundler(min_size=min_size).fit(self.graph(view))
            self._bundles[key] = list(zip(b.bundles_, b.levels_))
        return self._bundles[key]

    def groups(self, attribute: str, min_size: int = 1) -> list[tuple[object, list[int]]]:
        """Record indices grouped by a per-record feature (None values left out), ordered by first record."""
        out: dict = {}
        for i, f in enumerate(self.features):
            key = getattr(f, attribute)
            if key is not None:
                out.setdefault(key, []).append(i)
        return [(k, v) for k, v in sorted(out.items(), key=lambda kv: kv[1][0]) if len(v) >= min_size]

    # -- bundle statistics -------------------------------------------------------------------
    def mask(self, members) -> np.ndarray:
        m = np.zeros(self.n, dtype=bool)
        m[np.asarray(members, dtype=np.int64)] = True
        return m

    def purity(self, view: str, members) -> float:
        """Mean share of members' k nearest neighbours that are members too (1.0 = sealed region)."""
        members = np.asarray(members, dtype=np.int64)
        members = members[self.present[view][members]]
        if len(members) < 2:
            return 0.0
        inside = self.mask(members)
        nb = self.neighbours(view, members)
        valid = nb >= 0
        hits = (inside[np.maximum(nb, 0)] & valid).sum(axis=1)
        denom = np.minimum(valid.sum(axis=1), len(members) - 1).clip(min=1)
        return float(np.mean(hits / denom))

    def lift(self, view: str, members) -> float:
        """Purity above the share expected by chance, rescaled to 0..1."""
        base = len(members) / max(1, int(self.present[view].sum()))
        if base >= 1:
            return 0.0
        return max(0.0, (self.purity(view, members) - base) / (1 - base))

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

    def _compute_gaps(self, view: str, groups: list) -> list[float]:
        if not groups:
            return []
        x = self.vectors[view]
        if self.n <= BATCH_GAPS_ABOVE:  # small: one exact matrix-vector product per set
            return [self._gap_exact(view, g) for g in groups]
        cents = []
        for g in groups:
            c = x[g].mean(axis=0)
            cents.append(c / (np.linalg.norm(c) or 1.0))
        C = np.stack(cents).astype(np.float32)
        best = [np.empty(0, dtype=np.float32) for _ in groups]
        present = self.present[view]
        for start in range(0, self.n, CHUNK_ROWS):
            stop = min(self.n, start + CHUNK_ROWS)
            S = x[start:stop] @ C.T
            S[~present[start:stop]] = -np.inf
            for b, g in enumerate(groups):
                inside = g[(g >= start) & (g < stop)] - start
                col = S[:, b].copy()
                col[inside] = -np.inf
                m = len(g)
                pool = np.concatenate([best[b], col[np.isfinite(col)]])
                best[b] = pool if len(pool) <= m else np.partition(pool, len(pool) - m)[len(pool) - m:]
        out = []
        for b, g in enumerate(groups):
            if not len(best[b]):
                out.append(0.0)
                continue
            out.append(float((x[g] @ C[b]).mean() - best[b].mean()))
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
