"""Property tests: readers and schema detection never raise on arbitrary input."""

import pytest
import gzip
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.errors import RecordError
from scanner.readers import ReadOptions, Source, read_source
from scanner.readers.jsonarray import iter_json_array
from scanner.readers.jsonl import iter_jsonl
from scanner.readers.schemas import SCHEMAS, detect, to_views
from scanner.records import Record, Skip, Views

pytestmark = pytest.mark.slow  # end to end: the real model, subprocesses, files

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["messages", "role", "content", "from", "value", "conversations", "instruction", "input",
                         "output", "prompt", "completion", "question", "answer", "text", "instances", "type"]) |
        st.text(max_size=6), children, max_size=5),
    max_leaves=25)


def check_items(items, max_bytes=1 << 20):
    for item in items:
        assert isinstance(item, (Skip, tuple, Record))
        if isinstance(item, Skip):
            assert item.reason and item.locator.path


@FAST
@given(st.binary(max_size=2000))
def test_jsonl_reader_never_raises(data):
    check_items(list(iter_jsonl(io.BytesIO(data), "x.jsonl", 256)))


@FAST
@given(st.binary(max_size=2000))
def test_json_array_reader_never_raises(data):
    check_items(list(iter_json_array(io.BytesIO(b"[" + data), "x.json", 256)))


@FAST
@given(st.lists(json_values, max_size=6))
def test_json_array_of_random_values_parses_or_skips_each(values):
    text = json.dumps(values).encode()
    items = list(iter_json_array(io.BytesIO(text), "x.json", 1 << 20))
    assert [obj for _, obj in items] == values


@FAST
@given(json_values, st.sampled_from(SCHEMAS))
def test_schema_normalisation_gives_views_or_a_reason(value, schema):
    detect(value)
    try:
        views = to_views(schema, value)
    except RecordError as exc:
        assert str(exc)
    else:
        assert isinstance(views, Views) and (views.prompt.strip() or views.answer.strip())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".jsonl", ".json", ".parquet", ".jsonl.gz"]),
       compress=st.booleans())
def test_whole_file_reading_never_raises(tmp_path_factory, data, suffix, compress):
    path = tmp_path_factory.mktemp("fuzz") / f"f{suffix}"
    path.write_bytes(gzip.compress(data) if compress and suffix.endswith(".gz") else data)
    items = list(read_source(Source(str(path), str(path)), ReadOptions()))
    assert all(isinstance(i, (Record, Skip)) for i in items)
