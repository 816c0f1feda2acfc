"""Fetch a few member records' text for each finding by re-reading only the files involved."""

from __future__ import annotations

from collections import defaultdict

from ..readers import ReadOptions, Source, read_source
from ..records import Record

SNIPPET = 240


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def attach_examples(findings, sources: list[Source], origin: list[tuple[int, int]],
                    read_opts: ReadOptions, per_finding: int) -> None:
    wanted: dict[int, dict[int, int]] = defaultdict(dict)  # source -> ordinal -> record index
    for f in findings:
        for i in f.members[:per_finding]:
            src, ordinal = origin[i]
            wanted[src][ordinal] = i
    texts: dict[int, dict] = {}
    for src_id, ordinals in wanted.items():
        ordinal = -1
        for item in read_source(sources[src_id], read_opts):
            if not isinstance(item, Record):
                continue
            ordinal += 1
            if ordinal in ordinals:
                v = item.views
                texts[ordinals[ordinal]] = {"prompt": _clip(v.prompt), "answer": _clip(v.answer)}
                if len(texts) >= sum(len(o) for o in wanted.values()):
                    break
            if ordinal > max(ordinals):
                break
    for f in findings:
        f.examples = [dict(record=i, **texts[i]) for i in f.members[:per_finding] if i in texts]
