"""CSV and TSV readers (optionally gzipped): a header row, then one record per row; quoted fields may span
lines. Locators are the 1-based line where the record starts. Cells of nested columns (``messages``,
``conversations``, ``instances``) holding JSON are decoded, so chat data exported to CSV keeps its schema."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zlib
from typing import Iterator

from ..records import Locator, Skip

NESTED = ("messages", "conversations", "instances")
UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that are not UTF-8, kept by surrogateescape


def _header(names: list[str]) -> list[str]:
    out, seen = [], set()
    for i, name in enumerate(names):
        name = name.strip() or f"column_{i + 1}"
        while name in seen:
            name += "_"
        seen.add(name)
        out.append(name)
    return out


def _decode_nested(obj: dict, loc: Locator) -> dict | Skip:
    for key in NESTED:
        value = obj.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            try:
                obj[key] = json.loads(value)
            except (ValueError, RecursionError) as exc:
                return Skip(loc, f"column '{key}' holds invalid JSON ({str(exc)[:100]})")
    return obj


def open_csv(path: str, display: str, max_bytes: int) -> Iterator[tuple[Locator, object] | Skip]:
    delimiter = "\t" if path.endswith((".tsv", ".tsv.gz")) else ","
    csv.field_size_limit(max(max_bytes, csv.field_size_limit()))
    raw = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
    line = 0
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        header = None
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # bad quoting: this record is skipped, reading resumes on the next line
                yield Skip(Locator(display, line=line + 1), f"malformed {'TSV' if delimiter == chr(9) else 'CSV'}: "
                                                            f"{exc}")
                line = reader.line_num
                continue
            except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
                yield Skip(Locator(display, line=line + 1), f"gzip stream is damaged or ends early "
                                                            f"({exc.__class__.__name__})")
                return
            start, line = line + 1, reader.line_num
            if not row or not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = _header(row)
                continue
            loc = Locator(display, line=start)
            bad = next((m for m in map(UNDECODABLE.search, row) if m), None)
            if bad is not None:
                yield Skip(loc, f"invalid UTF-8 in the record (byte 0x{ord(bad.group()) - 0xdc00:02x})")
                continue
            if len(row) > len(header):
                yield Skip(loc, f"row has {len(row)} fields, the header has {len(header)}")
                continue
            obj = _decode_nested(dict(zip(header, row + [""] * (len(header) - len(row)))), loc)
            yield obj if isinstance(obj, Skip) else (loc, obj)
