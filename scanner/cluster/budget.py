"""The cascade's transformer budget for second looks: the strongest first, the rest on static vectors.

A second look judges again, in the transformer's space, what the static vectors already found: bundles
that pass PC102's thresholds, and the bundle model's features of every finding. Their number grows with the
dataset (a million records gives thousands of candidate bundles), and each costs up to a few hundred
transformer passes. A budget caps the rows (record views) one consumer may have embedded: the caller
judges its items strongest first, and once the budget is spent the rest keep their static statistics,
and say so in their evidence. The count is of rows asked for, embedded or found in the embedding cache
alike, so cold and warm caches spend it the same way and give the same report.
"""

from __future__ import annotations

from contextlib import contextmanager

# rows (record views) per consumer; ~2-4 minutes of single-text transformer passes on two cores. Every
# dataset the benchmarks measure (up to 100k records) stays well inside both (see docs/scale.md).
SECOND_LOOK_ROWS = 8_000      # PC102: bundles judged again by the transformer
CLASSIFIER_ROWS = 12_000      # the bundle model's features of findings
STATIC_NOTE = "static vectors (transformer budget spent)"   # evidence of an item past the budget


class TransformerBudget:
    def __init__(self, ondemand, rows: int):
        """``ondemand``: ``embed.ondemand.OnDemandVectors`` (``count()``: rows embedded or read so far)."""
        self.ondemand, self.rows = ondemand, rows
        self.used = 0
        self.looked = 0        # items judged by the transformer
        self.static = 0        # items left on static vectors once the budget was spent

    @property
    def spent(self) -> bool:
        return self.used >= self.rows

    @contextmanager
    def look(self):
        """Around one item's transformer work: counts the rows it made the transformer read (one item may
        overrun what is left; the next finds the budget spent)."""
        before = self.ondemand.count()
        try:
            yield
        finally:
            self.used += self.ondemand.count() - before
            self.looked += 1

    def share(self, items):
        """The items in the caller's order, each as (item, judged): judged items while the budget lasts, each
        counted by ``look`` while the caller does its transformer work (before asking for the next item),
        then the rest, counted as left on static vectors."""
        for item in items:
            if self.spent:
                self.static += 1
                yield item, False
                continue
            with self.look():
                yield item, True

    def summary(self) -> dict:
        return {"rows": self.used, "limit": self.rows, "transformer_items": self.looked,
                "static_items": self.static}
