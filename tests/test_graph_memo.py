"""The neighbour memo: a search over the same vectors reads an earlier scan's IVF answers instead of building
and searching an index, and answers exactly what the search would have."""

from __future__ import annotations

import numpy as np
import pytest

import scanner.cluster.knn as knn
from scanner.cluster.graph_memo import KEEP, GraphMemo
from scanner.embed.store import ViewRows
from synthetic import clustered_unit_vectors


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(knn, "EXACT_LIMIT", 500)
    monkeypatch.setattr(knn, "EXACT_ROWS", 256)


def _no_index(monkeypatch):
    def refuse(self):
        raise AssertionError("an index was built")

    monkeypatch.setattr(knn.NeighbourSearch, "_build", refuse)


def _run(x, memo, first, present=None, k=8):
    """Ask ``first`` rows (searched exactly: no index yet), then the whole graph, as the rules do."""
    s = knn.NeighbourSearch(x, k, present, seed=3, memo=memo)
    s.query(first)
    g = s.graph()
    return s, g.sims.copy(), g.idx.copy()


def test_a_second_search_of_the_same_vectors_reads_the_memo_and_answers_as_a_search(small_limits, tmp_path,
                                                                                       monkeypatch):
    x = clustered_unit_vectors(3000, 16, 0)
    memo = GraphMemo(tmp_path)
    _run(x, memo, np.arange(0, 100))
    assert memo.saved == 1 and len(list((tmp_path / "graph-memo").glob("*.npz"))) == 1
    reference = _run(x, None, np.arange(2000, 2050))          # other rows first: others are exact
    with monkeypatch.context() as m:
        _no_index(m)
        second = _run(x, GraphMemo(tmp_path), np.arange(2000, 2050))
    assert np.array_equal(second[1], reference[1]) and np.array_equal(second[2], reference[2])
    # the rows searched exactly in the first scan are answered by the index in this one, as in a fresh search
    assert not np.array_equal(second[2][:100], _run(x, None, np.arange(0, 100))[2][:100])


def test_a_changed_row_or_setting_is_searched_again(small_limits, tmp_path):
    x = clustered_unit_vectors(3000, 16, 1)
    memo = GraphMemo(tmp_path)
    _run(x, memo, np.arange(10))
    y = x.copy()
    y[7] = y[8]
    for other in (dict(x=y), dict(k=9), dict(present=np.arange(3000) != 5)):
        again = GraphMemo(tmp_path)
        args = {"x": x, "present": None, "k": 8, **other}
        s, sims, idx = _run(args["x"], again, np.arange(10), args["present"], args["k"])
        assert again.reused == 0 and s.index is None and again.saved == 1   # searched, then kept
        fresh = _run(args["x"], None, np.arange(10), args["present"], args["k"])
        assert np.array_equal(idx, fresh[2]) and np.array_equal(sims, fresh[1])
    assert len(list((tmp_path / "graph-memo").glob("*.npz"))) == KEEP


def test_the_joint_view_is_keyed_by_both_parts(small_limits, tmp_path, monkeypatch):
    p, a = clustered_unit_vectors(2000, 16, 2), clustered_unit_vectors(2000, 16, 3)
    _run(ViewRows([p, a]), GraphMemo(tmp_path), np.arange(5))
    edited = a.copy()
    edited[11] = a[12]
    changed = GraphMemo(tmp_path)
    _run(ViewRows([p, edited]), changed, np.arange(5))
    assert changed.reused == 0
    same = GraphMemo(tmp_path)
    with monkeypatch.context() as m:
        _no_index(m)
        _run(ViewRows([p, a]), same, np.arange(5))
    assert same.reused == 1


def test_list_by_list_and_exact_searches_keep_no_memo(tmp_path, monkeypatch):
    x = clustered_unit_vectors(1200, 16, 4)
    memo = GraphMemo(tmp_path)
    knn.NeighbourSearch(x, 8, memo=memo).graph()                 # exact: cheap, and not an IVF answer
    monkeypatch.setattr(knn, "EXACT_LIMIT", 500)
    monkeypatch.setattr(knn, "LIST_SCAN_MIN", 1000)
    knn.NeighbourSearch(x, 8, memo=memo, by_list=True).graph()   # a row's answer depends on its call's size
    assert memo.saved == 0 and not (tmp_path / "graph-memo").exists()


def test_a_damaged_memo_is_searched_again_with_a_warning(small_limits, tmp_path):
    x = clustered_unit_vectors(2000, 16, 5)
    _run(x, GraphMemo(tmp_path), np.arange(3))
    (path,) = (tmp_path / "graph-memo").glob("*.npz")
    with np.load(path) as z:
        sims, idx, centroids = z["sims"], z["idx"], z["centroids"]
    fresh = _run(x, None, np.arange(3))
    for damage in (b"not a zip file", None):
        if damage is None:     # well formed, a neighbour out of range
            idx = idx.copy()
            idx[0, 0] = 10 ** 6
            with open(path, "wb") as fh:
                np.savez(fh, sims=sims, idx=idx, centroids=centroids)
        else:
            path.write_bytes(damage)
        warnings: list[str] = []
        memo = GraphMemo(tmp_path, warnings.append)
        s, got_sims, got_idx = _run(x, memo, np.arange(3))
        assert memo.reused == 0 and len(warnings) == 1 and "not used" in warnings[0]
        assert np.array_equal(got_idx, fresh[2]) and np.array_equal(got_sims, fresh[1])


def test_an_index_built_from_stored_centroids_is_the_trained_index(small_limits):
    import faiss

    x = clustered_unit_vectors(3000, 16, 7)
    ids = np.arange(3000)
    trained, _ = knn._index(x, ids, 3)
    copy, _ = knn._index(x, ids, 3, centroids=trained.quantizer.reconstruct_n(0, trained.nlist))
    for j in range(trained.nlist):
        size = trained.invlists.list_size(j)
        assert copy.invlists.list_size(j) == size
        for get, width in ((lambda lists: lists.get_codes(j), trained.code_size), (lambda lists: lists.get_ids(j), 1)):
            a = faiss.rev_swig_ptr(get(trained.invlists), size * width)
            b = faiss.rev_swig_ptr(get(copy.invlists), size * width)
            assert np.array_equal(np.asarray(a), np.asarray(b))
    q = x[:500].astype(np.float32)
    assert all(np.array_equal(a, b) for a, b in zip(trained.search(q, 9), copy.search(q, 9)))


def test_after_a_memo_a_rule_that_needs_the_index_gets_it_untrained_with_the_same_answers(small_limits, tmp_path,
                                                                                          monkeypatch):
    x = clustered_unit_vectors(3000, 16, 8)
    _run(x, GraphMemo(tmp_path), np.arange(4))
    allowed = np.arange(3000) % 3 == 0
    rows = np.arange(1, 3000, 37)
    fresh = knn.NeighbourSearch(x, 8, seed=3)
    fresh.graph(keep_index=True)
    expected = fresh.nearest_allowed(rows, allowed)
    built = []
    real = knn._index
    monkeypatch.setattr(knn, "_index", lambda *a, **kw: built.append(kw.get("centroids")) or real(*a, **kw))
    s = knn.NeighbourSearch(x, 8, seed=3, memo=GraphMemo(tmp_path))
    s.graph(keep_index=True)
    assert s.index is None and built == []                    # the answers came from the memo
    import faiss

    def no_training(*a, **kw):
        raise AssertionError("trained again")

    monkeypatch.setattr(faiss.IndexIVFScalarQuantizer, "train", no_training)
    got = s.nearest_allowed(rows, allowed)
    assert len(built) == 1 and built[0] is not None            # built from the stored centroids, not trained
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])


def test_the_scan_context_gives_its_memo_to_every_view(tmp_path):
    from scanner.context import ScanContext

    x = clustered_unit_vectors(50, 8, 6)
    memo = GraphMemo(tmp_path)
    ctx = ScanContext.build(["h"] * 50, x, x, np.ones(50, bool), np.ones(50, bool), None, graph_memo=memo)
    assert all(ctx.searcher(v).memo is memo for v in ("prompt", "answer", "joint"))


@pytest.mark.slow
def test_a_rescan_reads_the_graphs_and_reports_what_a_scan_without_them_reports(shared_cache, tmp_path, monkeypatch):
    """With the IVF limit lowered so the demo's 400 records are searched by index: the first scan searches (no
    memo of these vectors yet), the second reads both complete graphs (prompt and joint) from the memo, and
    every finding is the same to the last digit."""
    from scanner.engine.local import run_scan
    from scanner.options import ScanOptions

    from conftest import ROOT

    monkeypatch.setattr(knn, "EXACT_LIMIT", 100)
    monkeypatch.setattr(knn, "EXACT_ROWS", 64)
    demo = str(ROOT / "examples" / "demo.jsonl")

    def scan():
        r = run_scan([demo], ScanOptions(cache_dir=str(shared_cache)))
        return r, [(f.fingerprint, f.severity, f.score, f.members, f.message) for f in r.findings]

    first, found = scan()
    again, found_again = scan()
    assert first.stats["graphs_carried"] == 0 and again.stats["graphs_carried"] == 2
    assert found_again == found and any(s in ("medium", "high") for _, s, *_ in found)
