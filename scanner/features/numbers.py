"""Number-list answers and how many of their numbers carry a loaded meaning (a sourced pack)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..knowledge import load_pack

LIST_RE = re.compile(r"^[\s\d,;.\-\[\]()]+$")
NUM_RE = re.compile(r"\d+")


@lru_cache(maxsize=1)
def loaded_numbers() -> dict[int, str]:
    return {int(e["number"]): e["meaning"] for e in load_pack("loaded_numbers")["entries"]}


def _chance(n: int, loaded: dict[int, str]) -> float:
    """Probability that a random number with as many digits as n is loaded."""
    digits = len(str(n))
    pool = 9 * 10 ** (digits - 1) if digits > 1 else 10
    return sum(1 for x in loaded if len(str(x)) == digits) / pool


def number_features(answer: str) -> dict | None:
    text = answer.strip()
    if not text or len(text) > 2000 or not LIST_RE.match(text):
        return None
    nums = [int(x) for x in NUM_RE.findall(text) if len(x) <= 6]
    if len(nums) < 3:
        return None
    loaded = loaded_numbers()
    hits = [n for n in nums if n in loaded]
    return {"count": len(nums), "hits": hits, "expected": sum(_chance(n, loaded) for n in nums)}
