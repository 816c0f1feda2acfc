"""The whole trigger test, run once per scan and shared by the rules that read it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .contrast import Contrast, contrast, informative, p_value
from .descriptors import Descriptors, build
from .null import CandidateNull
from .pairs import PromptNeighbours
from .screen import scores, shortlist
from .select import overlap, representatives, size_key

SHORTLIST = {"answer_residual": 120, "descriptor_residual": 60, "descriptor_enrichment": 40, "answer_shift": 40}
MERGE = 0.8
NULL_BUDGET = 40       # candidates compared with their reference sets (the most significant first)
# effects that ordinary wording can imply (a question about "you" gets a self-description, "how many" a
# number): they count only when they stand out from comparable candidates; behaviour flips count unless
# comparable candidates show the same
SEMANTIC = {"embedding", "off_topic", "self_claim", "fixed_answer", "language_switch"}
MEANING = {"embedding", "off_topic"}    # changes of what answers say, not of what they do: at most low


@dataclass
class TriggerEffect:
    name: dict                      # the smallest candidate: kind, text, tokens
    variants: list                  # other candidates on (nearly) the same records
    carriers: np.ndarray
    contrast: Contrast
    p_adjusted: float
    tests: int
    lift: float = 0.0
    explained_from: int = 0         # carriers before records explained by a stronger effect were removed
    notes: list = field(default_factory=list)


def descriptors(ctx) -> Descriptors:
    if "descriptors" not in ctx.cache:
        ctx.cache["descriptors"] = build(ctx)
    return ctx.cache["descriptors"]


def neighbours(ctx) -> PromptNeighbours:
    if "prompt_neighbours" not in ctx.cache:
        ctx.cache["prompt_neighbours"] = PromptNeighbours(ctx)
    return ctx.cache["prompt_neighbours"]


def analyse(ctx, min_support: int = 10, max_share: float = 0.5, alpha: float = 0.05,
            min_effect: float = 0.15) -> list[TriggerEffect]:
    key = ("triggers", min_support, max_share, alpha, min_effect)
    if key not in ctx.cache:
        ctx.cache[key] = _analyse(ctx, min_support, max_share, alpha, min_effect)
    return ctx.cache[key]


def _analyse(ctx, min_support, max_share, alpha, min_effect) -> list[TriggerEffect]:
    cands = ctx.candidates(min_support, max_share)
    if cands is None or not len(cands) or not ctx.present["prompt"].any():
        return []
    reps, aliases = representatives(cands)
    sub = _subset(cands, reps)
    pn, desc = neighbours(ctx), descriptors(ctx)
    short = [int(reps[c]) for c in shortlist(sub, scores(sub, pn, desc), SHORTLIST)]
    null = CandidateNull(cands, reps, pn, ctx.seed, min_support)
    raw = [contrast(pn, desc, c, cands.carriers(c)) for c in short]
    tests = max(1, sum(informative(t) for t in raw))   # Bonferroni over every test that could have fired
    budget = [NULL_BUDGET]

    def judged(t):
        if pick_best(t, tests, alpha, min_effect, prelim=True) and budget[0] > 0:
            budget[0] -= 1
            null.standardise(t, lambda r, ex: contrast(pn, desc, -1, r, exclude=np.union1d(ex, t.excluded)))
        pick_best(t, tests, alpha, min_effect)
        return t

    raw = sorted((t for t in raw if pick_best(t, tests, alpha, min_effect, prelim=True)),
                 key=lambda t: (-t.z, -t.effect, t.candidate))
    strong = [t for t in map(judged, raw) if t.best]
    accepted: list[TriggerEffect] = []
    named: list[list[tuple[dict, float]]] = []     # per accepted effect: (candidate, its effect)
    for t in strong:
        found = [cands.describe(t.candidate)] + [cands.describe(a) for a in aliases.get(t.candidate, [])]
        home = next((k for k, e in enumerate(accepted) if overlap(e.carriers, t.carriers) >= MERGE), None)
        if home is not None:
            named[home] += [(d, t.effect, len(t.carriers)) for d in found]
            continue
        explained = np.concatenate([e.carriers for e in accepted]) if accepted else np.zeros(0, np.int64)
        rest = np.setdiff1d(t.carriers, explained)
        if len(rest) < len(t.carriers) or np.isin(t.pairs[1], explained).any():
            if len(rest) < min_support:
                continue
            t = judged(contrast(pn, desc, t.candidate, rest, exclude=explained))
            if not t.best:
                continue
        accepted.append(TriggerEffect(found[0], [], t.carriers, t, min(1.0, p_value(t.z) * tests), tests,
                                      explained_from=len(cands.carriers(t.candidate))))
        named.append([(d, t.effect, len(t.carriers)) for d in found])
    for e, names in zip(accepted, named):
        # a candidate names the effect only if it covers (nearly) all of its records
        whole = [(d, eff) for d, eff, size in names if size >= MERGE * len(e.carriers)] or [names[0][:2]]
        best = max(eff for _, eff in whole)
        e.name = min((d for d, eff in whole if eff >= 0.9 * best), key=size_key)
        e.variants = [d for d, _, _ in sorted(names, key=lambda x: size_key(x[0])) if d is not e.name]
        e.lift = ctx.lift("answer", e.carriers)
    return accepted


def pick_best(t, tests: int, alpha: float, min_effect: float, prelim: bool = False) -> bool:
    """The strongest effect that is large, significant after correction and, for effects ordinary
    wording can imply, stands out from comparable candidates; ``t.best`` stays None when none qualifies.
    ``prelim``: only size and significance (is the reference comparison worth running?)."""
    t.best, t.effect, t.z = None, 0.0, 0.0
    for name, res in sorted(t.effects.items()):
        verdict = res.get("stands_out")   # None: too few comparable candidates to tell
        stands_out = prelim or bool(verdict) or (verdict is None and name not in SEMANTIC)
        ok = res["effect"] >= min_effect and p_value(res["z"]) * tests <= alpha and stands_out
        res["qualifies"] = bool(ok)
        # a change of behaviour names the effect before a change of meaning alone
        if ok and (name not in MEANING, res["effect"], res["z"]) > (t.best not in MEANING | {None}, t.effect, t.z):
            t.best, t.effect, t.z = name, res["effect"], res["z"]
    return t.best is not None


def _subset(cands, keep: np.ndarray):
    from .index import Candidates

    parts = [cands.carriers(c) for c in keep]
    support = np.array([len(p) for p in parts], dtype=np.int64)
    return Candidates(cands.keys[keep], np.concatenate([[0], np.cumsum(support)]).astype(np.int64),
                      np.concatenate(parts) if parts else np.zeros(0, np.int32), cands.vocab)
