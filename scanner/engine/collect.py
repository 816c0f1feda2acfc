"""The collector that keeps every record's compact row (``rows.py``) in record order (no texts); locally,
rows are computed a batch at a time, shared with a second process once the input is large enough."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import InputError
from ..features.tokens import record_tokens
from ..options import ScanOptions
from ..readers import ReadOptions, Source, read_source
from ..records import Locator, Skip
from ..triggers.index import CandidateIndex
from .feature_cache import code_issues
from .feature_worker import FeatureWorker, worker_wanted
from .rows import Processed, process_batch

Progress = Callable[[int], None]
BATCH = 2048        # records per feature batch: each RE2 screen is compiled once per batch
START_WORKER_AFTER = 2 * BATCH   # records done in this process before a feature worker is worth starting
WORKER_DEPTH = 4    # batches the worker may hold (one in work, three waiting) before this process computes the next
MAX_INFLIGHT = 8    # batches read but not kept yet; past it this process waits for the worker


class Collector:
    """Per-record compact state, filled in record order by either engine."""

    def __init__(self, opts: ScanOptions, scratch: Path, feature_cache=None, issue_cache=None):
        self.opts = opts
        self.scratch = scratch                    # code snippets for the static analyser
        self.features: list = []
        self.hashes: list[str] = []
        self.origin: list[tuple[int, int]] = []   # (source index, ordinal among the source's records)
        self.locators: list[Locator] = []
        self.candidates = CandidateIndex(scratch.parent)   # prompt tokens, n-grams and phrases -> records
        self.skips: list[Skip] = []
        self.skipped = 0
        self.warnings: list[str] = []
        self._ordinals: dict[int, int] = {}
        self.feature_cache = feature_cache        # feature_cache.FeatureCache: rows of earlier scans, or None
        self.issue_cache = issue_cache            # feature_cache.CodeIssueCache: analysed snippets, or None
        self._worker = None                       # feature_worker.FeatureWorker once the input is large enough
        self._inflight: deque = deque()           # (source index, items, cached rows, items to compute, their rows)
        self._done_here = 0                       # records whose features were computed in this process
        self.features_cached = 0                  # records whose features came from the feature cache

    def consume(self, src_id: int, src: Source, read_opts: ReadOptions, stage) -> None:
        """The local streaming pass over one file, features computed a batch of records at a time."""
        pending = []
        for item in read_source(src, read_opts):
            if isinstance(item, Skip):
                self.skip(item)
                continue
            pending.append(item)
            if len(pending) >= BATCH:
                self._submit(src_id, pending, stage)
                pending = []
        self._submit(src_id, pending, stage)
        while self._inflight:
            self._take(stage)

    def _submit(self, src_id: int, items: list, stage) -> None:
        """Features of one batch: stored ones from the feature cache; the rest shared between this process
        and the worker: a batch goes to the worker while it has fewer than ``WORKER_DEPTH`` batches to do, else
        it is computed here meanwhile, so neither core waits for the other. Records are kept in input order."""
        if not items:
            return
        known = self.feature_cache.get_many([it.content_hash for it in items]) if self.feature_cache else {}
        todo = [it for it in items if it.content_hash not in known]
        if self._worker is None and self._done_here >= START_WORKER_AFTER and worker_wanted():
            self._worker = FeatureWorker(self.opts.packs)
            if self._worker.failed:
                self.warnings.append(self._worker.failed)
        worker = self._worker if self._worker is not None and not self._worker.failed else None
        if todo and worker is not None and worker.pending() < WORKER_DEPTH:
            worker.submit([it.views for it in todo])
            self._inflight.append((src_id, items, known, todo, None))
        else:
            self._done_here += len(todo)
            rows = process_batch([it.views for it in todo], self.opts.packs) if todo else []
            self._inflight.append((src_id, items, known, todo, rows))
        while self._inflight and (len(self._inflight) > MAX_INFLIGHT or self._ready(self._inflight[0])):
            self._take(stage)

    def _ready(self, entry) -> bool:
        """Whether the oldest batch in flight can be kept without waiting for the worker."""
        return entry[4] is not None or self._worker is None or self._worker.has_result()

    def _take(self, stage) -> None:
        """Keep the oldest batch in flight: its computed rows (stored for later scans) and its cached ones."""
        src_id, items, known, todo, rows = self._inflight.popleft()
        if rows is None:
            rows = self._worker.result()
            if self._worker.failed and self._worker.failed not in self.warnings:
                self.warnings.append(self._worker.failed)
        if self.feature_cache and todo:
            self.feature_cache.put_many([(it.content_hash, row.features, row.code) for it, row in zip(todo, rows)])
        computed = iter(rows)            # todo: the items not in known, in order
        for item in items:
            if item.content_hash in known:
                features, code = known[item.content_hash]
                row = Processed(features, record_tokens(item.views), code)
                self.features_cached += 1
            else:
                row = next(computed)
            stage.add(self.record(src_id, item.content_hash, item.locator, row), item.views, item.content_hash)

    def close(self) -> None:
        """Stop the feature worker, if one was started."""
        if self._worker is not None:
            self._worker.close()

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
                            code_issues(self.scratch, self.issue_cache), vectors, self.skips, self.skipped, embedded,
                            cached, self.features_cached)



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
    features_cached: int = 0          # records whose features came from the feature cache
    vectors_carried: int = 0          # records whose static vectors came from the last scan's memo
