"""Feed the model's probability into each finding's score and severity, and explain it."""

from __future__ import annotations

from ..cluster.budget import CLASSIFIER_ROWS, STATIC_NOTE
from ..findings import SEVERITIES, report_order, severity_rank
from .features import bundle_features

LOWER_BELOW = 0.1    # a medium+ finding this unlike any poisoned bundle drops one level
RAISE_INFO_AT = 0.5  # an info finding this like a poisoned bundle becomes low


def attach_features(findings, ctx) -> None:
    """Every finding's bundle features. In the cascade they are read in the transformer's space, the most
    severe findings first, within a budget of transformer rows (``cluster/budget.py``); past it a finding's
    features come from the static vectors, and its evidence says so."""
    budget = ctx.budget("classifier", CLASSIFIER_ROWS)
    if budget is None:
        ctx.stats.gaps("joint", [sorted(f.members) for f in findings])  # one pass over the vectors for all
        for f in findings:
            f.features = bundle_features(ctx, f.members)
        return
    rest = []
    ordered = sorted(findings, key=report_order)
    ctx.stats.expect_gaps("joint", [sorted(f.members) for f in ordered])   # their static candidates share passes
    for f, judged in budget.share(ordered):
        if judged:
            f.features = bundle_features(ctx, f.members)
        else:
            rest.append(f)
    ctx.discovery_stats.gaps("joint", [sorted(f.members) for f in rest])   # shared passes over the vectors
    for f in rest:
        f.features = bundle_features(ctx, f.members, static=True)
        f.evidence["classifier_space"] = STATIC_NOTE


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
