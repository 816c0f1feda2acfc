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
from typing import Iterable, Iterator

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


def delimiter_for(path: str) -> str:
    return "\t" if path.endswith((".tsv", ".tsv.gz")) else ","


def walk_csv(lines: Iterable[str], delimiter: str) -> Iterator[tuple[str, int, object]]:
    """CSV/TSV rows as the scan locates them: ``(kind, start line, value)`` with kind ``header`` (the first
    non-blank row), ``record`` or ``blank`` (value: the row); ``malformed`` (value: the ``csv.Error``; reading
    resumes on the next line) or, once and last, ``damaged`` (value: the exception of a gzip stream that is
    damaged or ends early). ``lines``: the text's lines with their endings (``newline=""``)."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header, line = False, 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield "malformed", line + 1, exc
            line = reader.line_num
            continue
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            yield "damaged", line + 1, exc
            return
        start, line = line + 1, reader.line_num
        if not row or not any(cell.strip() for cell in row):
            yield "blank", start, row
        elif not header:
            header = True
            yield "header", start, row
        else:
            yield "record", start, row


def open_csv(path: str, display: str, max_bytes: int) -> Iterator[tuple[Locator, object] | Skip]:
    delimiter = delimiter_for(path)
    csv.field_size_limit(max(max_bytes, csv.field_size_limit()))
    raw = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        header: list[str] = []
        for kind, start, value in walk_csv(fh, delimiter):
            loc = Locator(display, line=start)
            if kind == "malformed":   # bad quoting: this record is skipped, reading resumes on the next line
                yield Skip(loc, f"malformed {'TSV' if delimiter == chr(9) else 'CSV'}: {value}")
            elif kind == "damaged":
                yield Skip(loc, f"gzip stream is damaged or ends early ({value.__class__.__name__})")
            elif kind == "header":
                header = _header(value)
            elif kind == "record":
                bad = next((m for m in map(UNDECODABLE.search, value) if m), None)
                if bad is not None:
                    yield Skip(loc, f"invalid UTF-8 in the record (byte 0x{ord(bad.group()) - 0xdc00:02x})")
                elif len(value) > len(header):
                    yield Skip(loc, f"row has {len(value)} fields, the header has {len(header)}")
                else:
                    obj = _decode_nested(dict(zip(header, value + [""] * (len(header) - len(value)))), loc)
                    yield obj if isinstance(obj, Skip) else (loc, obj)
