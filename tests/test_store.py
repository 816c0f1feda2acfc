"""Compact vector storage: float16 rows on disk, float32 on access, joint view computed on demand."""

from __future__ import annotations

import numpy as np

from scanner.cluster.knn import knn_graph
from scanner.embed.store import RowFile, ViewRows


def test_row_file_keeps_order_and_fills_absent_rows(tmp_path):
    f = RowFile(tmp_path / "v.f16")
    f.append(None, 3)                                   # width not known yet
    block = np.arange(8, dtype=np.float32).reshape(2, 4)
    f.append(block, 2)
    m = f.finish(7, default_dim=4)
    assert m.shape == (7, 4) and m.dtype == np.float16
    assert not np.asarray(m[:3]).any() and np.array_equal(np.asarray(m[3:5], dtype=np.float32), block)
    assert not np.asarray(m[5:]).any()
    assert isinstance(m, np.memmap)


def test_view_rows_joint_is_the_normalised_sum(tmp_path):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(50, 8)).astype(np.float16)
    b = rng.normal(size=(50, 8)).astype(np.float16)
    joint = ViewRows([a, b])
    expect = a.astype(np.float32) + b.astype(np.float32)
    expect /= np.linalg.norm(expect, axis=1, keepdims=True)
    assert np.allclose(joint[np.arange(50)], expect, atol=1e-6)
    c = rng.normal(size=8).astype(np.float32)
    assert np.allclose(joint.matvec(c), expect @ c, atol=1e-5)


def test_knn_reads_view_rows_like_an_array():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 16)).astype(np.float16)
    x /= np.linalg.norm(x.astype(np.float32), axis=1, keepdims=True).astype(np.float16)
    g1 = knn_graph(ViewRows([x]), 5)
    g2 = knn_graph(x.astype(np.float32), 5)
    assert np.array_equal(g1.idx, g2.idx)


def test_batched_gaps_equal_exact_gaps(monkeypatch):
    import scanner.cluster.stats as stats
    from scanner.context import ScanContext

    rng = np.random.default_rng(0)
    n, d = 3000, 32
    p = rng.normal(size=(n, d)).astype(np.float16)
    a = rng.normal(size=(n, d)).astype(np.float16)
    present_answer = np.ones(n, dtype=bool)
    present_answer[::7] = False
    def build():
        return ScanContext.build([str(i) for i in range(n)], p, a, np.ones(n, dtype=bool), present_answer, {})

    ctx = build()
    groups = [rng.choice(n, size=s, replace=False) for s in (15, 40, 200)]
    exact = [ctx.stats.gap("joint", g) for g in groups] + [ctx.stats.gap("answer", groups[0])]
    monkeypatch.setattr(stats, "BATCH_GAPS_ABOVE", 0)
    monkeypatch.setattr(stats, "CHUNK_ROWS", 700)   # several chunks
    ctx = build()                                    # a fresh state: nothing remembered from the exact pass
    batched = ctx.stats.gaps("joint", groups) + ctx.stats.gaps("answer", groups[:1])
    assert np.allclose(exact, batched, atol=1e-6) and all(g < 0 for g in exact)
    monkeypatch.setattr(stats, "SETS_PER_PASS", 2)  # three sets: two passes, the second with one set
    ctx = build()
    passes = ctx.stats.gaps("joint", groups) + ctx.stats.gaps("answer", groups[:1])
    assert np.allclose(exact, passes, atol=1e-6)
