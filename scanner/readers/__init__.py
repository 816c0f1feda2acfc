"""Streaming readers: expand paths, pick a format per file, detect the schema, yield records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..errors import RecordError
from ..records import Locator, Record, Skip
from . import schemas
from .arrow import open_arrow, open_hf_disk, open_hf_hub
from .csvfile import open_csv
from .jsonarray import open_json_array
from .jsonl import first_bytes, open_jsonl, sniff_json_array
from .parquet import open_parquet
from .sources import DATA_SUFFIXES, Source, expand_paths

__all__ = ["ReadOptions", "read_source", "expand_paths", "Source", "DATA_SUFFIXES"]


@dataclass(frozen=True)
class ReadOptions:
    schema: str | None = None
    text_field: str | None = None
    max_record_bytes: int = 1 << 20


def _raw_items(src: Source, opts: ReadOptions):
    path, display = src.path, src.display
    if src.kind == "hf-disk":
        return open_hf_disk(path, display, src.split, opts.max_record_bytes)
    if src.kind == "hf-hub":
        return open_hf_hub(path, display, src.split, opts.max_record_bytes)
    if path.endswith(".arrow"):
        return open_arrow(path, display, opts.max_record_bytes)
    if path.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz")):
        return open_csv(path, display, opts.max_record_bytes)
    if path.endswith(".parquet"):
        return open_parquet(path, display, opts.max_record_bytes)
    if path.endswith(".json") and sniff_json_array(path):
        return open_json_array(path, display, opts.max_record_bytes)
    return open_jsonl(path, display, opts.max_record_bytes)


def _file_problem(src: Source) -> str | None:
    if src.kind != "file":
        return None
    try:
        size = src.size()
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    if size == 0:
        return "empty file"
    head = first_bytes(src.path)
    if head[:4] == b"\x00\x00\xfe\xff" or head[:4] == b"\xff\xfe\x00\x00":
        return "file is UTF-32 encoded; poisonscan reads UTF-8 (convert it with iconv -f UTF-32 -t UTF-8)"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "file is UTF-16 encoded; poisonscan reads UTF-8 (convert it with iconv -f UTF-16 -t UTF-8)"
    return None


def read_source(src: Source, opts: ReadOptions) -> Iterator[Record | Skip]:
    """Yield Records and Skips for one file; never raises for bad content."""
    problem = _file_problem(src)
    if problem:
        yield Skip(Locator(src.display), problem)
        return
    schema = opts.schema or ("text" if opts.text_field else None)
    produced = False
    try:
        for item in _raw_items(src, opts):
            produced = True
            if isinstance(item, Skip):
                yield item
                continue
            loc, obj = item
            if schema is None:
                schema = schemas.detect(obj, opts.text_field)
                if schema is None:
                    yield Skip(loc, f"unknown schema ({schemas.describe_keys(obj)})")
                    continue
            record = _record(loc, schema, obj, opts)
            if isinstance(record, Skip) and not opts.schema:
                own = schemas.detect(obj, opts.text_field)  # mixed files: try the record's own schema
                if own is not None and own != schema:
                    record = _record(loc, own, obj, opts)
            yield record
    except OSError as exc:
        produced = True
        yield Skip(Locator(src.display, split=src.split), f"read error: {exc.strerror or exc}")
    if not produced:
        yield Skip(Locator(src.display, split=src.split),
                   "file holds no records (only blank lines)" if src.kind == "file" else "dataset holds no rows")


def _record(loc: Locator, schema: str, obj: object, opts: ReadOptions) -> Record | Skip:
    try:
        views = schemas.to_views(schema, obj, opts.text_field)
    except RecordError as exc:
        return Skip(loc, f"{exc} (schema {schema})")
    except RecursionError:
        return Skip(loc, "record nesting too deep")
    if views.total_chars() > opts.max_record_bytes:
        return Skip(loc, f"record text over the {opts.max_record_bytes:,}-byte limit")
    return Record(loc, schema, views)
