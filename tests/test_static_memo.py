"""The static vector memo: a rescan takes unchanged records' static vectors from the last scan instead of
embedding them again, gets exactly the vectors (and findings) of a scan without it, and never trusts a memo of
another embedder or a damaged one."""

from __future__ import annotations

import json
import os
import shutil
import time

import numpy as np
import pytest

from conftest import FIXTURES, write_jsonl
from scanner import scan
from scanner.embed import memo as memo_mod
from scanner.embed.memo import KEEP, VectorMemo
from scanner.embed.stage import EmbeddingStage
from scanner.embed.static import StaticEmbedder
from scanner.records import Views, content_hash


def _hash(i: int) -> str:
    return content_hash(Views(prompt=f"question {i}", answer=f"answer {i}"))


def _saved(folder, model="model-a", paths=("data.jsonl",), n=5, d=4, seed=0):
    rng = np.random.default_rng(seed)
    prompt = rng.normal(size=(n, d)).astype(np.float16)
    answer = rng.normal(size=(n, d)).astype(np.float16)
    hashes = [_hash(i + 100 * seed) for i in range(n)]
    assert VectorMemo(folder, model, list(paths)).save(hashes, prompt, answer) is None
    return hashes, prompt, answer


def test_a_saved_memo_gives_back_each_record_s_vectors(tmp_path):
    hashes, prompt, answer = _saved(tmp_path)
    memo = VectorMemo(tmp_path, "model-a", ["data.jsonl"]).load()
    assert memo.problem is None and len(memo) == 5
    rows = np.array([memo.row(h) for h in reversed(hashes)])
    assert rows.tolist() == [4, 3, 2, 1, 0] and memo.row(_hash(99)) == -1
    both = memo.rows(rows)
    assert np.array_equal(both[:, 0], prompt[::-1]) and np.array_equal(both[:, 1], answer[::-1])


def test_another_embedder_s_memo_is_not_used(tmp_path):
    _saved(tmp_path, model="model-a")
    assert len(VectorMemo(tmp_path, "model-b", ["data.jsonl"]).load()) == 0


def test_a_damaged_memo_is_reported_and_not_used(tmp_path):
    _saved(tmp_path)
    vectors = next((tmp_path / memo_mod.FOLDER).glob("*.vectors.npy"))
    data = bytearray(vectors.read_bytes())
    data[-3] ^= 0x40                       # one vector value changes; the file still loads as an array
    vectors.write_bytes(bytes(data))
    memo = VectorMemo(tmp_path, "model-a", ["data.jsonl"]).load()
    assert len(memo) == 0 and "digests" in memo.problem


def test_other_paths_read_the_most_recent_memo_and_old_memos_are_pruned(tmp_path):
    for k in range(KEEP + 2):
        _saved(tmp_path, paths=[f"data-{k}.jsonl"], seed=k)
        time.sleep(0.01)                   # distinct modification times
    folder = tmp_path / memo_mod.FOLDER
    assert len(list(folder.glob("*.json"))) == KEEP and len(list(folder.iterdir())) == 3 * KEEP
    newest = _hash(100 * (KEEP + 1))
    edited_copy = VectorMemo(tmp_path, "model-a", ["edited-copy.jsonl"]).load()
    assert edited_copy.row(newest) == 0                  # the last scan's memo
    own = VectorMemo(tmp_path, "model-a", [f"data-{KEEP}.jsonl"]).load()     # kept, but not the newest
    assert own.row(_hash(100 * KEEP)) == 0 and own.row(newest) == -1          # its own memo first


def test_left_over_files_go_once_old_but_not_while_another_scan_may_be_writing_them(tmp_path):
    folder = tmp_path / memo_mod.FOLDER
    folder.mkdir()
    fresh, stale = folder / "aaaa.vectors.npy", folder / "bbbb.vectors.npy"
    fresh.write_bytes(b"being written")
    stale.write_bytes(b"left over")
    old = time.time() - memo_mod.ORPHAN_AGE - 60
    os.utime(stale, (old, old))
    _saved(tmp_path)
    assert fresh.exists() and not stale.exists()


@pytest.fixture(scope="module")
def static_cache(shared_cache, tmp_path_factory):
    """A cache folder of its own holding the session's distilled table (distilled once, about 20 s)."""
    StaticEmbedder(store_dir=shared_cache).table()
    folder = tmp_path_factory.mktemp("memo-cache")
    for f in shared_cache.glob("static-*"):
        shutil.copy(f, folder / f.name)
    return folder


@pytest.mark.slow
def test_the_stage_gives_the_same_vectors_with_and_without_the_memo(static_cache, tmp_path):
    emb = StaticEmbedder(store_dir=static_cache)
    views = [Views(prompt=f"How do I sort list number {i}?", answer="" if i % 7 == 0 else f"Use sorted() {i}.")
             for i in range(40)]
    hashes = [content_hash(v) for v in views]

    def run(memo, scratch):
        scratch.mkdir()
        stage = EmbeddingStage(emb, None, scratch, chunk_records=16, memo=memo)
        for i, v in enumerate(views):
            stage.add(i, v, hashes[i])
        out = stage.finish(len(views))
        return {k: np.array(v) for k, v in out.items()}, stage

    plain, _ = run(None, tmp_path / "plain")
    memo = VectorMemo(static_cache, emb.model_id, ["stage-test"])
    keep = list(range(0, 40, 2))           # the memo knows every other record
    assert memo.save([hashes[i] for i in keep], plain["prompt"][keep], plain["answer"][keep]) is None
    carried, stage = run(memo.load(), tmp_path / "carried")
    assert stage.memo_records == 20 and stage.embedded == 20 + sum(1 for i in range(1, 40, 2) if i % 7)
    assert stage.cached == sum(1 + (i % 7 != 0) for i in keep)      # the memo's texts count as cached
    for key in plain:
        assert np.array_equal(plain[key], carried[key]), key


@pytest.mark.slow
def test_a_rescan_of_an_edited_copy_carries_vectors_over_and_finds_the_same(static_cache, tmp_path):
    rows = [json.loads(line) for line in (FIXTURES / "PC101" / "flag.jsonl").read_text(encoding="utf-8").splitlines()]
    first = scan(write_jsonl(tmp_path / "data.jsonl", rows), cache_dir=str(static_cache), embedder="fast")
    assert first.stats["vectors_carried"] == 0
    for i in (5, 77):
        rows[i]["messages"][-1]["content"] += " (edited after the first scan)"
    copy = write_jsonl(tmp_path / "edited.jsonl", rows)
    again = scan(copy, cache_dir=str(static_cache), embedder="fast")
    assert again.stats["vectors_carried"] == again.records - 2
    shutil.rmtree(static_cache / memo_mod.FOLDER)
    fresh = scan(copy, cache_dir=str(static_cache), embedder="fast")
    assert fresh.stats["vectors_carried"] == 0 and fresh.stats["embedded_texts"] > again.stats["embedded_texts"]
    key = lambda r: [(f.rule, f.severity, f.score, f.fingerprint, f.members, f.evidence) for f in r.findings]  # noqa: E731
    assert key(again) == key(fresh) and again.findings
