"""ScanContext: the compact, whole-dataset state that bundle rules read.

Holds per-record hashes and embeddings (never the raw texts; float16, memory-mapped,
read as float32 rows on demand), the prompt candidate index, and lazily built
neighbour graphs and bundles per view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .cluster.budget import TransformerBudget
from .cluster.bundler import DensityBundler
from .cluster.knn import KnnGraph, NeighbourSearch
from .cluster.rerank import POOL, Rerank
from .cluster.stats import BundleStats, CascadeStats
from .embed.store import ViewRows


@dataclass
class ScanContext:
    n: int
    hashes: list[str]
    vectors: dict[str, ViewRows]        # view -> (n, d) unit rows (zero rows where a view is absent)
    present: dict[str, np.ndarray]      # view -> (n,) bool
    candidate_index: object             # triggers.index.CandidateIndex (prompt tokens, n-grams, phrases)
    features: list = field(default_factory=list)   # per-record RecordFeatures
    code_issues: dict = field(default_factory=dict)  # record index -> bandit issues
    k: int = 15
    seed: int = 0
    discovery_vectors: dict | None = None  # whole-dataset vectors when ``vectors`` are on demand (the cascade)
    rerank: object = None                  # cluster.rerank.Rerank in the cascade
    ondemand: object = None                # embed.ondemand.OnDemandVectors in the cascade
    budgets: dict = field(default_factory=dict)   # consumer -> cluster.budget.TransformerBudget (the cascade)
    graph_memo: object = None              # cluster.graph_memo.GraphMemo: earlier scans' IVF answers, or None
    _search: dict = field(default_factory=dict, repr=False)
    _stats: object = field(default=None, repr=False)
    _discovery_stats: object = field(default=None, repr=False)
    _bundles: dict = field(default_factory=dict, repr=False)
    _candidates: dict = field(default_factory=dict, repr=False)
    cache: dict = field(default_factory=dict, repr=False)   # results shared between rules (trigger tests)
    neighbour_seconds: float = 0.0         # time spent in neighbour searches (``--stats``)

    @classmethod
    def build(cls, hashes, prompt, answer, present_prompt, present_answer, candidate_index, ondemand=None,
              **kw) -> "ScanContext":
        """``prompt``/``answer``: every record's vectors. With ``ondemand`` (the cascade) those are the
        discovery vectors and ``ctx.vectors`` are the transformer's, embedded for the rows rules ask about."""
        views = {"prompt": ViewRows([prompt]), "answer": ViewRows([answer]), "joint": ViewRows([prompt, answer])}
        present = {"prompt": present_prompt, "answer": present_answer, "joint": present_prompt | present_answer}
        if ondemand is None:
            return cls(len(hashes), hashes, views, present, candidate_index, **kw)
        from .embed.ondemand import lazy_views

        ctx = cls(len(hashes), hashes, lazy_views(ondemand), present, candidate_index, discovery_vectors=views,
                  ondemand=ondemand, **kw)
        ctx.rerank = Rerank(ctx._pool, ctx.vectors, present, ctx.k)
        return ctx

    def budget(self, consumer: str, rows: int) -> "TransformerBudget | None":
        """The transformer budget of one consumer of second looks (``cluster/budget.py``), or None where every
        record's transformer vectors are there already (accurate) or none are used (fast)."""
        if self.ondemand is None:
            return None
        if consumer not in self.budgets:
            self.budgets[consumer] = TransformerBudget(self.ondemand, rows)
        return self.budgets[consumer]

    @property
    def discovery(self) -> dict:
        """Vectors of every record, for whole-dataset work (neighbour graphs, bundles, the trigger screen, maps):
        the transformer's on the accurate path, the static ones on the fast path and in the cascade."""
        return self.vectors if self.discovery_vectors is None else self.discovery_vectors

    def _pool(self, view: str, rows) -> np.ndarray:
        return self.searcher(view).query(rows)[1]

    def searcher(self, view: str) -> NeighbourSearch:
        """Discovery neighbours (the cascade keeps ``rerank.POOL`` per row for re-ranking, ``k`` are used). One
        search per view, so each view's index is built once: the prompt view's keeps ``triggers.pairs.K``
        per row, the trigger tests' graph."""
        if view not in self._search:
            k = self.k if self.rerank is None else max(self.k, POOL)
            if view == "prompt":   # the trigger tests' full prompt graph is this search's
                from .triggers.pairs import K as PAIRS_K

                k = max(k, PAIRS_K)
            self._search[view] = NeighbourSearch(self.discovery[view], k, self.present[view], seed=self.seed,
                                                 on_time=self.add_neighbour_time, by_list=self.ondemand is not None,
                                                 memo=self.graph_memo)
        return self._search[view]

    def add_neighbour_time(self, seconds: float) -> None:
        self.neighbour_seconds += seconds

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
        """The complete discovery kNN graph of a view (bundles need it); purity and lift only ask for members."""
        g = self.searcher(view).graph()
        return g if g.k == self.k else KnnGraph(g.sims[:, :self.k], g.idx[:, :self.k])

    def neighbours(self, view: str, rows) -> np.ndarray:
        """(len(rows), k) discovery neighbour indices (-1: none), computed for these rows only if need be:
        what proposes candidates. Verdicts read ``ctx.stats``, which in the cascade re-ranks by transformer."""
        return self.searcher(view).query(rows)[1][:, :self.k]

    def bundles(self, view: str = "joint", min_size: int = 15) -> list[tuple[np.ndarray, float]]:
        key = (view, min_size)
        if key not in self._bundles:
            b = DensityBundler(min_size=min_size).fit(self.graph(view))
            self._bundles[key] = list(zip(b.bundles_, b.levels_))
        return self._bundles[key]

    def groups(self, attribute: str, min_size: int = 1) -> list[tuple[object, list[int]]]:
        """Record indices grouped by a per-record feature (None values left out), ordered by first record
        (a dict keeps its keys in the order first seen, which is that order). Remembered per attribute."""
        key = ("groups", attribute)
        if key not in self.cache:
            out: dict = {}
            for i, f in enumerate(self.features):
                value = getattr(f, attribute)
                if value is not None:
                    out.setdefault(value, []).append(i)
            self.cache[key] = list(out.items())
        return [(k, list(v)) for k, v in self.cache[key] if len(v) >= min_size]   # copies: callers may keep them

    @property
    def stats(self) -> "BundleStats":
        """Purity, lift, coherence and gaps of member sets in the transformer's space (``cluster/stats.py``;
        in the cascade: re-ranked neighbours and sampled members), remembered per scan. What verdicts read."""
        if self._stats is None:
            if self.rerank is None:
                self._stats = self.discovery_stats
            else:
                self._stats = CascadeStats(self.n, self.vectors, self.present, self.rerank, self.discovery)
        return self._stats

    @property
    def discovery_stats(self) -> "BundleStats":
        """The same statistics in the discovery space, for structural rules that judge what the whole-dataset
        graph found (narrow bundles, trigger carriers, code clusters): identical to ``stats`` unless the
        transformer runs on demand (the cascade)."""
        if self._discovery_stats is None:
            self._discovery_stats = BundleStats(self.n, self.discovery, self.present, self.neighbours)
        return self._discovery_stats

    def column(self, name: str) -> np.ndarray:
        """One per-record feature for every record, as an array (remembered): ``ctx.column("self_claim")``."""
        key = ("column", name)
        if key not in self.cache:
            values = [getattr(f, name) for f in self.features]
            kinds = {type(v) for v in values}
            dtype = bool if kinds <= {bool} else np.int64 if kinds <= {int} else object
            self.cache[key] = np.array(values, dtype=dtype) if values else np.zeros(0, dtype=dtype)
        return self.cache[key]
