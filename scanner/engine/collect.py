"""The per-record step, shared by every engine: one function from a record's views to its compact row,
and the collector that keeps the rows in record order (no texts)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..features.bandit_scan import run_bandit
from ..features.extract import RecordFeatures, extract, extract_batch, features_from_json, features_to_json
from ..features.tokens import record_tokens
from ..errors import InputError
from ..options import ScanOptions
from ..readers import ReadOptions, Source, read_source
from ..records import Locator, Skip, Views
from ..triggers.index import CandidateIndex

Progress = Callable[[int], None]
BATCH = 2048        # records per feature batch: each RE2 screen is compiled once per batch


@dataclass
class Processed:
    """What the scan keeps of one readable record besides its hash, locator and vectors."""

    features: RecordFeatures
    tokens: dict           # trigger-candidate tokens, n-grams and phrases
    code: str | None       # Python code found in the answer (for the static analyser)

    def to_row(self) -> dict[str, str]:
        """Plain strings, for engines that move rows between processes."""
        return {"features": features_to_json(self.features), "tokens": json.dumps(self.tokens, ensure_ascii=False),
                "code": self.code or ""}

    @classmethod
    def from_row(cls, row) -> "Processed":
        return cls(features_from_json(row["features"]), json.loads(row["tokens"]), row["code"] or None)


def process(views: Views, packs: bool) -> Processed:
    """The per-record step: features, trigger-candidate tokens and code, from the record's views alone."""
    features, code = extract(views, packs)
    return Processed(features, record_tokens(views), code)


def process_batch(views: list[Views], packs: bool) -> list[Processed]:
    """``process`` over many records at once (the same rows, computed with batch regex screens)."""
    return [Processed(features, record_tokens(v), code) for v, (features, code) in zip(views, extract_batch(views, packs))]


class Collector:
    """Per-record compact state, filled in record order by either engine."""

    def __init__(self, opts: ScanOptions, scratch: Path):
        self.opts = opts
        self.scratch = scratch                    # code snippets for the static analyser
        self.features: list = []
        self.hashes: list[str] = []
        self.origin: list[tuple[int, int]] = []   # (source index, ordinal among the source's records)
        self.locators: list[Locator] = []
        self.candidates = CandidateIndex(scratch.parent)   # prompt tokens, n-grams and phrases -> records
        self.skips: list[Skip] = []
        self.skipped = 0
        self._ordinals: dict[int, int] = {}

    def consume(self, src_id: int, src: Source, read_opts: ReadOptions, stage) -> None:
        """The local streaming pass over one file, features computed a batch of records at a time."""
        pending = []
        for item in read_source(src, read_opts):
            if isinstance(item, Skip):
                self.skip(item)
                continue
            pending.append(item)
            if len(pending) >= BATCH:
                self._flush(src_id, pending, stage)
                pending = []
        self._flush(src_id, pending, stage)

    def _flush(self, src_id: int, items: list, stage) -> None:
        if not items:
            return
        for item, row in zip(items, process_batch([it.views for it in items], self.opts.packs)):
            stage.add(self.record(src_id, item.content_hash, item.locator, row), item.views)

    def skip(self, item: Skip) -> None:
        if self.opts.strict:
            raise InputError(f"{item} (--strict)")
        self.skipped += 1
        if len(self.skips) < self.opts.max_skips_listed:
            self.skips.append(item)

    def record(self, src_id: int, content_hash: str, locator: Locator, row: Processed) -> int:
        """Keep one readable record's compact state; return its index."""
        features, tokens, code = row.features, row.tokens, row.code
        index = len(self.hashes)
        ordinal = self._ordinals.get(src_id, 0)
        self._ordinals[src_id] = ordinal + 1
        self.hashes.append(content_hash)
        self.origin.append((src_id, ordinal))
        self.locators.append(locator)
        self.candidates.add(index, tokens)
        self.features.append(features)
        if code:
            (self.scratch / f"{index}.py").write_text(code, encoding="utf-8", errors="replace")
        return index

    def require_records(self, paths: list[str]) -> None:
        if not self.hashes:
            first = f"; first problem: {self.skips[0]}" if self.skips else ""
            raise InputError(f"no readable record in {', '.join(paths)} ({self.skipped} skipped{first})")

    def state(self, vectors: dict, embedded: int, cached: int) -> "CompactState":
        """The compact state, with the static analyser's verdict on the collected code."""
        return CompactState(self.hashes, self.origin, self.locators, self.features, self.candidates,
                            run_bandit(self.scratch), vectors, self.skips, self.skipped, embedded, cached)



@dataclass
class CompactState:
    """What the streaming pass keeps per record: everything the whole-dataset steps need, no texts."""

    hashes: list[str]
    origin: list[tuple[int, int]]     # (source index, ordinal among that source's records)
    locators: list[Locator]
    features: list
    candidates: CandidateIndex        # trigger candidates (finished by the rules that need them)
    code_issues: dict
    vectors: dict                     # prompt / answer (n, d) float16, present_prompt / present_answer masks
    skips: list[Skip]
    skipped: int
    embedded: int
    cached: int
