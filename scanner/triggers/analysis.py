"""The whole trigger test, run once per scan and shared by the rules that read it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .contrast import MEANING_TESTS, Contrast, contrast, count_tests, p_value
from .descriptors import Descriptors, build
from .null import CandidateNull
from .pairs import PromptNeighbours
from .screen import scores, shortlist
from .select import overlap, representatives, size_key

SHORTLIST = {"answer_residual": 60, "descriptor_residual": 40, "descriptor_enrichment": 20, "answer_shift": 20}
MERGE = 0.8
EXTRAS, KEEPS = 0.5, 0.9   # purest_lead: the larger set's extra carriers switch at most half as much; 90% kept
CORROBORATE_EFFECT, CORROBORATE_P = 0.3, 0.05     # one-sided; the meaning test carries the significance
NULL_BUDGET = 40       # candidates compared with their reference sets (the most significant first)
# effects that ordinary wording can imply (a question about "you" gets a self-description, "how many" a
# number): they count only when they stand out from comparable candidates; behaviour flips count unless
# comparable candidates show the same
SEMANTIC = {"embedding", "off_topic", "self_claim", "fixed_answer", "language_switch", "silent_vulnerability"}
MEANING = set(MEANING_TESTS)    # changes of what answers say, not of what they do: at most low


@dataclass
class TriggerEffect:
    name: dict                      # the smallest candidate: kind, text, tokens
    variants: list                  # other candidates on (nearly) the same records
    carriers: np.ndarray
    contrast: Contrast
    p_adjusted: float               # the named effect's own test, corrected
    tests: int
    p_meaning: float | None = None  # the change of answer meaning on the same pairs, corrected (None: not shown)
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
    tests = count_tests(raw, alpha)   # Bonferroni over every test that could have fired
    budget = [NULL_BUDGET]

    def judged(t):
        if pick_best(t, tests, alpha, min_effect, prelim=True) and budget[0] > 0:
            budget[0] -= 1
            null.standardise(t, lambda r, ex: contrast(pn, desc, -1, r, exclude=np.union1d(ex, t.excluded)))
        pick_best(t, tests, alpha, min_effect)
        return t

    raw = sorted((t for t in raw if pick_best(t, tests, alpha, min_effect, prelim=True)), key=strength)
    strong = sorted((t for t in map(judged, raw) if t.best), key=strength)
    groups: list[list] = []          # each: tests on (nearly) the same records, strongest first
    explained = np.zeros(0, np.int64)
    for t in strong:
        home = next((g for g in groups if overlap(g[0].carriers, t.carriers) >= MERGE), None)
        if home is not None:
            home.append(t)
            continue
        rest = np.setdiff1d(t.carriers, explained)
        if len(rest) < len(t.carriers) or np.isin(t.pairs[1], explained).any():
            if len(rest) < min_support:
                continue
            t = judged(contrast(pn, desc, t.candidate, rest, exclude=explained))
            if not t.best:
                continue
        groups.append([t])
        explained = np.union1d(explained, t.carriers)
    pn.release()
    leads = [purest_lead(sorted(g, key=strength)) for g in groups]
    _answer_neighbours(ctx, [g[0].carriers for g in leads])
    return [_effect(ctx, cands, aliases, g, tests) for g in leads]


def _answer_neighbours(ctx, carriers: list) -> None:
    """The answer view's neighbours of every effect's carriers (their lift) in one search: a view without an
    index searches each call's rows against every answer, so one call reads the answers once, not per effect."""
    if carriers:
        rows = np.unique(np.concatenate(carriers))
        ctx.discovery_stats.neighbours("answer", rows[ctx.present["answer"][rows]])


def switched(t) -> float:
    """How many carriers the test's effect accounts for: carriers x the effect (the difference between the
    carriers' and their controls' rates, in either direction: answering more, or refusing less)."""
    return len(t.carriers) * float(t.effect)


def purest_lead(group: list) -> list:
    """Tests on nearly the same records are ordered by significance, which favours the larger carrier set: a
    token that also occurs in records that do not switch (``<`` around ``<<KEY>>``, ``[[`` in nested arrays
    around ``[[KEY]]``) gains pairs and z while diluting the effect. A smaller test leads instead when its
    carriers are (nearly) a subset of the lead's, it shows the same behaviour, it accounts for nearly all the
    switched records (``KEEPS``), and the records only the larger set carries switch at most ``EXTRAS`` times
    as often as its own (switched = carriers x effect, so the extras' effect is what the larger set adds per
    extra carrier). That compares the extras with the subset whatever the effect's size or the share of
    extras, so a superset whose extra carriers switch like the rest keeps the lead."""
    lead = group[0]
    for t in group[1:]:
        extra = len(lead.carriers) - len(t.carriers)
        if t.best == lead.best and extra > 0 and overlap(t.carriers, lead.carriers) >= MERGE \
                and switched(t) >= KEEPS * switched(lead) \
                and (switched(lead) - switched(t)) / extra <= EXTRAS * float(t.effect):
            lead = t
    return [lead] + [t for t in group if t is not lead]


def strength(t) -> tuple:
    """Order of tests: a change of behaviour before a change of meaning, then significance, then effect."""
    return (t.best in MEANING, -t.z, -t.effect, t.candidate)


def _effect(ctx, cands, aliases, group: list, tests: int) -> TriggerEffect:
    """One effect from the tests on the same records: the strongest test leads; the smallest candidate that
    covers (nearly) all its records with (nearly) its effect names it."""
    lead = group[0]
    names = []
    for t in group:
        found = [cands.describe(t.candidate)] + [cands.describe(a) for a in aliases.get(t.candidate, [])]
        covers = len(t.carriers) >= MERGE * len(lead.carriers) and (t.best in MEANING) == (lead.best in MEANING)
        names += [(d, covers and t.effect >= 0.9 * lead.effect) for d in found]
    name = min((d for d, ok in names if ok), key=size_key, default=names[0][0])
    variants = [d for d, _ in sorted(names, key=lambda x: size_key(x[0])) if d is not name]
    e = TriggerEffect(name, variants, lead.carriers, lead, min(1.0, p_value(lead.z) * tests), tests,
                      None if lead.meaning_z is None else min(1.0, p_value(lead.meaning_z) * tests),
                      explained_from=len(cands.carriers(lead.candidate)) if lead.candidate >= 0 else len(lead.carriers))
    e.lift = ctx.discovery_stats.lift("answer", e.carriers)
    return e


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
    meaning = [r["z"] for n, r in t.effects.items() if n in MEANING and r["qualifies"]]
    t.meaning_z = max(meaning) if meaning else None
    if t.best in MEANING:
        _corroborate(t)
    return t.best is not None


def _corroborate(t) -> None:
    """A change of meaning that passed every test names a change of behaviour too small on its own to
    survive the correction: a behaviour that changes by at least ``CORROBORATE_EFFECT`` in the same pairs at
    p <= ``CORROBORATE_P`` (uncorrected, one-sided) is what the meaning change consists of."""
    for name, res in sorted(t.effects.items(), key=lambda kv: -kv[1]["effect"]):
        if name in MEANING or res.get("stands_out") is False:
            continue
        if res["effect"] >= CORROBORATE_EFFECT and p_value(res["z"]) <= CORROBORATE_P:
            res["corroborated_by"] = t.best
            t.best, t.effect, t.z = name, res["effect"], res["z"]
            return


def _subset(cands, keep: np.ndarray):
    from .index import Candidates

    parts = [cands.carriers(c) for c in keep]
    support = np.array([len(p) for p in parts], dtype=np.int64)
    return Candidates(cands.keys[keep], np.concatenate([[0], np.cumsum(support)]).astype(np.int64),
                      np.concatenate(parts) if parts else np.zeros(0, np.int32), cands.vocab)
