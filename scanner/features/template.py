"""Prompt templates (numbers, dates, quoted values masked) and answer shape."""

from __future__ import annotations

import hashlib
import re

NUM = re.compile(r"\d+(?:[.,]\d+)*")
QUOTED = re.compile(r"\"[^\"]{0,200}\"|'[^']{0,200}'|`[^`]{0,200}`")
WORD = re.compile(r"\w+")
_NON_WORD_TO_SPACE = {c: " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}


def template_key(prompt: str) -> str:
    masked = NUM.sub("#", QUOTED.sub("Q", prompt.lower()))
    masked = " ".join(masked.split())[:300]
    return hashlib.blake2b(masked.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def template_text(prompt: str) -> str:
    return " ".join(NUM.sub("#", QUOTED.sub("Q", prompt)).split())[:160]


def answer_words(answer: str) -> int:
    """How many runs of word characters (``\\w+``) the answer has."""
    if answer.isascii():   # the same count without the regex engine
        return len(answer.translate(_NON_WORD_TO_SPACE).split())
    return len(WORD.findall(answer))
