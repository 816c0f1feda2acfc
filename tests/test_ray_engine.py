"""The Ray Data engine on a real local Ray (started here): the same findings as the local engine."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import FIXTURES, ROOT, run_cli
from scanner.engine.local import run_scan
from scanner.options import ScanOptions
from scanner.report import render

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files

ray = pytest.importorskip("ray", reason="the ray extra is not installed: pip install -e '.[ray]'")


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             _temp_dir=str(tmp_path_factory.mktemp("ray")))
    yield
    ray.shutdown()


def _report(result) -> dict:
    data = json.loads(render(result, "json", "medium"))
    data.pop("tool", None)
    return data


@pytest.mark.parametrize("embedder", ["fast", "accurate", "cascade"])   # cascade: texts re-read from the files
def test_ray_engine_gives_the_local_findings(local_ray, tmp_path, shared_cache, embedder):
    from scanner.engine.ray_engine import run_scan_ray

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "PC302" / "flag.jsonl", data / "a.jsonl")        # keyed prefixes
    shutil.copy(FIXTURES / "PC101" / "flag.jsonl", data / "b.jsonl")        # a shared trigger
    shutil.copy(FIXTURES / "malformed" / "bad_json_line.jsonl", data / "c.jsonl")  # skips, located
    opts = ScanOptions(embedder=embedder, cache_dir=str(shared_cache))
    local = run_scan([str(data)], opts)
    distributed = run_scan_ray([str(data)], opts)
    assert local.findings and local.skipped_count > 0
    assert _report(distributed) == _report(local)   # findings, members, evidence, skips: identical


def test_ray_engine_reads_parquet_rows(local_ray, tmp_path, shared_cache):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from scanner.engine.ray_engine import run_scan_ray

    rows = [json.loads(x) for x in (FIXTURES / "PC101" / "flag.jsonl").read_text(encoding="utf-8").splitlines()]
    path = tmp_path / "flag.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=100)
    opts = ScanOptions(embedder="fast", cache_dir=str(shared_cache))
    local, distributed = run_scan([str(path)], opts), run_scan_ray([str(path)], opts)
    assert _report(distributed) == _report(local)
    top = distributed.findings[0]
    assert top.rule == "PC101" and all(distributed.locators[i].row is not None for i in top.members)


def test_cli_engine_ray_starts_its_own_local_ray(tmp_path, shared_cache):
    proc = run_cli("scan", ROOT / "examples" / "demo.jsonl", "--engine", "ray", "--embedder", "fast",
                   "--format", "json", "--cache-dir", shared_cache)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["findings"][0]["rule"] == "PC101" and report["findings"][0]["severity"] == "high"


def test_ray_engine_counts_embedded_and_cached_texts_like_the_local_engine(local_ray, tmp_path):
    """Each row carries its own counts (no totals smuggled into one row): cold and warm, Ray agrees with local."""
    from scanner.engine.ray_engine import run_scan_ray

    data = str(FIXTURES / "PC101" / "flag.jsonl")
    counts = []
    for engine in (run_scan, run_scan_ray):
        opts = ScanOptions(cache_dir=str(tmp_path / engine.__name__))
        cold, warm = engine([data], opts), engine([data], opts)
        counts.append([(r.stats["embedded_texts"], r.stats["cached_texts"]) for r in (cold, warm)])
    (local_cold, local_warm), (ray_cold, ray_warm) = counts
    assert local_cold[0] > 0 and local_cold[1] == 0 and local_warm[0] == 0 and local_warm[1] > 0
    assert counts[1] == counts[0]
