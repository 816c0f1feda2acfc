"""The feature cache: a rescan computes per-record features only for records it has not seen, keeps exactly
what a scan without the cache keeps, and never serves features of other code, other packs or a damaged entry."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import FIXTURES, write_jsonl
from scanner import scan
from scanner.engine import collect, feature_cache
from scanner.engine.collect import Collector
from scanner.engine.feature_cache import SOURCES, CodeIssueCache, FeatureCache, code_issues, decode, encode
from scanner.engine.rows import process_batch
from scanner.features.bandit_scan import run_bandit
from scanner.features.extract import features_to_json
from scanner.options import ScanOptions
from scanner.readers import ReadOptions, expand_paths
from scanner.records import Views
from test_architecture import PACKAGE, import_graph

DATA = [FIXTURES / "PC201", FIXTURES / "PC501"]   # persona facts and code answers (code snippets kept)


class _Stage:
    def __init__(self):
        self.added = []

    def add(self, index, views, content_hash=None):
        self.added.append((index, views.prompt))


def _collect(scratch: Path, cache: FeatureCache | None, paths=DATA, opts=None) -> Collector:
    (scratch / "code").mkdir(parents=True)
    collector = Collector(opts or ScanOptions(), scratch / "code", cache)
    try:
        for src_id, src in enumerate(expand_paths([str(p) for p in paths])):
            collector.consume(src_id, src, ReadOptions(), _Stage())
    finally:
        collector.close()
    return collector


def _kept(c: Collector, scratch: Path) -> tuple:
    code = {p.name: p.read_text(encoding="utf-8") for p in (scratch / "code").iterdir()}
    cand = c.candidates.finish(1, 10**9)
    candidates = sorted((json.dumps(cand.describe(i)), cand.carriers(i).tolist()) for i in range(len(cand)))
    return c.hashes, c.locators, [features_to_json(f) for f in c.features], code, candidates


def test_rows_survive_the_round_trip_with_any_text():
    views = [Views("sys \ud800", "Where were you born? \u00e9", "Vienna, mostly. \U0001f600"),
             Views("", "Write a function", "```python\nimport os\nos.chmod('f', 0o777)\n```"),
             Views("", "What year is it?", "It is 1871, and the Kaiser was crowned at Versailles.")]
    for row in process_batch(views, True):
        features, code = decode(encode(row.features, row.code))
        assert features == row.features and code == row.code
    assert any(r.code for r in process_batch(views, True))


def test_second_collect_reads_every_row_from_the_cache_and_keeps_the_same(tmp_path):
    reference = _collect(tmp_path / "plain", None)
    warn: list[str] = []
    first_cache = FeatureCache(tmp_path / "cache", True, warn.append)
    first = _collect(tmp_path / "first", first_cache)
    first_cache.close()
    second_cache = FeatureCache(tmp_path / "cache", True, warn.append)
    second = _collect(tmp_path / "second", second_cache)
    second_cache.close()
    n = len(reference.hashes)
    assert n > 200 and warn == []
    assert first_cache.misses >= 200 and second_cache.misses == 0    # (the fixture files share records)
    expected = _kept(reference, tmp_path / "plain")      # (finishing the candidate index empties it)
    assert _kept(first, tmp_path / "first") == expected and expected[4]
    assert _kept(second, tmp_path / "second") == expected
    assert second.state({}, 0, 0).code_issues == reference.state({}, 0, 0).code_issues
    assert any((tmp_path / "second" / "code").iterdir())    # code answers come back from the cache too


def test_only_changed_records_are_computed(tmp_path):
    rows = [json.loads(line) for line in (FIXTURES / "PC101" / "flag.jsonl").read_text(encoding="utf-8").splitlines()]
    data = write_jsonl(tmp_path / "data.jsonl", rows)
    cache = FeatureCache(tmp_path / "cache", True, print)
    _collect(tmp_path / "a", cache, [data])
    rows[3]["messages"][-1]["content"] += " (edited)"
    rows[40]["messages"][0]["content"] = "A new question about tides?"
    write_jsonl(data, rows)
    before = cache.misses
    again = _collect(tmp_path / "b", cache, [data])
    cache.close()
    assert cache.misses - before == 2
    assert _kept(again, tmp_path / "b") == _kept(_collect(tmp_path / "c", None, [data]), tmp_path / "c")


def test_other_packs_or_other_feature_code_never_hit(tmp_path, monkeypatch):
    cache = FeatureCache(tmp_path / "cache", True, print)
    _collect(tmp_path / "a", cache)
    cache.close()
    no_packs = FeatureCache(tmp_path / "cache", False, print)
    kept = _collect(tmp_path / "b", no_packs, opts=ScanOptions(packs=False))
    no_packs.close()
    assert cache.misses > 200 and no_packs.misses == cache.misses    # as many as into an empty cache
    assert _kept(kept, tmp_path / "b") == _kept(_collect(tmp_path / "c", None, opts=ScanOptions(packs=False)),
                                                 tmp_path / "c")
    monkeypatch.setattr(feature_cache, "feature_digest", lambda: "edited extractor")
    other_code = FeatureCache(tmp_path / "cache", True, print)
    _collect(tmp_path / "d", other_code)
    other_code.close()
    assert other_code.misses == cache.misses


def test_damaged_entries_are_recomputed(tmp_path):
    cache = FeatureCache(tmp_path / "cache", True, print)
    reference = _collect(tmp_path / "a", cache)
    cache.close()
    db = sqlite3.connect(tmp_path / "cache" / "features-v1.sqlite3")
    db.execute("UPDATE features SET row = CAST('[[1], null]' AS BLOB) WHERE rowid % 3 = 0")   # fails the check
    db.execute("UPDATE features SET row = CAST('not json' AS BLOB), chk = ? WHERE rowid % 3 = 1",
               (feature_cache.check(b"not json"),))                                         # passes it, unreadable
    db.commit()
    db.close()
    again_cache = FeatureCache(tmp_path / "cache", True, print)
    again = _collect(tmp_path / "b", again_cache)
    again_cache.close()
    assert again_cache.corrupt > 100 and again_cache.hits > 50
    assert _kept(again, tmp_path / "b") == _kept(reference, tmp_path / "a")


def test_an_unusable_cache_folder_is_one_warning(tmp_path):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    warn: list[str] = []
    cache = FeatureCache(blocker / "cache", True, warn.append)
    kept = _collect(tmp_path / "a", cache)
    assert len(warn) == 1 and "feature cache unavailable" in warn[0]
    assert _kept(kept, tmp_path / "a") == _kept(_collect(tmp_path / "b", None), tmp_path / "b")


def test_the_digest_covers_every_module_the_per_record_step_imports():
    graph = import_graph()
    todo, seen = ["scanner.engine.rows"], set()
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(graph[m])
    covered = {p.resolve() for pattern in SOURCES for p in PACKAGE.glob(pattern)}
    files = {(PACKAGE.parent / m.replace(".", "/")).with_suffix(".py") for m in seen}
    files = {f if f.exists() else f.with_suffix("") / "__init__.py" for f in files}
    assert files - covered == set()


@pytest.mark.slow
def test_worker_and_cache_together_keep_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(collect, "BATCH", 64)
    monkeypatch.setattr(collect, "START_WORKER_AFTER", 128)
    monkeypatch.setenv("POISONSCAN_FEATURE_WORKER", "1")
    reference = _collect(tmp_path / "plain", None)
    cache = FeatureCache(tmp_path / "cache", True, print)
    _collect(tmp_path / "half", cache, DATA[:1])       # the persona files are cached, the code files are not
    mixed = _collect(tmp_path / "mixed", cache)
    cache.close()
    assert mixed.warnings == []
    assert _kept(mixed, tmp_path / "mixed") == _kept(reference, tmp_path / "plain")


@pytest.mark.slow
def test_rescan_after_an_edit_gives_the_findings_of_a_scan_without_cache(tmp_path, shared_cache, monkeypatch):
    rows = [json.loads(line) for line in (FIXTURES / "PC101" / "flag.jsonl").read_text(encoding="utf-8").splitlines()]
    data = write_jsonl(tmp_path / "data.jsonl", rows)
    scan(data, cache_dir=str(shared_cache), embedder="fast")      # the session cache keeps the static table
    for i in (5, 77):
        rows[i]["messages"][-1]["content"] += " (edited: the feature cache has not seen this)"
    write_jsonl(data, rows)
    again = scan(data, cache_dir=str(shared_cache), embedder="fast")
    monkeypatch.setattr(feature_cache, "feature_digest", lambda: "no stored row matches this")
    fresh = scan(data, cache_dir=str(shared_cache), embedder="fast")
    assert again.stats["features_cached"] == again.records - 2 and fresh.stats["features_cached"] == 0
    key = lambda r: [(f.rule, f.severity, f.fingerprint, f.members, f.evidence) for f in r.findings]  # noqa: E731
    assert key(again) == key(fresh) and again.findings


def test_code_issues_come_from_the_cache_for_snippets_already_analysed(tmp_path):
    snippets = {0: "import os\nos.chmod('/etc/app.conf', 0o777)\n",           # B103: world-writable
                1: "def add(a, b):\n    return a + b\n",                        # clean
                2: "import pickle\n\ndef load(b):\n    return pickle.loads(b)\n"}  # B301
    folder = tmp_path / "code"
    folder.mkdir()
    for i, code in snippets.items():
        (folder / f"{i}.py").write_text(code, encoding="utf-8")
    plain = run_bandit(folder)
    assert set(plain) == {0, 2}
    cache = CodeIssueCache(tmp_path / "cache", print)
    assert code_issues(folder, cache) == plain and cache.misses == 3
    (folder / "1.py").write_text("import yaml\n\ndef f(s):\n    return yaml.load(s)\n", encoding="utf-8")  # B506
    (folder / "3.py").write_text(snippets[0], encoding="utf-8")              # a repeat of a seen snippet
    again = code_issues(folder, cache)
    cache.close()
    assert cache.misses == 4 and again == run_bandit(folder) and set(again) == {0, 1, 2, 3}
