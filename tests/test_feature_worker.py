"""The feature worker (a second process for per-record features): same rows as in-process, in order, and a
worker that dies costs nothing but time."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from scanner.engine import collect
from scanner.engine.collect import Collector
from scanner.engine.rows import batch_from_json, batch_to_json, process_batch
from scanner.features.extract import features_to_json
from scanner.engine.feature_worker import FRAME, FeatureWorker, _encode, serve, worker_wanted
from scanner.options import ScanOptions
from scanner.readers import ReadOptions, expand_paths, read_source
from scanner.records import Record, Views

FIXTURES = Path(__file__).parent / "fixtures"


def _views(n: int | None = None) -> list[Views]:
    out = [it.views for src in expand_paths([str(FIXTURES / "PC201"), str(FIXTURES / "PC101")])
           for it in read_source(src, ReadOptions()) if isinstance(it, Record)]
    out.append(Views("sys \ud800", "Where were you born? \u00e9", "Vienna, mostly. \U0001f600"))
    return out[:n] if n else out


def _rows(processed) -> list[dict]:
    return [p.to_row() for p in processed]


def test_serve_answers_frames_with_the_rows_of_process_batch():
    views = _views(120)
    data = _encode(views)
    stdin = io.BytesIO(FRAME.pack(len(data)) + data + FRAME.pack(0))
    stdout = io.BytesIO()
    serve(True, stdin, stdout)
    raw = stdout.getvalue()
    size = FRAME.unpack(raw[:FRAME.size])[0]
    assert _rows(batch_from_json(raw[FRAME.size:FRAME.size + size])) == _rows(process_batch(views, True))


def test_batch_rows_round_trip_and_refuse_other_shapes():
    rows = process_batch(_views(60), True)
    back = batch_from_json(batch_to_json(rows))
    assert _rows(back) == _rows(rows)
    assert [type(p.features.era_terms) for p in back] == [tuple] * len(rows)
    for bad in (b"[[[1, 2], {}, \"\"]]", b"[[[], [], \"\"]]", b"{}"):
        with pytest.raises((ValueError, TypeError, KeyError)):
            batch_from_json(bad)


@pytest.mark.slow
def test_worker_process_returns_batches_in_order():
    views = _views()
    batches = [views[:100], views[100:250], views[250:]]
    worker = FeatureWorker(packs=False)
    try:
        assert worker.failed is None
        for b in batches:
            worker.submit(b)
        got = [_rows(worker.result()) for _ in batches]
    finally:
        worker.close()
    assert got == [_rows(process_batch(b, False)) for b in batches]
    assert worker.proc is None


@pytest.mark.slow
def test_a_dead_worker_falls_back_to_this_process():
    views = _views(200)
    worker = FeatureWorker(packs=True)
    worker.proc.kill()
    worker.proc.wait()
    worker.submit(views)
    assert _rows(worker.result()) == _rows(process_batch(views, True))
    assert worker.failed and "computed in this process" in worker.failed


class _Stage:
    def __init__(self):
        self.added = []

    def add(self, index, views, content_hash=None):
        self.added.append((index, views.prompt))


def _collect(tmp_path: Path, name: str, use_worker: bool, monkeypatch) -> tuple[Collector, _Stage]:
    monkeypatch.setattr(collect, "BATCH", 64)
    monkeypatch.setattr(collect, "START_WORKER_AFTER", 128)
    monkeypatch.setenv("POISONSCAN_FEATURE_WORKER", "1" if use_worker else "0")
    scratch = tmp_path / name
    scratch.mkdir()
    (scratch / "code").mkdir()
    collector, stage = Collector(ScanOptions(), scratch / "code"), _Stage()
    try:
        for src_id, src in enumerate(expand_paths([str(FIXTURES / "PC201"), str(FIXTURES / "PC501")])):
            collector.consume(src_id, src, ReadOptions(), stage)
        started = collector._worker is not None
    finally:
        collector.close()
    assert started == use_worker
    return collector, stage


@pytest.mark.slow
def test_collector_with_worker_keeps_what_it_keeps_without(tmp_path, monkeypatch):
    with_worker, stage_a = _collect(tmp_path, "a", True, monkeypatch)
    alone, stage_b = _collect(tmp_path, "b", False, monkeypatch)
    assert len(alone.hashes) > 256
    assert stage_a.added == stage_b.added
    assert with_worker.hashes == alone.hashes and with_worker.locators == alone.locators
    assert [features_to_json(f) for f in with_worker.features] == \
        [features_to_json(f) for f in alone.features]
    assert sorted(p.name for p in (tmp_path / "a" / "code").iterdir()) == \
        sorted(p.name for p in (tmp_path / "b" / "code").iterdir())
    assert with_worker.warnings == []


@pytest.mark.slow
@pytest.mark.parametrize("depth", [0, 1000])
def test_batches_are_shared_by_the_worker_backlog(tmp_path, monkeypatch, depth):
    """A batch goes to the worker only while its backlog is under WORKER_DEPTH, else it is computed here:
    with no room everything after the start stays here, with endless room all of it goes to the worker;
    the rows are the same either way."""
    monkeypatch.setattr(collect, "WORKER_DEPTH", depth)
    shared, _ = _collect(tmp_path, "shared", True, monkeypatch)
    alone, _ = _collect(tmp_path, "alone", False, monkeypatch)
    assert shared._done_here == (len(alone.hashes) if depth == 0 else 128)
    assert [features_to_json(f) for f in shared.features] == [features_to_json(f) for f in alone.features]


def test_the_worker_is_on_by_default_with_two_cores(monkeypatch):
    monkeypatch.delenv("POISONSCAN_FEATURE_WORKER", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert worker_wanted()
    monkeypatch.setenv("POISONSCAN_FEATURE_WORKER", "0")
    assert not worker_wanted()
    monkeypatch.delenv("POISONSCAN_FEATURE_WORKER")
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert not worker_wanted()
