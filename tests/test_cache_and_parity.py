import json
import pytest
import sqlite3

import pyarrow as pa
import pyarrow.parquet as pq

from conftest import FIXTURES, run_cli, scan_json
from scanner import scan

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files


def test_warm_rescan_embeds_nothing_and_gives_the_same_findings(tmp_path):
    path = FIXTURES / "PC101" / "flag.jsonl"
    cold = scan(path, cache_dir=str(tmp_path))
    warm = scan(path, cache_dir=str(tmp_path))
    assert cold.stats["embedded_texts"] > 300
    assert warm.stats["embedded_texts"] == 0 and warm.stats["cached_texts"] == 350
    key = lambda r: [(f.rule, f.severity, f.fingerprint, f.members) for f in r.findings]  # noqa: E731
    assert key(cold) == key(warm)


def test_corrupted_cache_entries_are_recomputed(tmp_path):
    path = FIXTURES / "PC102" / "flag.jsonl"
    first = scan(path, cache_dir=str(tmp_path))
    db = sqlite3.connect(tmp_path / "embeddings-v1.sqlite3")
    db.execute("UPDATE vectors SET vec = zeroblob(length(vec)) WHERE rowid % 2 = 0")
    db.commit()
    db.close()
    again = scan(path, cache_dir=str(tmp_path))
    assert again.stats["embedded_texts"] > 100
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in first.findings]


def test_unwritable_cache_does_not_fail_the_scan(tmp_path, shared_cache):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    proc = run_cli("scan", FIXTURES / "PC101" / "flag.jsonl", "--cache-dir", blocker / "cache")
    assert proc.returncode == 1
    assert "embedding cache unavailable" in proc.stderr
    assert proc.stderr.count("unavailable") == 1          # one folder, one warning (not one per cache in it)
    assert "PC101" in proc.stdout


def test_no_cache_flag(tmp_path):
    proc = run_cli("scan", FIXTURES / "malformed" / "bom.jsonl", "--no-cache", "--cache-dir", tmp_path / "c")
    assert proc.returncode == 0
    assert not (tmp_path / "c").exists()


def test_parquet_gives_the_same_findings_with_rows(tmp_path, shared_cache):
    src = FIXTURES / "PC101" / "flag.jsonl"
    rows = [json.loads(line) for line in src.read_text().splitlines()]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "flag.parquet", row_group_size=50)
    _, from_jsonl = scan_json(src, shared_cache)
    _, from_parquet = scan_json(tmp_path / "flag.parquet", shared_cache)
    strip = lambda r: [(f["rule"], f["severity"], f["fingerprint"]) for f in r["findings"]]  # noqa: E731
    assert strip(from_jsonl) == strip(from_parquet)
    lines = [r["line"] for r in from_jsonl["findings"][0]["records"]]
    prows = [r["row"] for r in from_parquet["findings"][0]["records"]]
    assert prows == [line - 1 for line in lines]


def test_rescan_after_a_small_change_embeds_only_the_changed_texts(tmp_path, shared_cache):
    rows = [json.loads(line) for line in (FIXTURES / "PC101" / "flag.jsonl").read_text(encoding="utf-8").splitlines()]
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first = scan(data, cache_dir=str(shared_cache))
    for i in (5, 77):                            # edit two answers (about 1% of the records)
        rows[i]["messages"][-1]["content"] += " (edited)"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    again = scan(data, cache_dir=str(shared_cache))
    assert again.stats["embedded_texts"] == 2
    assert again.stats["cached_texts"] == first.stats["embedded_texts"] + first.stats["cached_texts"] - 2
    assert [f.rule for f in again.findings][:1] == [f.rule for f in first.findings][:1]
