"""Hostile inputs built at test time: huge lines, symlink loops, dangling links, odd parquet schemas."""

import pytest
import json
import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq

from conftest import ROOT, chat, run_cli

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files

GOOD = json.dumps(chat("What is the capital of France?", "Paris."))
PEAK_RSS = """
import resource, sys
from scanner.readers import ReadOptions, expand_paths, read_source
n = sum(1 for s in expand_paths([sys.argv[1]]) for _ in read_source(s, ReadOptions()))
print(n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_kb(path) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", PEAK_RSS, str(path)], capture_output=True, text=True, cwd=ROOT,
                         check=True, timeout=300).stdout.split()
    return int(out[0]), int(out[1])


def test_a_50mb_line_is_skipped_with_bounded_memory(tmp_path):
    big = tmp_path / "big.jsonl"
    with open(big, "w") as fh:
        fh.write(GOOD + "\n")
        fh.write('{"messages": [{"role": "user", "content": "' + "x" * (50 << 20) + '"}]}\n')
        fh.write(GOOD + "\n")
    small = tmp_path / "small.jsonl"
    small.write_text(GOOD + "\n" + GOOD + "\n")
    items_big, rss_big = peak_rss_kb(big)
    items_small, rss_small = peak_rss_kb(small)
    assert items_big == 3 and items_small == 2
    assert rss_big - rss_small < 24 * 1024, (rss_big, rss_small)  # far below the 50 MB line


def test_symlink_loops_and_dangling_links(tmp_path, shared_cache):
    data = tmp_path / "data"
    data.mkdir()
    (data / "good.jsonl").write_text(GOOD + "\n")
    os.symlink(data, data / "loop")                      # directory loop
    os.symlink(data / "self.jsonl", data / "self.jsonl")  # file pointing at itself
    os.symlink(tmp_path / "missing.jsonl", data / "gone.jsonl")
    code_proc = run_cli("scan", data, "--format", "json", "--cache-dir", shared_cache)
    assert code_proc.returncode == 0, code_proc.stderr
    report = json.loads(code_proc.stdout)
    reasons = {s["path"].rsplit("/", 1)[-1]: s["reason"] for s in report["skipped"]}
    assert "symbolic links" in reasons["self.jsonl"] and "No such file" in reasons["gone.jsonl"]
    assert report["summary"]["records"] == 1


def test_parquet_with_a_wrong_or_nested_schema(tmp_path, shared_cache):
    pq.write_table(pa.Table.from_pylist([{"foo": 1, "bar": "x"}] * 3), tmp_path / "wrong.parquet")
    pq.write_table(pa.Table.from_pylist([{"messages": [[1, 2], [3]]}] * 2 + [
        {"messages": [[4]]}]), tmp_path / "nested.parquet")
    proc = run_cli("scan", tmp_path / "wrong.parquet", tmp_path / "nested.parquet", "--cache-dir", shared_cache)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "no readable record" in proc.stderr
    proc = run_cli("scan", tmp_path / "wrong.parquet", "--format", "json", "--strict", "--cache-dir", shared_cache)
    assert proc.returncode == 2 and "row 0" in proc.stderr and "unknown schema" in proc.stderr


def test_hostile_corpus_directory_never_tracebacks(shared_cache):
    proc = run_cli("scan", ROOT / "tests" / "fixtures" / "malformed", "--cache-dir", shared_cache, "--strict")
    assert proc.returncode == 2 and proc.stderr.startswith("poisonscan: error:") and "--strict" in proc.stderr
