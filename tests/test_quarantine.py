import hashlib
import pytest
import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq

from conftest import FIXTURES, run_cli

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scan_report(path, cache, tmp_path):
    report = tmp_path / "report.json"
    proc = run_cli("scan", path, "--format", "json", "-o", report, "--cache-dir", cache)
    assert proc.returncode == 1, proc.stderr
    return report


def test_jsonl_round_trip_loses_nothing(tmp_path, shared_cache):
    src = tmp_path / "data.jsonl"
    raw = (FIXTURES / "PC101" / "flag.jsonl").read_bytes().replace(b"\n", b"\r\n", 3)  # some CRLF lines too
    src.write_bytes(raw)
    report = scan_report(src, shared_cache, tmp_path)
    proc = run_cli("filter", src, "--findings", report, "--min-severity", "medium", "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text())
    lines = raw.splitlines(keepends=True)
    removed = {r["line"] for r in manifest["removed"]}
    assert all(b"<<SUDO>>" in lines[n - 1] for n in removed) and len(removed) == 25
    clean = (out / "clean.jsonl").read_bytes().splitlines(keepends=True)
    quarantined = (out / "quarantined.jsonl").read_bytes().splitlines(keepends=True)
    assert clean == [ln for n, ln in enumerate(lines, 1) if n not in removed]
    assert quarantined == [ln for n, ln in enumerate(lines, 1) if n in removed]
    assert manifest["input"]["records"] == manifest["clean"]["records"] + manifest["quarantined"]["records"]
    for key in ("clean", "quarantined"):
        assert manifest[key]["sha256"] == sha(out / f"{key}.jsonl")
    assert manifest["input"]["sha256"] == sha(src)
    assert all(f["rule"] == "PC101" for r in manifest["removed"] for f in r["findings"])
    assert not list(out.glob(".*tmp*"))


def test_parquet_round_trip_keeps_rows_and_order(tmp_path, shared_cache):
    rows = [json.loads(x) for x in (FIXTURES / "PC101" / "flag.jsonl").read_text().splitlines()]
    for i, r in enumerate(rows):
        r["id"] = i
    src = tmp_path / "data.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src, row_group_size=40)
    report = scan_report(src, shared_cache, tmp_path)
    proc = run_cli("filter", src, "--findings", report, "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    clean = pq.read_table(tmp_path / "out" / "clean.parquet").to_pylist()
    quarantined = pq.read_table(tmp_path / "out" / "quarantined.parquet").to_pylist()
    assert len(quarantined) == 25 and len(clean) == len(rows) - 25
    assert sorted(clean + quarantined, key=lambda r: r["id"]) == rows
    assert [r["id"] for r in clean] == sorted(r["id"] for r in clean)
    assert all("<<SUDO>>" in r["messages"][0]["content"] for r in quarantined)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert {r["row"] for r in manifest["removed"]} == {r["id"] for r in quarantined}


def test_filter_never_overwrites_its_input(tmp_path, shared_cache):
    src = tmp_path / "clean.jsonl"
    shutil.copy(FIXTURES / "PC101" / "flag.jsonl", src)
    report = scan_report(src, shared_cache, tmp_path)
    before = sha(src)
    proc = run_cli("filter", src, "--findings", report, "--out", tmp_path)
    assert proc.returncode == 2 and "refusing to overwrite the input" in proc.stderr
    assert sha(src) == before


def test_filter_rejects_a_non_report(tmp_path):
    src = tmp_path / "d.jsonl"
    shutil.copy(FIXTURES / "malformed" / "bom.jsonl", src)
    (tmp_path / "r.json").write_text("{}")
    proc = run_cli("filter", src, "--findings", tmp_path / "r.json", "--out", tmp_path / "o")
    assert proc.returncode == 2 and "not a poisonscan JSON report" in proc.stderr
