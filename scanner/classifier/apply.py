"""Feed the model's probability into each finding's score and severity, and explain it."""

from __future__ import annotations

from ..findings import SEVERITIES, severity_rank
from .features import bundle_features

LOWER_BELOW = 0.1    # a medium+ finding this unlike any poisoned bundle drops one level
RAISE_INFO_AT = 0.5  # an info finding this like a poisoned bundle becomes low


def attach_features(findings, ctx) -> None:
    ctx.stats.gaps("joint", [sorted(f.members) for f in findings])  # one pass over the vectors for all findings
    for f in findings:
        f.features = bundle_features(ctx, f.members)


def apply_model(findings, model) -> None:
    for f in findings:
        p = model.probability(f.features)
        before = f.severity
        rank = severity_rank(f.severity)
        if p < LOWER_BELOW and rank >= severity_rank("medium"):
            f.severity = SEVERITIES[rank - 1]
        elif p >= RAISE_INFO_AT and f.severity == "info":
            f.severity = "low"
        f.score = round((f.score + p) / 2, 4)
        f.evidence["classifier"] = {"probability": round(p, 4), "top_features": model.explain(f.features)}
        if f.severity != before:
            f.message += f" Bundle model: probability {p:.2f}, {before} -> {f.severity}."
