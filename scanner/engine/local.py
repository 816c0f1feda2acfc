"""The local engine: one streaming pass, then the whole-dataset steps, then the rules.

read -> normalise -> record features -> embed (cached) -> code analysis -> neighbours / bundles
     -> rules -> combine severities -> bundle classifier -> report
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from ..baseline import entries as baseline_entries
from ..classifier.apply import apply_model, attach_features
from ..classifier.model import load_model
from ..cluster.graph_memo import GraphMemo
from ..combine import combine
from ..context import ScanContext
from ..embed.cache import EmbeddingCache, default_cache_dir
from ..embed.memo import VectorMemo
from ..embed.ondemand import OnDemandVectors, TextSpill
from ..embed.stage import EmbeddingStage
from ..errors import ConfigError
from ..findings import Finding, fingerprint, report_order
from ..options import ScanOptions
from ..progress import begin_stage
from ..judge import JudgeSettings, judge_findings
from ..readers import ReadOptions, Source, expand_paths
from ..result import ScanResult
from ..rules.registry import all_rules, select_rules
from ..suppress import check_per_path_ignores, suppress
from .collect import CompactState, Collector, Progress
from .feature_cache import CodeIssueCache, FeatureCache
from .examples import RecordFetcher, quote_and_attach, redact_findings

def make_embedder(opts: ScanOptions):
    """The embedder every record goes through: static vectors on the fast path and in the cascade."""
    if opts.embedder in ("fast", "cascade"):
        from ..embed.static import StaticEmbedder

        store = None if opts.no_cache else (opts.cache_dir or default_cache_dir())
        return StaticEmbedder(opts.model, store)
    return make_transformer(opts)


def make_transformer(opts: ScanOptions):
    """The transformer: the whole dataset's on the accurate path (fp32 unless asked), the cascade's few rows
    (``auto`` is bf16 there on a CPU with native bf16: see ``embed/sentence_transformers.py``)."""
    from ..embed.sentence_transformers import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(opts.model, opts.precision, opts.batch_size, opts.allow_download,
                                       prefer_bf16=opts.embedder == "cascade")


def make_rules(opts: ScanOptions):
    available = all_rules(opts.plugins)
    chosen = select_rules(available, opts.select, opts.ignore)
    check_per_path_ignores(opts.per_path_ignores, available)
    if opts.baseline:
        baseline_entries(opts.baseline)  # a bad baseline fails before any work
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
    rules = make_rules(opts)
    sources = expand_paths(paths, opts.split, opts.allow_download)
    begin_stage(progress, "read+embed")
    warnings: list[str] = []
    cache = None if opts.no_cache else EmbeddingCache(opts.cache_dir or default_cache_dir(), warnings.append)
    work = Path(tempfile.mkdtemp(prefix="poisonscan-"))  # float16 vectors and code snippets of this scan
    try:
        (work / "code").mkdir()
        spill = TextSpill(work / "texts.bin") if opts.embedder == "cascade" else None
        folder = opts.cache_dir or default_cache_dir()
        usable = cache is not None and cache.db is not None    # else the folder's one warning is given
        embedder = embedder or make_embedder(opts)
        memo = _static_memo(embedder, folder, paths, warnings) if usable else None
        stage = EmbeddingStage(embedder, cache, work, progress, keep_texts=spill.add if spill else None, memo=memo)
        features = FeatureCache(folder, opts.packs, warnings.append) if usable else None
        issues = CodeIssueCache(folder, warnings.append) if usable else None
        collector = Collector(opts, work / "code", features, issues)
        read_opts = ReadOptions(opts.schema, opts.text_field, opts.max_record_bytes)
        try:
            for src_id, src in enumerate(sources):
                collector.consume(src_id, src, read_opts, stage)
            collector.require_records(paths)
            vectors = stage.finish(len(collector.hashes))
            if memo is not None and stage.memo_records < len(collector.hashes):
                problem = memo.save(collector.hashes, vectors["prompt"], vectors["answer"])
                if problem:
                    warnings.append(problem)
        finally:
            collector.close()
            stage.close()
            if spill:
                spill.finish()
            if cache:
                cache.close()
        try:
            state = collector.state(vectors, stage.embedded, stage.cached)
            state.vectors_carried = stage.memo_records
        finally:
            for store in (features, issues):
                if store:
                    store.close()
        warnings += collector.warnings
        return finish_scan(state, sources, read_opts, opts, rules, warnings, started, texts=spill, scratch=work,
                           progress=progress)
    finally:
        if spill:
            spill.close()
        shutil.rmtree(work, ignore_errors=True)


def _static_memo(embedder, folder, paths: list[str], warnings: list[str]):
    """The static vectors of the last scan of these paths (``embed/memo.py``), for an embedder that is not
    cached per text; None for the others."""
    if getattr(embedder, "cacheable", True):
        return None
    memo = VectorMemo(folder, embedder.model_id, paths).load()
    if memo.problem:
        warnings.append(memo.problem)
    return memo


def finish_scan(state: CompactState, sources: list[Source], read_opts: ReadOptions, opts: ScanOptions, rules,
                warnings: list[str], started: float, texts=None, scratch: Path | None = None,
                progress: Progress | None = None) -> ScanResult:
    """The whole-dataset steps, shared by every engine: neighbours, bundles, rules, report data.

    In the cascade, ``texts(indices)`` gives records' views for the transformer (default: re-read from the
    files) and ``scratch`` holds its on-demand vectors."""
    read_embed_s = time.perf_counter() - started
    begin_stage(progress, "rules", len(rules), "rule")
    fetch = RecordFetcher(sources, state.origin, read_opts)
    v = state.vectors
    ondemand, od_cache, own_scratch = None, None, None
    if opts.embedder == "cascade":
        od_cache = None if opts.no_cache else EmbeddingCache(opts.cache_dir or default_cache_dir(), warnings.append)
        if scratch is None:
            scratch = own_scratch = Path(tempfile.mkdtemp(prefix="poisonscan-"))
        ondemand = OnDemandVectors(make_transformer(opts), od_cache, texts or fetch, len(state.hashes),
                                   {"prompt": v["present_prompt"], "answer": v["present_answer"]}, scratch)
    try:
        graph_memo = None if opts.no_cache else GraphMemo(opts.cache_dir or default_cache_dir(), warnings.append)
        ctx = ScanContext.build(state.hashes, v["prompt"], v["answer"], v["present_prompt"], v["present_answer"],
                                state.candidates, ondemand=ondemand, features=state.features,
                                code_issues=state.code_issues, graph_memo=graph_memo)
        rules_started = time.perf_counter()
        findings = _run_rules(rules, ctx, opts, progress)
        rules_s = time.perf_counter() - rules_started
    finally:
        if od_cache:
            od_cache.close()
        if own_scratch:
            shutil.rmtree(own_scratch, ignore_errors=True)
    report_started = time.perf_counter()
    judge_s = 0.0
    accepted = baseline_entries(opts.baseline) if opts.baseline else {}
    seen = {f.fingerprint for f in findings}
    rule_classes = {type(r).code: type(r) for r in rules}
    findings, hidden = suppress(findings, state.locators, accepted, opts.per_path_ignores, rule_classes)
    judge = JudgeSettings.from_dict(opts.judge)
    if judge is not None:
        begin_stage(progress, "judge", len(findings), "finding")
        judge_started = time.perf_counter()
        labelled = judge_findings(findings, state.hashes, fetch, lambda i: str(state.locators[i]), judge,
                                  opts.redact, None if opts.no_cache else (opts.cache_dir or default_cache_dir()),
                                  warnings, make_labelled="PC901" in rule_classes)
        labelled, hidden_labelled = suppress(labelled, state.locators, accepted, opts.per_path_ignores,
                                             rule_classes)
        seen |= {f.fingerprint for f in labelled} | {f.fingerprint for f, _ in hidden_labelled}
        hidden += hidden_labelled
        findings = sorted(findings + labelled, key=report_order)
        judge_s = time.perf_counter() - judge_started
    begin_stage(progress, "report")
    kept_hidden = hidden if opts.keep_suppressed else []
    projection = None
    if opts.projection:
        from ..projection import project

        projection = project(ctx, findings)
        projection["where"] = [str(state.locators[i]) for i in projection["index"]]
    reported = findings + [f for f, _ in kept_hidden]   # what some report shows: examples, quotes, locators
    quote_and_attach(reported, fetch, opts.examples)
    if opts.redact:
        redact_findings(reported)
    members = {i for f in reported for i in f.members}
    return ScanResult(
        records=len(state.hashes), files=len(sources), findings=findings,
        locators={i: state.locators[i] for i in sorted(members)},
        skipped=state.skips, skipped_count=state.skipped, warnings=warnings,
        rules=[type(r) for r in rules], projection=projection, suppressed=len(hidden),
        suppressed_findings=kept_hidden,
        baseline_suppressed=sorted(f.fingerprint for f, _ in hidden if f.fingerprint in accepted),
        stale_baseline=[e for fp, e in accepted.items() if fp not in seen],
        stats={"embedded_texts": state.embedded + (ondemand.embedded if ondemand else 0),
               "cached_texts": state.cached + (ondemand.cached if ondemand else 0),
               **({"transformer_embedded": ondemand.embedded, "transformer_cached": ondemand.cached,
                   "transformer_records": int((ondemand.done["prompt"] | ondemand.done["answer"]).sum()),
                   "transformer_requests": ondemand.requests,
                   "transformer_budgets": {name: b.summary() for name, b in sorted(ctx.budgets.items())}}
                  if ondemand else {}),
               "features_cached": state.features_cached,
               "vectors_carried": state.vectors_carried,
               "graphs_carried": graph_memo.reused if graph_memo else 0,
               "read_embed_seconds": round(read_embed_s, 3), "rules_seconds": round(rules_s, 3),
               "rule_seconds": ctx.cache.get("rule_seconds", {}),
               "neighbour_seconds": round(ctx.neighbour_seconds, 3),
               "classifier_seconds": ctx.cache.get("classifier_seconds", 0.0),
               "report_seconds": round(time.perf_counter() - report_started - judge_s, 3),
               **({"judge_seconds": round(judge_s, 3)} if judge is not None else {}),
               "candidate_index_seconds": round(getattr(state.candidates, "seconds", 0.0), 3),
               "total_seconds": round(time.perf_counter() - started, 3)},
    )


def _run_rules(rules, ctx: ScanContext, opts: ScanOptions, progress: Progress | None = None) -> list[Finding]:
    findings: list[Finding] = []
    timing = ctx.cache.setdefault("rule_seconds", {})
    for rule in rules:
        t = time.perf_counter()
        for f in rule.check(ctx):
            f.fingerprint = fingerprint(f.rule, [ctx.hashes[i] for i in f.members])
            findings.append(f)
        timing[type(rule).code] = round(time.perf_counter() - t, 3)
        if progress is not None:
            progress(1)
    t = time.perf_counter()
    combine(findings, ctx, [type(r) for r in rules])
    if opts.classifier or opts.collect_features:
        attach_features(findings, ctx)
    model = load_model() if opts.classifier else None
    if model is not None:
        apply_model(findings, model)
    findings.sort(key=report_order)
    ctx.cache["classifier_seconds"] = round(time.perf_counter() - t, 3)
    return findings


__all__ = ["run_scan", "finish_scan", "make_embedder", "make_transformer", "make_rules"]
