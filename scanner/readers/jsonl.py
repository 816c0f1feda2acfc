"""Streaming JSON Lines reader (.jsonl, .jsonl.gz) with bounded memory per line."""

from __future__ import annotations

import gzip
import zlib
from typing import Iterator

from ..records import Locator, Skip
from .decode import decode_json

CHUNK = 1 << 20


def _read_long_tail(fh, size: int) -> int:
    """Consume the rest of an over-long line without holding it; return its full size."""
    while True:
        chunk = fh.readline(CHUNK)
        if not chunk:
            return size
        size += len(chunk)
        if chunk.endswith(b"\n"):
            return size


def iter_jsonl(fh, display: str, max_bytes: int) -> Iterator[tuple[Locator, object] | Skip]:
    """Yield ``(locator, parsed_value)`` per non-blank line, or a Skip with the reason."""
    lineno = 0
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        lineno += 1
        loc = Locator(display, line=lineno)
        if len(line) > max_bytes and not line.endswith(b"\n"):
            size = _read_long_tail(fh, len(line))
            yield Skip(loc, f"record is {size:,} bytes, over the {max_bytes:,}-byte limit")
            continue
        if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line.strip():
            continue
        value = decode_json(line, loc)
        yield value if isinstance(value, Skip) else (loc, value)


def open_jsonl(path: str, display: str, max_bytes: int) -> Iterator[tuple[Locator, object] | Skip]:
    gz = path.endswith(".gz")
    lineno_hint = 0
    try:
        with (gzip.open(path, "rb") if gz else open(path, "rb")) as fh:
            for item in iter_jsonl(fh, display, max_bytes):
                lineno_hint = (item.locator if isinstance(item, Skip) else item[0]).line or lineno_hint
                yield item
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        where = f"after line {lineno_hint}" if lineno_hint else "at the start"
        yield Skip(Locator(display, line=lineno_hint + 1 if lineno_hint else None),
                   f"gzip stream is damaged or ends early {where} ({exc.__class__.__name__})")


def sniff_json_array(path: str) -> bool:
    """True when a .json file holds a JSON array (else it is read as JSON Lines)."""
    with open(path, "rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"[")


def first_bytes(path: str, n: int = 4) -> bytes:
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            return fh.read(n)
    except (EOFError, OSError, zlib.error):
        return b""


__all__ = ["open_jsonl", "iter_jsonl", "sniff_json_array", "first_bytes"]
