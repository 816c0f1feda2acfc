"""The cascade: static vectors for every record, transformer vectors only for the rows rules ask about."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from scanner.cluster.rerank import MAX_ASKED, Rerank
from scanner.cluster.stats import BundleStats, CascadeStats
from scanner.context import ScanContext
from scanner.embed.ondemand import OnDemandVectors, TextSpill, lazy_views
from scanner.embed.store import ViewRows
from scanner.records import Views

from synthetic import topical_vectors


class TableEmbedder:
    """A transformer stand-in: each text's vector is looked up in a table (text -> row); counts its calls."""

    model_id = "table-embedder"

    def __init__(self, table: dict[str, np.ndarray]):
        self.table = table
        self.calls: list[int] = []

    def embed(self, texts):
        self.calls.append(len(texts))
        rows = np.stack([self.table[t] for t in texts]).astype(np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)        # embedders give unit rows


def _texts(n: int) -> list[Views]:
    return [Views(prompt=f"question {i} ünïcode \u2603", answer=f"answer {i}" if i % 7 else "") for i in range(n)]


def _spill(tmp_path, views: list[Views]) -> TextSpill:
    spill = TextSpill(tmp_path / "texts.bin")
    for i, v in enumerate(views):
        spill.add(i, v)
    spill.finish()
    return spill


def test_text_spill_round_trips_records_in_any_order(tmp_path):
    views = _texts(50) + [Views(prompt="", answer="x" * 10_000), Views(prompt="\ud83d lone surrogate", answer="a")]
    spill = _spill(tmp_path, views)
    got = spill([51, 3, 50, 3, 0])
    assert sorted(got) == [0, 3, 50, 51]
    for i in got:
        assert (got[i].prompt, got[i].answer) == (views[i].prompt, views[i].answer)
    with pytest.raises(ValueError):
        TextSpill(tmp_path / "other.bin").add(1, views[0])   # records arrive in order
    spill.close()


def _ondemand(tmp_path, n=60, dim=16, seed=0):
    views = _texts(n)
    rng = np.random.default_rng(seed)
    table = {}
    for v in views:
        for text in (v.prompt, v.answer):
            table[text] = rng.standard_normal(dim)
    present = {"prompt": np.array([bool(v.prompt.strip()) for v in views]),
               "answer": np.array([bool(v.answer.strip()) for v in views])}
    emb = TableEmbedder(table)
    od = OnDemandVectors(emb, None, _spill(tmp_path, views), n, present, tmp_path)
    return od, emb, table, views


def test_only_the_rows_asked_for_are_embedded_once(tmp_path):
    od, emb, table, views = _ondemand(tmp_path)
    lazy = lazy_views(od)
    a = lazy["answer"][np.array([5, 1, 5])]
    assert a.shape == (3, 16)
    want = table[views[5].answer] / np.linalg.norm(table[views[5].answer])
    assert np.allclose(a[0], want, atol=1e-3) and np.allclose(a[0], a[2])
    assert emb.calls == [2]                               # rows 1 and 5, one pass
    lazy["answer"][[1, 5]]
    assert emb.calls == [2]                               # nothing new
    j = lazy["joint"][np.array([5, 7])]                   # row 7 has no answer: joint is its prompt
    assert emb.calls == [2, 2]                            # prompts 5 and 7 (answer 5 known, 7 absent)
    p7 = table[views[7].prompt] / np.linalg.norm(table[views[7].prompt])
    assert np.allclose(j[1], p7, atol=1e-3)
    assert np.allclose(np.linalg.norm(j, axis=1), 1.0, atol=1e-3)
    assert od.count() == 4 and od.requests == 2
    assert not lazy["answer"][np.array([7])].any()       # an absent view is a zero row
    mask = np.zeros(60, dtype=bool)
    mask[[1, 5]] = True
    assert np.array_equal(lazy["answer"][mask], lazy["answer"][[1, 5]])


def test_whole_dataset_access_is_refused_with_a_pointer_to_discovery(tmp_path):
    od, *_ = _ondemand(tmp_path)
    lazy = lazy_views(od)
    with pytest.raises(TypeError, match="ctx.discovery"):
        lazy["answer"][0:10]
    with pytest.raises(TypeError, match="ctx.discovery"):
        lazy["joint"].matvec(np.zeros(16))


def _cascade_ctx(tmp_path, static_p, static_a, sem_p, sem_a):
    """A cascade context whose transformer is a table over given semantic vectors."""
    n = len(static_p)
    views = [Views(prompt=f"p{i}", answer=f"a{i}") for i in range(n)]
    table = {f"p{i}": sem_p[i].astype(np.float32) for i in range(n)} | \
            {f"a{i}": sem_a[i].astype(np.float32) for i in range(n)}
    ones = np.ones(n, dtype=bool)
    emb = TableEmbedder(table)
    od = OnDemandVectors(emb, None, _spill(tmp_path, views), n, {"prompt": ones, "answer": ones}, tmp_path)
    ctx = ScanContext.build([f"h{i}" for i in range(n)], static_p, static_a, ones, ones, None, ondemand=od)
    return ctx, od, emb


def test_same_spaces_give_the_exact_statistics(tmp_path):
    """When the static and transformer spaces agree, re-ranked purity, coherence and gaps equal the full
    computation, while only the rows under test and their candidates are embedded."""
    labels = [i % 40 for i in range(800)] + [40] * 30
    P, A = topical_vectors(labels, dim=32, spread=0.9, seed=3)
    ctx, od, emb = _cascade_ctx(tmp_path, P, A, P, A)
    full = ScanContext.build([f"h{i}" for i in range(len(labels))], P, A, *(np.ones(len(labels), bool),) * 2, None)
    bundle = np.arange(800, 830)
    loose = np.arange(0, 800, 40)[:20]                    # one record of each of 20 topics
    for view in ("answer", "joint"):
        for members in (bundle, loose):
            assert ctx.stats.purity(view, members) == pytest.approx(full.stats.purity(view, members), abs=1e-6)
            assert ctx.stats.coherence(view, members) == pytest.approx(full.stats.coherence(view, members), abs=1e-3)
            assert ctx.stats.gap(view, members) == pytest.approx(full.stats.gap(view, members), abs=2e-3)
    assert isinstance(ctx.stats, CascadeStats) and type(full.stats) is BundleStats
    assert 0 < od.count() < 2 * len(labels)               # never the whole dataset
    assert ctx.discovery_stats.purity("joint", bundle) == pytest.approx(full.stats.purity("joint", bundle), abs=1e-6)


def test_verdict_statistics_follow_the_transformer_not_the_static_space(tmp_path):
    """A set that is scattered in the static space but tight in the transformer's: the discovery statistics
    see no bundle, the cascade's verdict statistics see what the transformer sees."""
    n = 600
    rng = np.random.default_rng(0)
    static = rng.standard_normal((n, 24))
    semantic = rng.standard_normal((n, 24))
    members = np.arange(0, n, 12)[:40]
    semantic[members] = rng.standard_normal(24) * 4 + 0.3 * rng.standard_normal((len(members), 24))
    S = (static / np.linalg.norm(static, axis=1, keepdims=True)).astype(np.float16)
    T = (semantic / np.linalg.norm(semantic, axis=1, keepdims=True)).astype(np.float16)
    ctx, od, _ = _cascade_ctx(tmp_path, S, S, T, T)
    assert ctx.discovery_stats.lift("answer", members) < 0.1
    assert ctx.stats.lift("answer", members) > 0.9
    assert ctx.stats.coherence("answer", members) > 0.9
    truth = BundleStats(n, {"answer": ViewRows([T])}, {"answer": np.ones(n, bool)},
                        lambda view, rows: _exact_neighbours(T, rows, 15))
    assert ctx.stats.lift("answer", members) == pytest.approx(truth.lift("answer", members), abs=0.05)


def _exact_neighbours(X, rows, k):
    X = X.astype(np.float32)
    S = X[rows] @ X.T
    S[np.arange(len(rows)), rows] = -np.inf
    return np.argsort(-S, axis=1)[:, :k]


def test_rerank_ranks_by_the_transformer_among_static_candidates():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 8)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    pool = lambda view, rows: np.tile(np.arange(50), (len(rows), 1))      # every record is a candidate
    r = Rerank(pool, {"answer": ViewRows([X])}, {"answer": np.ones(50, bool)}, k=5)
    rows = np.array([0, 7, 49])
    assert np.array_equal(r.neighbours("answer", rows), _exact_neighbours(X, rows, 5))
    assert r.neighbours("answer", np.zeros(0, dtype=np.int64)).shape == (0, 5)


def test_large_sets_are_judged_on_a_bounded_sample(tmp_path):
    labels = [0] * 400 + [i % 30 + 1 for i in range(600)]
    P, A = topical_vectors(labels, dim=32, spread=0.5, seed=5)
    ctx, od, emb = _cascade_ctx(tmp_path, P, A, P, A)
    ctx.stats.purity("answer", np.arange(400))
    asked_and_pools = od.count()
    assert asked_and_pools <= MAX_ASKED * 31 + 256
    assert ctx.stats.purity("answer", np.arange(400)) > 0.9


def test_spilled_texts_match_what_the_cache_keys_expect(tmp_path):
    """The cascade embeds exactly the text the accurate path embeds for a view (same cache key)."""
    from scanner.embed.cache import text_key

    views = [Views(prompt=" spaced prompt ", answer="answer\nwith lines")]
    spill = _spill(tmp_path, views)
    got = spill([0])[0]
    assert text_key("m", got.prompt) == text_key("m", views[0].prompt)
    assert hashlib.sha256(got.answer.encode()).hexdigest() == hashlib.sha256(views[0].answer.encode()).hexdigest()


def test_gaps_of_many_sets_share_passes_and_equal_one_at_a_time(tmp_path, monkeypatch):
    """The cascade's gaps of many sets come from shared passes over the static vectors (a block of rows at a
    time, several sets per pass): each equals the gap of that set computed alone."""
    import scanner.cluster.stats as stats

    labels = [i % 25 for i in range(700)] + [25] * 30
    P, A = topical_vectors(labels, dim=32, spread=0.8, seed=7)
    rng = np.random.default_rng(2)
    groups = [np.arange(700, 730), np.arange(0, 700, 27)[:20], np.sort(rng.choice(730, 12, replace=False)),
              np.arange(1, 700, 25)[:25], np.array([5, 6])]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    alone_ctx, _, _ = _cascade_ctx(tmp_path / "a", P, A, P, A)
    alone = [alone_ctx.stats.gap("joint", g) for g in groups]
    monkeypatch.setattr(stats, "CHUNK_ROWS", 100)          # several blocks of rows
    monkeypatch.setattr(stats, "SETS_PER_PASS", 2)         # several passes
    shared_ctx, _, _ = _cascade_ctx(tmp_path / "b", P, A, P, A)
    shared = shared_ctx.stats.gaps("joint", groups)
    assert np.allclose(shared, alone, atol=1e-5)
    assert shared[0] > 0.1 > shared[1]                     # the bundle stands apart, one record per topic does not


def test_expected_gaps_asked_one_at_a_time_share_passes(tmp_path, monkeypatch):
    """A budget's loop asks for gaps one set at a time; told which sets to expect, the cascade finds their
    static candidates together (one pass over the static vectors per ``SETS_PER_PASS`` sets), and each gap
    equals the set's gap computed alone."""
    import scanner.cluster.stats as stats

    labels = [i % 25 for i in range(700)] + [25] * 30
    P, A = topical_vectors(labels, dim=32, spread=0.8, seed=8)
    groups = [np.arange(700, 730)] + [np.arange(t, 700, 25) for t in range(9)]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    alone_ctx, _, _ = _cascade_ctx(tmp_path / "a", P, A, P, A)
    alone = [alone_ctx.stats.gap("joint", g) for g in groups]
    passes = []
    real = stats.closest_outside
    monkeypatch.setattr(stats, "closest_outside", lambda *a: (passes.append(len(a[2])), real(*a))[1])
    monkeypatch.setattr(stats, "SETS_PER_PASS", 4)
    ctx, _, _ = _cascade_ctx(tmp_path / "b", P, A, P, A)
    ctx.stats.expect_gaps("joint", groups[:8])
    one_by_one = [ctx.stats.gap("joint", g) for g in groups]
    assert np.allclose(one_by_one, alone, atol=1e-6)
    assert passes == [4, 4, 1, 1]                          # 8 expected sets in two passes, the 2 others alone
    assert not ctx.stats._candidates                       # nothing prepared is left behind
