"""CSV/TSV, Arrow files and Hugging Face datasets (written with the real ``datasets`` library): located records,
the same content as the JSONL they were converted from, clear refusals; the demo gives identical fingerprints
in every format (slow)."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pyarrow as pa
import pytest

from scanner.errors import InputError
from scanner.readers import ReadOptions, expand_paths, read_source
from scanner.records import Record, Skip

from conftest import ROOT, chat, run_cli, scan_json, write_jsonl

DEMO = ROOT / "examples" / "demo.jsonl"


def read_all(path, **kw) -> list:
    return [item for src in expand_paths([str(path)], **kw) for item in read_source(src, ReadOptions())]


def demo_rows(n: int | None = None) -> list[dict]:
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines()]
    return rows[:n] if n else rows


def write_csv(path: Path, header, rows, delimiter=",", opener=open):
    with opener(path, "wt", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def as_prompt_completion(rows):
    return [[r["messages"][0]["content"], r["messages"][1]["content"]] for r in rows]


def hashes(items) -> list[str]:
    return [i.content_hash for i in items if isinstance(i, Record)]


def jsonl_hashes(rows, tmp_path) -> list[str]:
    return hashes(read_all(write_jsonl(tmp_path / "ref.jsonl", rows)))


# -- CSV / TSV ------------------------------------------------------------------------------------------
def test_csv_records_start_lines_and_multiline_fields(tmp_path):
    rows = [["What is 2+2?", "4"], ["Write a poem", "Roses are red,\nviolets are blue,\n\"quoted\""],
            ["Last, one", "done"]]
    items = read_all(write_csv(tmp_path / "d.csv", ["prompt", "completion"], rows))
    assert [str(i.locator) for i in items] == [f"{tmp_path}/d.csv:2", f"{tmp_path}/d.csv:3", f"{tmp_path}/d.csv:6"]
    assert items[1].views.answer == "Roses are red,\nviolets are blue,\n\"quoted\""
    assert items[2].views.prompt == "Last, one"
    assert hashes(items) == jsonl_hashes([{"prompt": p, "completion": c} for p, c in rows], tmp_path)


def test_tsv_and_gzip_and_json_messages_column(tmp_path):
    rows = demo_rows(20)
    tsv = write_csv(tmp_path / "d.tsv.gz", ["messages"], [[json.dumps(r["messages"])] for r in rows],
                    delimiter="\t", opener=gzip.open)
    items = read_all(tsv)
    assert all(isinstance(i, Record) and i.schema == "chat" for i in items)
    assert hashes(items) == jsonl_hashes(rows, tmp_path)


def test_csv_bad_rows_are_located_skips_and_reading_goes_on(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xef\xbb\xbfprompt,completion\n"
                     b"ok,fine\n"
                     b"too,many,fields\n"
                     b"\n"
                     b"bad \xff byte,x\n"
                     b"no answer,\n"
                     b"last,row\n")
    items = read_all(path)
    got = [(i.locator.line, i.reason if isinstance(i, Skip) else i.views.answer) for i in items]
    assert got[0] == (2, "fine") and got[-1] == (7, "row")
    assert got[1] == (3, "row has 3 fields, the header has 2")
    assert got[2][0] == 5 and "invalid UTF-8" in got[2][1] and "0xff" in got[2][1]
    assert got[3] == (6, "record has no text (schema prompt_completion)") or got[3][0] == 6


def test_csv_invalid_json_in_nested_column_and_malformed_quotes(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('messages\n"[{""role"": ""user"""\n', encoding="utf-8")
    (item,) = read_all(path)
    assert isinstance(item, Skip) and item.locator.line == 2 and "column 'messages' holds invalid JSON" in item.reason
    bad = tmp_path / "quotes.csv"
    bad.write_text('text\n"closed" then text\nfine\n"never closed\nrest\n', encoding="utf-8")
    got = [(i.locator.line, i.reason if isinstance(i, Skip) else i.views.answer) for i in read_all(bad)]
    assert got[0][0] == 2 and "malformed CSV" in got[0][1]
    assert got[1] == (3, "fine")  # reading resumes after a bad record
    assert got[2][0] == 4 and "malformed CSV" in got[2][1] and "unexpected end of data" in got[2][1]


def test_csv_with_only_a_header_holds_no_records(tmp_path):
    (item,) = read_all(write_csv(tmp_path / "h.csv", ["prompt", "completion"], []))
    assert isinstance(item, Skip) and "no records" in item.reason


def test_dolly_and_prompt_response_columns(tmp_path):
    items = read_all(write_csv(tmp_path / "dolly.csv", ["instruction", "context", "response"],
                               [["Summarise", "A long text", "Short"]]))
    assert items[0].schema == "alpaca" and items[0].views.prompt == "Summarise\n\nA long text"
    items = read_all(write_csv(tmp_path / "pr.csv", ["prompt", "response"], [["Hi", "Hello"]]))
    assert items[0].schema == "prompt_completion" and items[0].views.answer == "Hello"


# -- Arrow files ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["stream", "file"])
def test_arrow_ipc_stream_and_file_rows(tmp_path, fmt):
    rows = demo_rows(30)
    table = pa.Table.from_pylist(rows)
    path = tmp_path / "d.arrow"
    with pa.OSFile(str(path), "wb") as sink:
        writer = pa.ipc.new_stream if fmt == "stream" else pa.ipc.new_file
        with writer(sink, table.schema) as w:
            for batch in table.to_batches(max_chunksize=7):
                w.write_batch(batch)
    items = read_all(path)
    assert [i.locator.row for i in items] == list(range(30))
    assert hashes(items) == jsonl_hashes(rows, tmp_path)


def test_damaged_arrow_file_is_a_located_skip(tmp_path):
    path = tmp_path / "broken.arrow"
    path.write_bytes(b"ARROW1\x00\x00garbage")
    (item,) = read_all(path)
    assert isinstance(item, Skip) and "not readable Arrow data" in item.reason


# -- Hugging Face datasets ------------------------------------------------------------------------------
datasets = pytest.importorskip("datasets")


@pytest.fixture()
def hf_dict(tmp_path):
    rows = demo_rows(60)
    folder = tmp_path / "ds"
    datasets.DatasetDict({"train": datasets.Dataset.from_list(rows[:45]),
                          "validation": datasets.Dataset.from_list(rows[45:])}).save_to_disk(str(folder))
    return folder, rows


def test_save_to_disk_dataset_with_shards_keeps_one_row_count(tmp_path):
    rows = demo_rows(50)
    folder = tmp_path / "one"
    datasets.Dataset.from_list(rows).save_to_disk(str(folder), num_shards=3)
    items = read_all(folder)
    assert [i.locator.row for i in items] == list(range(50))
    assert {i.locator.split for i in items} == {None} and str(items[7].locator) == f"{folder}[row 7]"
    assert hashes(items) == jsonl_hashes(rows, tmp_path)


def test_save_to_disk_dataset_dict_splits_and_split_selection(hf_dict, tmp_path):
    folder, rows = hf_dict
    items = read_all(folder)
    by_split = {s: [i for i in items if i.locator.split == s] for s in ("train", "validation")}
    assert [i.locator.row for i in by_split["train"]] == list(range(45))
    assert str(by_split["validation"][3].locator) == f"{folder}[validation, row 3]"
    assert sorted(hashes(items)) == sorted(jsonl_hashes(rows, tmp_path))
    only = read_all(folder, split="validation")
    assert len(only) == 15 and {i.locator.split for i in only} == {"validation"}
    with pytest.raises(InputError, match="no split 'test' \\(splits: train, validation\\)"):
        expand_paths([str(folder)], split="test")


def test_directory_walk_reads_a_dataset_folder_as_a_dataset(hf_dict, tmp_path):
    folder, _ = hf_dict
    write_jsonl(folder.parent / "extra.jsonl", [chat("q", "a")])
    sources = expand_paths([str(folder.parent)])
    assert [(s.kind, s.split) for s in sources] == [("hf-disk", "train"), ("hf-disk", "validation"), ("file", None)]


def test_split_without_a_dataset_and_hub_ids_are_refused(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [chat("q", "a")])
    with pytest.raises(InputError, match="--split train: no input is a Hugging Face dataset"):
        expand_paths([str(path)], split="train")
    with pytest.raises(InputError, match="a hub dataset is named hf://datasets/ORG/NAME"):
        expand_paths(["hf://models/x"])


def test_cli_refuses_hub_ids_without_allow_download_in_one_line(tmp_path):
    proc = run_cli("scan", "hf://datasets/someorg/somedata", "--split", "train", "--no-cache")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "pass --allow-download" in lines[0] and lines[0].startswith("poisonscan: error:")


@pytest.mark.slow
def test_demo_in_every_format_gives_identical_findings(tmp_path, shared_cache):
    rows = demo_rows()
    formats = tmp_path / "formats"
    formats.mkdir()
    write_csv(formats / "demo.csv", ["prompt", "completion"], as_prompt_completion(rows))
    write_csv(formats / "demo.tsv", ["prompt", "completion"], as_prompt_completion(rows), delimiter="\t")
    datasets.Dataset.from_list(rows).save_to_disk(str(formats / "saved"), num_shards=2)
    datasets.Dataset.from_list(rows).to_parquet(str(formats / "demo.parquet"))
    table = pa.Table.from_pylist(rows)
    with pa.OSFile(str(formats / "demo.arrow"), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    _, ref = scan_json(DEMO, shared_cache)
    assert ref["findings"], "the demo must have findings for this test to mean anything"

    def summary(report):
        return sorted((f["fingerprint"], f["severity"], len(f["records"])) for f in report["findings"])

    for name in ("demo.csv", "demo.tsv", "saved", "demo.arrow", "demo.parquet"):
        _, got = scan_json(formats / name, shared_cache)
        assert summary(got) == summary(ref), name
        assert got["summary"]["records"] == len(rows) if "summary" in got else True
        first = got["findings"][0]["records"][0]
        assert ("line" in first) == name.endswith((".csv", ".tsv")), first
        assert ("row" in first) == (not name.endswith((".csv", ".tsv"))), first
