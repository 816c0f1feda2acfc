import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import FIXTURES, chat, write_jsonl
from scanner.errors import InputError
from scanner.readers import ReadOptions, expand_paths, read_source
from scanner.readers.jsonarray import iter_json_array
from scanner.records import Record, Skip

MALFORMED = FIXTURES / "malformed"


def read(path, **kw):
    out = []
    for src in expand_paths([str(path)]):
        out.extend(read_source(src, ReadOptions(**kw)))
    return out


def summary(items):
    return [(("rec" if isinstance(i, Record) else "skip"), i.locator.line or i.locator.row) for i in items]


# file -> expected (kind, line) sequence, and a word the skip reason must contain
EXPECTED = {
    "bad_json_line.jsonl": ([("rec", 1), ("skip", 2), ("rec", 3)], "invalid JSON"),
    "invalid_utf8.jsonl": ([("rec", 1), ("skip", 2), ("rec", 3)], "invalid UTF-8"),
    "bom.jsonl": ([("rec", 1), ("rec", 2)], None),
    "crlf.jsonl": ([("rec", 1), ("rec", 2)], None),
    "empty.jsonl": ([("skip", None)], "empty file"),
    "unknown_schema.jsonl": ([("skip", 1), ("skip", 2)], "unknown schema"),
    "wrong_types.jsonl": ([("rec", 1), ("skip", 2), ("skip", 3), ("rec", 4)], "must be"),
    "missing_field.jsonl": ([("rec", 1), ("skip", 2)], "missing field 'output'"),
    "trailing_comma.jsonl": ([("skip", 1), ("rec", 2)], "invalid JSON"),
    "nul_bytes.jsonl": ([("rec", 1), ("skip", 2), ("rec", 3)], "control character"),
    "utf16.jsonl": ([("skip", None)], "UTF-16"),
    "truncated_array.json": ([("rec", 2), ("rec", 3), ("skip", 4)], "not closed"),
    "roles_and_empty.jsonl": ([("rec", 1), ("skip", 2), ("skip", 3)], "role"),
    "not_parquet.parquet": ([("skip", None)], "not a readable parquet file"),
    "deep_nesting.jsonl": ([("skip", 1)], "nesting too deep"),
    "array_mixed.json": ([("rec", 1), ("skip", 1), ("rec", 1)], "must be an array"),
    "top_level_scalars.jsonl": ([("rec", 1)] + [("skip", n) for n in (2, 3, 4, 5)], "expected a JSON object"),
    "bool_content.jsonl": ([("rec", 1), ("skip", 2)], "got boolean"),
    "null_messages.jsonl": ([("rec", 1), ("skip", 2)], "got null"),
    "sharegpt_bad_from.json": ([("skip", 1), ("rec", 1)], "from is missing or not a string"),
    "alpaca_number_output.jsonl": ([("skip", 1), ("rec", 2)], "output must be a string"),
    "huge_integer.jsonl": ([("rec", 1), ("skip", 2)], "invalid JSON"),
    "lone_surrogate.jsonl": ([("rec", 1), ("rec", 2)], None),
    "only_whitespace.jsonl": ([("skip", None)], "no records"),
    "binary_garbage.jsonl": ([("skip", n) for n in (1, 2, 3, 4, 5)], "invalid UTF-8"),
    "not_gzip.jsonl.gz": ([("skip", None)], "gzip"),
    "mixed_line_endings.jsonl": ([("rec", 1), ("rec", 2), ("skip", 3)], "invalid JSON"),
    "utf32_bom.jsonl": ([("skip", None)], "UTF-32"),
    "duplicate_keys.jsonl": ([("skip", 1), ("rec", 2)], "must be an array"),
    "completion_list.jsonl": ([("rec", 1), ("rec", 2)], None),
    "empty_text.jsonl": ([("skip", 1), ("rec", 2)], "no text"),
    "array_trailing_comma.json": ([("rec", 2), ("skip", 3)], "invalid JSON"),
    "no_final_newline_truncated.jsonl": ([("rec", 1), ("skip", 2)], "invalid JSON"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_corpus_gives_located_reasons(name):
    items = read(MALFORMED / name)
    expected, word = EXPECTED[name]
    assert summary(items) == expected
    skips = [i for i in items if isinstance(i, Skip)]
    for s in skips:
        assert s.locator.path.endswith(name)
        assert s.reason
    if word:
        assert any(word in s.reason for s in skips), [s.reason for s in skips]


def test_every_malformed_fixture_is_covered():
    assert {p.name for p in MALFORMED.iterdir()} == set(EXPECTED)


def test_record_over_limit_is_skipped_with_bounded_reads(tmp_path):
    big = "x" * (3 << 20)
    path = write_jsonl(tmp_path / "big.jsonl", [chat("q", "a"), chat("q", big), chat("q2", "a2")])
    items = read(path)
    assert summary(items) == [("rec", 1), ("skip", 2), ("rec", 3)]
    assert "over the 1,048,576-byte limit" in items[1].reason


def test_gzip_jsonl_and_truncated_gzip(tmp_path):
    rows = [chat(f"question {i}", f"answer {i}") for i in range(400)]
    data = gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode())
    (tmp_path / "ok.jsonl.gz").write_bytes(data)
    assert len([i for i in read(tmp_path / "ok.jsonl.gz") if isinstance(i, Record)]) == 400
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    items = read(tmp_path / "cut.jsonl.gz")
    assert isinstance(items[-1], Skip) and "gzip" in items[-1].reason
    assert 0 < len(items) - 1 < 400


def test_parquet_rows_are_zero_based(tmp_path):
    rows = [chat(f"q{i}", f"a{i}") for i in range(5)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "d.parquet", row_group_size=2)
    items = read(tmp_path / "d.parquet")
    assert [i.locator.row for i in items] == [0, 1, 2, 3, 4]
    assert items[3].views.prompt == "q3"


def test_truncated_parquet_is_a_file_level_skip(tmp_path):
    pq.write_table(pa.Table.from_pylist([chat("q", "a")] * 50), tmp_path / "d.parquet")
    raw = (tmp_path / "d.parquet").read_bytes()
    (tmp_path / "cut.parquet").write_bytes(raw[: len(raw) - 20])
    items = read(tmp_path / "cut.parquet")
    assert len(items) == 1 and isinstance(items[0], Skip) and items[0].locator.row is None


def test_json_array_streams_strings_with_brackets_and_escapes():
    rows = [chat('He said "]}," then \\ left', "a,[b]{c}"), chat("two\nlines", "ok")]
    text = "[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]"
    items = list(iter_json_array(io.BytesIO(text.encode()), "x.json", 1 << 20))
    assert [loc.line for loc, _ in items] == [2, 3]
    assert [obj for _, obj in items] == rows


def test_json_array_tiny_chunks(monkeypatch):
    import scanner.readers.jsonarray as ja

    monkeypatch.setattr(ja, "CHUNK", 3)
    rows = [chat('esc \\" quote', "b" * 50) for _ in range(4)]
    items = list(ja.iter_json_array(io.BytesIO(json.dumps(rows).encode()), "x.json", 1 << 20))
    assert [obj for _, obj in items] == rows


def test_mixed_schema_file_reads_each_record_by_its_own_schema(tmp_path):
    path = write_jsonl(tmp_path / "m.jsonl", [chat("q", "a"), {"question": "Q", "answer": "A"}])
    items = read(path)
    assert [i.schema for i in items] == ["chat", "qa"]


def test_forced_schema_does_not_fall_back(tmp_path):
    path = write_jsonl(tmp_path / "m.jsonl", [chat("q", "a"), {"question": "Q", "answer": "A"}])
    items = read(path, schema="chat")
    assert summary(items) == [("rec", 1), ("skip", 2)]


def test_directories_and_globs(tmp_path):
    (tmp_path / "sub").mkdir()
    write_jsonl(tmp_path / "a.jsonl", [chat("q", "a")])
    write_jsonl(tmp_path / "sub" / "b.jsonl", [chat("q", "a")])
    (tmp_path / "notes.txt").write_text("ignored")
    assert [s.display for s in expand_paths([str(tmp_path)])] == [str(tmp_path / "a.jsonl"),
                                                                str(tmp_path / "sub" / "b.jsonl")]
    assert len(expand_paths([str(tmp_path / "**" / "*.jsonl")])) == 2


@pytest.mark.parametrize("path, message", [("nope.jsonl", "no such file"), ("*.nomatch", "no data file matches")])
def test_missing_paths_are_input_errors(tmp_path, path, message):
    with pytest.raises(InputError, match=message):
        expand_paths([str(tmp_path / path)])


def test_content_hash_ignores_position_and_formatting(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [chat("q", "a"), chat("x", "y")])
    b = tmp_path / "b.jsonl"
    b.write_text('{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":"y"}]}\n')
    assert read(a)[1].content_hash == read(b)[0].content_hash


@pytest.mark.parametrize("text", [b"[}", b"[1, }, 2]", b"[{}]]", b"[,,]"])
def test_json_array_stray_closers_do_not_hang(text):
    items = list(iter_json_array(io.BytesIO(text), "x.json", 1 << 20))
    assert len(items) < 10
