"""Decode one JSON text into a value, or a Skip that says exactly why not."""

from __future__ import annotations

import json

from ..records import Locator, Skip


def decode_json(raw: bytes, loc: Locator) -> object:
    """Return the parsed value, or a :class:`Skip` (invalid UTF-8, bad JSON, too deep)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Skip(loc, f"invalid UTF-8 at byte {exc.start + 1} of the record")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return Skip(loc, f"invalid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return Skip(loc, "invalid JSON: nesting too deep")
    except ValueError as exc:  # e.g. integers beyond the digit limit
        return Skip(loc, f"invalid JSON: {str(exc)[:120]}")
