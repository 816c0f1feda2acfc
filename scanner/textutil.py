"""Small text helpers shared by rules and reports."""

from __future__ import annotations

SNIPPET = 240
REDACTED = 24  # characters of record text kept with --redact (reports and the judge)


def clip(text: str, limit: int = SNIPPET) -> str:
    """Whitespace folded, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
