"""Neighbours in the transformer's space without embedding the dataset: retrieve, then re-rank.

The cascade's discovery search (static vectors, every record) proposes each asked row's ``POOL``
nearest records; the transformer embeds the row and its pool, and the row's ``k`` nearest are taken
from the pool by transformer cosine. A two-stage retriever: exact whenever the transformer's
``k`` nearest lie within the static ``POOL`` nearest (the distilled static space keeps the
transformer's neighbourhoods coarsely), never more transformer work than the rows and their pools.
"""

from __future__ import annotations

import numpy as np

POOL = 30          # static candidates per asked row
MAX_ASKED = 64     # purity of a larger set is estimated on an even, seeded sample of this many members


class Rerank:
    def __init__(self, pool, vectors: dict, present: dict, k: int):
        """``pool(view, rows)``: (len(rows), >= k) discovery neighbour indices (-1: none);
        ``vectors``: on-demand transformer rows per view."""
        self.pool, self.vectors, self.present, self.k = pool, vectors, present, k

    def neighbours(self, view: str, rows, extra=None) -> np.ndarray:
        """(len(rows), k) nearest records by transformer cosine among each row's static candidates and
        ``extra`` (the set under test: its members count wherever the static space put them)."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return np.zeros((0, self.k), dtype=np.int64)
        cand = self.pool(view, rows)
        extra = np.zeros(0, dtype=np.int64) if extra is None else np.asarray(extra, dtype=np.int64)
        every = np.unique(np.concatenate([rows, cand[cand >= 0], extra]))
        every = every[self.present[view][every]]
        X = self.vectors[view][every]                      # one transformer pass for rows and candidates
        where = np.full(int(every.max()) + 1 if len(every) else 1, -1, dtype=np.int64)
        where[every] = np.arange(len(every))
        out = np.full((len(rows), self.k), -1, dtype=np.int64)
        for n, (r, c) in enumerate(zip(rows.tolist(), cand)):
            c = np.unique(np.concatenate([c[c >= 0], extra]))
            c = c[(c != r) & self.present[view][c]]
            if not len(c) or r >= len(where) or where[r] < 0:
                continue
            sims = X[where[c]] @ X[where[r]]
            order = np.argsort(-sims, kind="stable")[: self.k]
            out[n, : len(order)] = c[order]
        return out


def even_sample(members: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` members, evenly spread over the sorted set (deterministic)."""
    members = np.sort(np.asarray(members, dtype=np.int64))
    if len(members) <= most:
        return members
    return members[np.linspace(0, len(members) - 1, most).round().astype(np.int64)]
