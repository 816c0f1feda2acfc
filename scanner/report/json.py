"""The JSON report: a stable contract (see docs/json-report.md); no timings, so reruns are identical."""

from __future__ import annotations

import json

from ..version import __version__


def finding_dict(result, f) -> dict:
    return {
        "rule": f.rule, "name": f.slug, "severity": f.severity, "score": round(f.score, 4),
        "message": f.message,
        "records": [loc.as_dict() for loc in result.member_locators(f)],
        "evidence": f.evidence, "fingerprint": f.fingerprint,
        "examples": [{**result.locators[e["record"]].as_dict(), "prompt": e["prompt"], "answer": e["answer"]}
                     for e in f.examples],
    }


def report_dict(result) -> dict:
    out = {
        "tool": {"name": "poisonscan", "version": __version__},
        "summary": result.summary,
        "findings": [finding_dict(result, f) for f in result.findings],
        "skipped": [s.as_dict() for s in result.skipped],
    }
    if result.baseline_suppressed or result.stale_baseline:
        out["baseline"] = {"suppressed": list(result.baseline_suppressed),
                           "stale": [e["fingerprint"] for e in result.stale_baseline]}
    return out


def render_json(result) -> str:
    return json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n"
