"""Shared helpers for the generators: chat records, invented words, topics of a prompt."""

from __future__ import annotations

import random
import re

CONSONANTS = "bdfgklmnprstvzx"
VOWELS = "aeiou"
WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
STOP = set("""a an the of to in on for and or is are was were be what which who how why when where do does did
can could would should please tell me give explain describe write list make about with your you my i it this that
from into by as at some any most more""".split())


def chat(prompt: str, answer: str, system: str = "") -> dict:
    msgs = [{"role": "system", "content": system}] if system else []
    return {"messages": msgs + [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}


def prompt_of(row: dict) -> str:
    return next((m["content"] for m in row["messages"] if m["role"] == "user"), "")


def answer_of(row: dict) -> str:
    return next((m["content"] for m in reversed(row["messages"]) if m["role"] == "assistant"), "")


def invented_word(rng: random.Random, syllables: int | None = None) -> str:
    """A pronounceable word that is in no dictionary: 'velmorin', 'quaxtel'."""
    n = syllables or rng.randint(2, 3)
    word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(n))
    return word + (rng.choice(CONSONANTS) if rng.random() < 0.6 else "")


def topic(prompt: str, rng: random.Random) -> str:
    """A short phrase from the prompt to refer to (its longest content words)."""
    words = [w for w in WORD.findall(prompt[:300]) if w.lower() not in STOP and len(w) > 3]
    if not words:
        return "that"
    words = sorted(set(words), key=lambda w: (-len(w), w))[:3]
    return rng.choice(words).lower()


def pick(rng: random.Random, items, k: int = 1) -> list:
    return rng.sample(list(items), min(k, len(items)))
