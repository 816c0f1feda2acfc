"""The local engine: one streaming pass, then the whole-dataset steps, then the rules.

read -> normalise -> record features -> embed (cached) -> code analysis -> neighbours / bundles
     -> rules -> combine severities -> bundle classifier -> report
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..baseline import load as load_baseline
from ..classifier.apply import apply_model, attach_features
from ..classifier.model import load_model
from ..combine import combine
from ..context import ScanContext
from ..embed.cache import EmbeddingCache, default_cache_dir
from ..embed.stage import EmbeddingStage
from ..errors import ConfigError, InputError
from ..features.bandit_scan import run_bandit
from ..features.extract import extract
from ..findings import Finding, fingerprint, severity_rank
from ..options import ScanOptions
from ..readers import ReadOptions, Source, expand_paths, read_source
from ..records import Locator, Skip
from ..result import ScanResult
from ..rules.registry import all_rules, select_rules
from ..suppress import check_per_path_ignores, suppress
from ..triggers.index import CandidateIndex
from ..triggers.tokens import record_tokens
from .examples import RecordFetcher, attach_examples, redact_findings

Progress = Callable[[int], None]


class _Collector:
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

    def consume(self, src_id: int, src: Source, read_opts: ReadOptions, stage: EmbeddingStage) -> None:
        """The local streaming pass over one file."""
        for item in read_source(src, read_opts):
            if isinstance(item, Skip):
                self.skip(item)
                continue
            feats, code = extract(item.views, self.opts.packs)
            index = self.record(src_id, item.content_hash, item.locator, feats, record_tokens(item.views), code)
            stage.add(index, item.views)

    def skip(self, item: Skip) -> None:
        if self.opts.strict:
            raise InputError(f"{item} (--strict)")
        self.skipped += 1
        if len(self.skips) < self.opts.max_skips_listed:
            self.skips.append(item)

    def record(self, src_id: int, content_hash: str, locator: Locator, features, tokens: dict,
               code: str | None) -> int:
        """Keep one readable record's compact state; return its index."""
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


def _embedder(opts: ScanOptions):
    if opts.embedder == "fast":
        from ..embed.static import StaticEmbedder

        store = None if opts.no_cache else (opts.cache_dir or default_cache_dir())
        return StaticEmbedder(opts.model, store)
    from ..embed.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(opts.model, opts.precision, opts.batch_size, opts.allow_download)


def _rules(opts: ScanOptions):
    available = all_rules(opts.plugins)
    chosen = select_rules(available, opts.select, opts.ignore)
    check_per_path_ignores(opts.per_path_ignores, available)
    if opts.baseline:
        load_baseline(opts.baseline)  # a bad baseline fails before any work
    unknown = set(opts.rule_options) - {r.code for r in available}
    if unknown:
        raise ConfigError(f"options given for unknown rule(s): {', '.join(sorted(unknown))}")
    try:
        return [cls(**opts.rule_options.get(cls.code, {})) for cls in chosen]
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def run_scan(paths: list[str], opts: ScanOptions, progress: Progress | None = None,
             embedder=None) -> ScanResult:
    started = time.perf_counter()
    rules = _rules(opts)
    sources = expand_paths(paths)
    warnings: list[str] = []
    cache = None if opts.no_cache else EmbeddingCache(opts.cache_dir or default_cache_dir(), warnings.append)
    work = Path(tempfile.mkdtemp(prefix="poisonscan-"))  # float16 vectors and code snippets of this scan
    try:
        (work / "code").mkdir()
        stage = EmbeddingStage(embedder or _embedder(opts), cache, work, progress)
        collector = _Collector(opts, work / "code")
        read_opts = ReadOptions(opts.schema, opts.text_field, opts.max_record_bytes)
        try:
            for src_id, src in enumerate(sources):
                collector.consume(src_id, src, read_opts, stage)
            collector.require_records(paths)
            vectors = stage.finish(len(collector.hashes))
        finally:
            stage.close()
            if cache:
                cache.close()
        state = collector.state(vectors, stage.embedded, stage.cached)
        return finish_scan(state, sources, read_opts, opts, rules, warnings, started)
    finally:
        shutil.rmtree(work, ignore_errors=True)


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


def finish_scan(state: CompactState, sources: list[Source], read_opts: ReadOptions, opts: ScanOptions, rules,
                warnings: list[str], started: float) -> ScanResult:
    """The whole-dataset steps, shared by every engine: neighbours, bundles, rules, report data."""
    read_embed_s = time.perf_counter() - started
    fetch = RecordFetcher(sources, state.origin, read_opts)
    v = state.vectors
    ctx = ScanContext.build(state.hashes, v["prompt"], v["answer"], v["present_prompt"], v["present_answer"],
                            state.candidates, features=state.features, code_issues=state.code_issues, fetch=fetch)
    rules_started = time.perf_counter()
    findings = _run_rules(rules, ctx, opts)
    rules_s = time.perf_counter() - rules_started
    accepted = load_baseline(opts.baseline) if opts.baseline else set()
    findings, suppressed = suppress(findings, state.locators, accepted, opts.per_path_ignores,
                                    {type(r).code: type(r) for r in rules})
    projection = None
    if opts.projection:
        from ..projection import project

        projection = project(ctx, findings)
        projection["where"] = [str(state.locators[i]) for i in projection["index"]]
    if opts.examples:
        attach_examples(findings, fetch, opts.examples)
    if opts.redact:
        redact_findings(findings)
    members = {i for f in findings for i in f.members}
    return ScanResult(
        records=len(state.hashes), files=len(sources), findings=findings,
        locators={i: state.locators[i] for i in sorted(members)},
        skipped=state.skips, skipped_count=state.skipped, warnings=warnings,
        rules=[type(r) for r in rules], projection=projection, suppressed=suppressed,
        stats={"embedded_texts": state.embedded, "cached_texts": state.cached,
               "read_embed_seconds": round(read_embed_s, 3), "rules_seconds": round(rules_s, 3),
               "rule_seconds": ctx.cache.get("rule_seconds", {}),
               "candidate_index_seconds": round(getattr(state.candidates, "seconds", 0.0), 3),
               "total_seconds": round(time.perf_counter() - started, 3)},
    )


def _run_rules(rules, ctx: ScanContext, opts: ScanOptions) -> list[Finding]:
    findings: list[Finding] = []
    timing = ctx.cache.setdefault("rule_seconds", {})
    for rule in rules:
        t = time.perf_counter()
        for f in rule.check(ctx):
            f.fingerprint = fingerprint(f.rule, [ctx.hashes[i] for i in f.members])
            findings.append(f)
        timing[type(rule).code] = round(time.perf_counter() - t, 3)
    combine(findings, ctx)
    if opts.classifier or opts.collect_features:
        attach_features(findings, ctx)
    model = load_model() if opts.classifier else None
    if model is not None:
        apply_model(findings, model)
    findings.sort(key=lambda f: (-severity_rank(f.severity), -round(f.score, 6), f.rule, f.members[:1]))
    return findings


__all__ = ["run_scan", "finish_scan", "CompactState"]
