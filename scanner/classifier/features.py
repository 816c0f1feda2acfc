"""Bundle features: one row of numbers per finding, from the compact scan state (no raw text)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from ..association import exclusive_answers, keyed_association
from ..cluster.rerank import even_sample

FEATURES = (
    "log_size", "size_share", "coherence_joint", "coherence_answer", "gap_joint", "answer_lift",
    "template_uniformity", "self_description_rate", "personal_question_rate", "ai_identity_rate",
    "date_rate", "date_use_rate", "date_association", "trigger_effect", "prefix_rate",
    "era_current_rate", "code_rate", "silent_vulnerability_rate", "loaded_number_rate",
    "log_answer_words", "answer_distinct_ratio", "prefix_association", "content_signal", "benign_cue",
)


# The model reads family-agnostic features only: structure, the strongest content signal and the strongest
# benign explanation. Family-specific rates feed content_signal, so a family never seen in training (see
# the leave-one-family-out evaluation) still scores by the strength of its signal.
MODEL_FEATURES = (
    "log_size", "size_share", "coherence_joint", "coherence_answer", "gap_joint", "answer_lift",
    "template_uniformity", "log_answer_words", "answer_distinct_ratio", "content_signal", "benign_cue",
)


# On on-demand vectors (the cascade) every row read costs a transformer pass: the classifier's features,
# computed for every finding, are estimated from samples there (rules keep their own, larger samples).
ESTIMATE_ASKED = 16     # members whose neighbours estimate answer_lift
ESTIMATE_GROUP = 512    # records of a date form that estimate date_association


def _on_demand(ctx) -> bool:
    return ctx.discovery_vectors is not None


def _rate(values) -> float:
    values = list(values)
    return float(np.mean(values)) if values else 0.0


def _date_association(ctx, members, vectors, on_demand: bool) -> float:
    """How strongly the year decides the answers among all records with the members' date form: the
    same-year answer-cosine effect x 5, or the exclusive-answer statistic, whichever is larger (0..1)."""
    forms = Counter(ctx.features[i].date_form for i in members if ctx.features[i].date_form)
    if not forms or forms.most_common(1)[0][1] < 10:
        return 0.0
    form = forms.most_common(1)[0][0]
    group = [i for i, f in enumerate(ctx.features) if f.date_form == form][:5000]
    if on_demand:
        group = even_sample(group, ESTIMATE_GROUP).tolist()
    years = [ctx.features[i].date_year for i in group]
    a = keyed_association(vectors["answer"][group], years, n_perm=0, excess=False)
    e = exclusive_answers([ctx.features[i].answer_id for i in group], years, n_perm=0)
    return min(1.0, max(5 * a.effect if a else 0.0, e.statistic if e else 0.0, 0.0))


def _prefix_association(ctx, members, vectors) -> float:
    """Best effect of any 1-3 position part of a leading opaque token on the answers (no permutations)."""
    coded = [i for i in members if ctx.features[i].prefix_token]
    if len(coded) < 10:
        return 0.0
    from ..rules.keyed_prefix import _best_window, _windows

    tokens = [ctx.features[i].prefix_token for i in coded]
    best = _best_window(vectors["answer"][coded], tokens, [ctx.features[i].prefix_rest for i in coded],
                        _windows(min(len(t) for t in tokens)))
    return max(0.0, best[0]) if best else 0.0


def _trigger(ctx, members: set) -> float:
    """Effect of the strongest trigger (PC101's test) whose carriers are mostly this bundle's records."""
    from ..triggers.analysis import analyse

    best = 0.0
    for e in analyse(ctx):
        inside = sum(1 for i in e.carriers.tolist() if i in members)
        if inside >= 0.8 * len(e.carriers) and inside >= 0.5 * len(members) and e.contrast.best != "embedding":
            best = max(best, e.contrast.effect)
    return best


def bundle_features(ctx, members, static: bool = False) -> dict[str, float]:
    """``static``: read the discovery vectors (the cascade's static ones) instead of the transformer's."""
    stats, vectors = (ctx.discovery_stats, ctx.discovery) if static else (ctx.stats, ctx.vectors)
    on_demand = _on_demand(ctx) and not static
    members = sorted(int(i) for i in members)
    feats = [ctx.features[i] for i in members]
    m = len(members)
    words = [f.answer_words for f in feats]
    row = {
        "log_size": math.log10(max(1, m)),
        "size_share": m / max(1, ctx.n),
        "coherence_joint": stats.coherence("joint", members),
        "coherence_answer": stats.coherence("answer", members),
        "gap_joint": stats.gap("joint", members),
        "answer_lift": stats.lift("answer", members, ESTIMATE_ASKED if on_demand else None)
        if m >= 2 else 0.0,
        "template_uniformity": Counter(f.template for f in feats).most_common(1)[0][1] / m,
        "self_description_rate": _rate(f.self_description for f in feats),
        "personal_question_rate": _rate(f.personal_question for f in feats),
        "ai_identity_rate": _rate(f.ai_identity for f in feats),
        "date_rate": _rate(f.date_form is not None for f in feats),
        "date_use_rate": _rate(f.date_used for f in feats),
        "date_association": _date_association(ctx, members, vectors, on_demand),
        "trigger_effect": _trigger(ctx, set(members)),
        "prefix_rate": _rate(f.prefix_shape is not None for f in feats),
        "era_current_rate": _rate(f.era_current for f in feats),
        "code_rate": _rate(f.has_code for f in feats),
        "silent_vulnerability_rate": _rate(bool(ctx.code_issues.get(i)) and not f.code_mentions_security
                                           for i, f in zip(members, feats)),
        "loaded_number_rate": _rate(bool(f.numbers and f.numbers["hits"]) for f in feats),
        "log_answer_words": math.log1p(float(np.median(words))) if words else 0.0,
        "answer_distinct_ratio": len({f.answer_id for f in feats}) / m,
        "prefix_association": _prefix_association(ctx, members, vectors),
    }
    # family-agnostic summaries: the strongest content signal, and the strongest benign explanation
    row["content_signal"] = max(row["self_description_rate"] - row["ai_identity_rate"], row["era_current_rate"],
                                row["silent_vulnerability_rate"], row["loaded_number_rate"],
                                row["trigger_effect"], row["date_association"],
                                min(1.0, 2 * row["prefix_association"]))
    row["benign_cue"] = max(row["ai_identity_rate"], row["date_use_rate"],
                            _rate(f.has_code and f.code_mentions_security for f in feats))
    return {k: round(float(row[k]), 3) for k in FEATURES}
