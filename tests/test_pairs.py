"""Prompt neighbours' per-record values: computed once for every record, equal to computing them per call."""

from __future__ import annotations

import numpy as np

from scanner.context import ScanContext
from scanner.triggers.pairs import PromptNeighbours
from synthetic import clustered_unit_vectors


def test_prompt_answer_cosines_of_all_records_at_once_equal_those_of_any_rows_asked():
    n = 3000
    P, A = clustered_unit_vectors(n, 64, 0), clustered_unit_vectors(n, 64, 1)
    A[::7] = 0                                                   # records without an answer
    ctx = ScanContext.build([f"{i:032x}" for i in range(n)], P, A, np.ones(n, bool), A.any(axis=1), None)
    pn = PromptNeighbours(ctx)
    rng = np.random.default_rng(2)
    asked = [rng.choice(n, size=int(rng.integers(1, 9000)), replace=True) for _ in range(30)]
    alone = [pn._cos("prompt", i, i, "answer") for i in asked]   # each set of rows computed by itself
    assert pn._prompt_answer is None
    for i, expected in zip(asked, alone):
        assert np.array_equal(pn.prompt_answer_cos(i), expected)  # bit for bit
    assert pn._prompt_answer is not None and len(pn._prompt_answer) == n
    exact = (P.astype(np.float64) * A.astype(np.float64)).sum(axis=1)
    assert np.abs(pn.prompt_answer_cos(np.arange(n)) - exact).max() < 1e-5
    assert (pn.prompt_answer_cos(np.arange(0, n, 7)) == 0).all()
