"""Streaming reader for a ``.json`` file holding one JSON array of records.

The array is never loaded whole: a small byte scanner finds each element's
extent (strings, escapes, nesting), keeps it only while it is under the size
limit, and decodes it on its own, so one bad element costs one record.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..records import Locator, Skip
from .decode import decode_json

CHUNK = 1 << 20
WS = b" \t\r\n"
IN_STRING = re.compile(rb'["\\]')
OUTSIDE = re.compile(rb'[\[\]{}",]')


class _Scanner:
    def __init__(self, fh):
        self.fh = fh
        self.buf = b""
        self.i = 0

    def fill(self) -> bool:
        data = self.fh.read(CHUNK)
        self.buf = self.buf[self.i:] + data
        self.i = 0
        return bool(data)

    def peek(self) -> tuple[bytes | None, int]:
        """Skip white space; return the next byte (None at end) and the newlines skipped."""
        newlines = 0
        while True:
            while self.i < len(self.buf) and self.buf[self.i] in WS:
                newlines += self.buf[self.i] == 10
                self.i += 1
            if self.i < len(self.buf):
                return self.buf[self.i:self.i + 1], newlines
            if not self.fill():
                return None, newlines

    def element(self, max_bytes: int) -> tuple[bytes | None, int, int, bool]:
        """Consume one element: (bytes or None if over the limit, size, newlines, complete)."""
        depth, in_str = 0, False
        pieces: list[bytes] = []
        size = newlines = 0
        keep = True

        def take(end: int) -> None:
            nonlocal size, newlines, keep, pieces
            seg = self.buf[self.i:end]
            self.i = end
            size += len(seg)
            newlines += seg.count(b"\n")
            if keep:
                pieces.append(seg)
                if size > max_bytes:
                    keep, pieces = False, []

        while True:
            if self.i >= len(self.buf) and not self.fill():
                return None, size, newlines, False
            m = (IN_STRING if in_str else OUTSIDE).search(self.buf, self.i)
            if m is None:
                take(len(self.buf))
                continue
            j, ch = m.start(), self.buf[m.start()]
            if in_str and ch == 0x5C:  # backslash: keep it with the escaped byte
                if j + 1 >= len(self.buf):
                    take(j)
                    if not self.fill():
                        return None, size, newlines, False
                    continue
                take(j + 2)
            elif ch == 0x22:  # quote
                take(j + 1)
                in_str = not in_str
            elif ch in b"[{":
                take(j + 1)
                depth += 1
            elif ch in b"]}":
                if depth == 0:
                    take(j)
                    break
                take(j + 1)
                depth -= 1
                if depth == 0:
                    break
            elif depth == 0:  # comma ends a scalar element
                take(j)
                break
            else:
                take(j + 1)
        return (b"".join(pieces) if keep else None), size, newlines, True


def iter_json_array(fh, display: str, max_bytes: int) -> Iterator[tuple[Locator, object] | Skip]:
    scan = _Scanner(fh)
    line = 1
    scan.fill()
    if scan.buf.startswith(b"\xef\xbb\xbf"):
        scan.i = 3
    ch, nl = scan.peek()
    line += nl
    if ch != b"[":
        yield Skip(Locator(display, line=line), "expected a JSON array")
        return
    scan.i += 1
    expect_element = True
    while True:
        ch, nl = scan.peek()
        line += nl
        if ch is None:
            yield Skip(Locator(display, line=line), "JSON array is not closed: the file ends early")
            return
        if ch == b"]":
            return
        if ch == b",":
            scan.i += 1
            if expect_element:
                yield Skip(Locator(display, line=line), "invalid JSON: unexpected ','")
            expect_element = True
            continue
        loc = Locator(display, line=line)
        if not expect_element:
            yield Skip(loc, "invalid JSON: missing ',' between array elements")
        raw, size, nl, complete = scan.element(max_bytes)
        line += nl
        expect_element = False
        if complete and size == 0:  # a stray '}' or ']' where an element should start
            scan.i += 1
            yield Skip(loc, f"invalid JSON: unexpected {ch.decode('latin-1')!r}")
            continue
        if not complete:
            yield Skip(loc, "JSON array is not closed: the file ends inside a record")
            return
        if raw is None:
            yield Skip(loc, f"record is {size:,} bytes, over the {max_bytes:,}-byte limit")
            continue
        value = decode_json(raw, loc)
        yield value if isinstance(value, Skip) else (loc, value)


def open_json_array(path: str, display: str, max_bytes: int):
    with open(path, "rb") as fh:
        yield from iter_json_array(fh, display, max_bytes)
