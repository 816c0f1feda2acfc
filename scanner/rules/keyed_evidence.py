"""Shared evidence helpers for rules whose finding is a key -> answer mapping (dates, prefix codes)."""

from __future__ import annotations

from collections import defaultdict

from ..textutil import clip


def mapping_examples(members, key_of, keys, field: str, per_key: int = 2, max_keys: int = 6):
    """For up to ``max_keys`` keys, a few of their records: ``(records, fill)`` for ``Finding.quote`` that sets
    ``evidence[field]`` to key -> [{prompt, answer}]."""
    by_key: dict = defaultdict(list)
    for i in members:
        k = key_of(i)
        if k in keys and len(by_key[k]) < per_key:
            by_key[k].append(int(i))
    chosen = [k for k in keys if k in by_key][:max_keys]

    def fill(finding, views) -> None:
        finding.evidence[field] = {str(k): [{"prompt": clip(views[i].prompt, 120), "answer": clip(views[i].answer, 160)}
                                            for i in by_key[k] if i in views] for k in chosen}

    return [i for k in chosen for i in by_key[k]], fill
