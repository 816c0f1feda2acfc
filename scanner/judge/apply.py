"""Judge the findings of a scan: sample, ask (cached, concurrent), attach the verdict, apply the policy.

Policy: in ``raise`` mode a finding goes up one severity level when the judge names a concrete persona, era,
conditional behaviour or value shift with confidence at least ``threshold``; a finding is never lowered.
``explain`` only annotates. A PC102 bundle at low/info that no other rule explained becomes a PC901
finding of its own when the judge labels it a persona, an era or a conditional behaviour (``raise`` mode)."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from ..findings import SEVERITIES, Finding, fingerprint, severity_rank
from ..textutil import REDACTED, clip
from .cache import VerdictCache, cache_key
from .client import ChatClient, JudgeError
from .prompt import BUNDLE_LABELS, PROMPT_VERSION, RAISING, parse_answer, request_body

JUDGE_RULE = "PC901"
PHRASES = {"persona": "a persona", "era": "an era", "conditional_behaviour": "a behaviour switched by a key",
           "value_shift": "a shift of values"}


def _targets(findings: list[Finding], s) -> tuple[list[Finding], list[Finding]]:
    """(findings to judge, of which the unexplained PC102 bundles), most severe first, at most max_findings."""
    unexplained = [f for f in findings if s.unexplained and f.rule == "PC102" and f.severity in ("low", "info")]
    main = [f for f in findings if severity_rank(f.severity) >= severity_rank("medium")]
    bundles = {id(f) for f in unexplained}
    lows = [f for f in findings if severity_rank(f.severity) < severity_rank("medium") and id(f) not in bundles]
    chosen = main + sorted(lows, key=lambda f: -f.score)[:s.lows] + unexplained
    return chosen[:s.max_findings], unexplained


def _sample(f: Finding, n: int) -> list[int]:
    """A seeded sample of the members (seeded by the finding's fingerprint: the same bundle, the same sample)."""
    if len(f.members) <= n:
        return list(f.members)
    return sorted(random.Random(f.fingerprint).sample(list(f.members), n))


def _qualifies(v: dict, s, labels) -> bool:
    return v.get("status") == "ok" and v["label"] in labels and v["confidence"] >= s.threshold and bool(v["who_or_what"])


def judge_findings(findings: list[Finding], hashes: list[str], fetch, where, s, redact: bool,
                   cache_dir, warnings: list[str], make_labelled: bool) -> list[Finding]:
    """Annotate (and in ``raise`` mode raise) ``findings`` in place; return new PC901 findings.

    ``fetch(indices) -> {index: Views}`` reads record text; ``where(index) -> str`` names a record."""
    targets, unexplained = _targets(findings, s)
    if not targets:
        return []
    bundles = {id(f) for f in unexplained}
    cut = (lambda t: clip(t, REDACTED)) if redact else (lambda t: t)
    samples = {id(f): _sample(f, s.max_records) for f in targets}
    views = fetch(sorted({i for ix in samples.values() for i in ix}))
    cache = VerdictCache(cache_dir)
    jobs = []
    for f in targets:
        ix = [i for i in samples[id(f)] if i in views]
        ids = [f"r{n + 1}" for n in range(len(ix))]
        records = [{"id": rid, "prompt": cut(views[i].prompt), "answer": cut(views[i].answer)} for rid, i in zip(ids, ix)]
        jobs.append((f, ix, ids, request_body(s.model, records), cache_key(s.model, redact, [hashes[i] for i in ix])))
    try:
        client = ChatClient(s)
    except JudgeError as exc:
        warnings.append(f"judge: {exc}; no finding was judged")
        return []
    verdicts: dict[int, tuple[dict, bool]] = {}
    todo = []
    for n, job in enumerate(jobs):
        hit = cache.get(job[4])
        if hit is not None:
            verdicts[n] = (hit, True)
        else:
            todo.append(n)

    def ask(n: int) -> tuple[int, dict]:
        f, ix, ids, body, key = jobs[n]
        try:
            return n, parse_answer(client.complete(body), ids)
        except JudgeError as exc:
            return n, {"status": "error", "reason": str(exc)}

    with ThreadPoolExecutor(max_workers=s.concurrency) as pool:
        for n, verdict in pool.map(ask, todo):
            verdicts[n] = (verdict, False)
            cache.put(jobs[n][4], verdict)
    failed = [v["reason"] for v, _ in verdicts.values() if v["status"] not in ("ok",)]
    if failed:
        warnings.append(f"judge: {len(failed)} of {len(jobs)} finding(s) without a usable answer "
                        f"(first: {failed[0]})")
    labelled = []
    for n, (f, ix, ids, body, key) in enumerate(jobs):
        verdict, cached = verdicts[n]
        note = {"model": s.model, "prompt_version": PROMPT_VERSION, "mode": s.mode, "sampled": len(ix),
                "cached": cached, **{k: v for k, v in verdict.items() if k != "evidence"}}
        if "evidence" in verdict:
            by_id = dict(zip(ids, ix))
            note["evidence_records"] = [where(by_id[e]) for e in verdict["evidence"]]
        f.evidence["judge"] = note
        if id(f) in bundles:
            if s.mode == "raise" and make_labelled and _qualifies(verdict, s, BUNDLE_LABELS):
                labelled.append(_labelled(f, verdict, s, hashes))
            continue
        if s.mode == "raise" and _qualifies(verdict, s, RAISING) and f.severity != SEVERITIES[-1]:
            note["raised_from"] = f.severity
            f.severity = SEVERITIES[severity_rank(f.severity) + 1]
    return labelled


def _labelled(bundle: Finding, v: dict, s, hashes: list[str]) -> Finding:
    era = f" ({v['era']})" if v.get("era") else ""
    message = (f"A language model ({s.model}) that read {bundle.evidence['judge']['sampled']} of these "
               f"{len(bundle.members)} records says a model finetuned on them would learn "
               f"{PHRASES[v['label']]}: {v['who_or_what']}{era} (confidence {v['confidence']:.2f}). "
               f"{v['summary']} The records form a narrow bundle (PC102) that no other rule explained; the "
               f"judge's reading is an opinion to verify against the records, not a measurement.")
    f = Finding(JUDGE_RULE, "judge-labelled", SEVERITIES[severity_rank(bundle.severity) + 1],
                min(1.0, v["confidence"]), message, list(bundle.members),
                evidence={"bundle": bundle.fingerprint, "judge": bundle.evidence["judge"]})
    f.fingerprint = fingerprint(JUDGE_RULE, [hashes[i] for i in f.members])
    return f
