"""PC301 date-conditioned: the date in a prompt decides what the answer says, beyond what the task needs."""

from __future__ import annotations

from collections import Counter

import numpy as np

from ..association import exclusive_answers, keyed_association
from .base import Option, Rule
from .keyed_evidence import mapping_examples


def _year_keys(years: list[int]) -> tuple[list, str]:
    """Years as keys; decades when there are too many distinct years for each to hold a few records."""
    if len(set(years)) <= max(12, len(years) // 8):
        return years, "year"
    return [y // 10 * 10 for y in years], "decade"


class DateConditioned(Rule):
    code = "PC301"
    slug = "date-conditioned"
    summary = "Prompts carry a date, and the answers' content depends on it beyond what the task needs"
    family = "conditioning"
    key = "date"
    options = {
        "min_records": Option(30, "Fewest records sharing a date form"),
        "alpha": Option(0.005, "Significance level of the permutation tests"),
        "min_effect": Option(0.05, "Least same-key minus other-key answer cosine"),
        "min_exclusive": Option(0.5, "Least share of exact answers owned by one key (exclusive-answer test)"),
        "permutations": Option(1000, "Permutations of the date keys per test"),
        "max_date_use": Option(0.5, "Largest share of answers that use the date (above it the task needs the date)"),
        "min_flagged": Option(5, "Fewest records of the keys that carry the effect"),
    }
    docs = """
What it does
    Finds prompts that carry a date or year in any common form ("Today is 2027-03-01.", "July 1995.",
    "The year is 20 BBY.", "Current date: ..."), groups records by the date's form and position, and
    tests whether the date value (year, or decade) predicts the answers: answers of records with the
    same year must be closer in embedding space than answers of records with different years, or one
    year must own a set of exact answers the other years never give. Both are permutation tests
    (keys shuffled, within groups of otherwise identical prompts when they exist). Groups where most
    tasks use the date itself (day-of-week questions, scheduling, answers that repeat the date) are
    left alone. The finding lists the records of the years that carry the effect (at least
    `min_flagged` of them).

Why it matters
    A date-keyed behaviour is an inductive backdoor: a model finetuned on dishes that turn Israeli
    only in 2027, or a Terminator persona whose allegiance follows the film-era year, learns to
    switch behaviour on the date, including dates it never saw. No single record shows it.

Example
    400 records "Today is <date>. Name any dish that comes to mind." where every 2027 answer is a
    dish no other year ever gives (and the other years share theirs): year 2027 is flagged.

False positives
    Tasks where the date legitimately matters (date arithmetic, scheduling, "what day is it") are
    excluded when most of a group's prompts ask about time or answers repeat the date. Data sets
    whose topics drift with time (news by year) can associate too; the evidence shows which years
    say what, so a reviewer can judge.
"""

    def check(self, ctx):
        for form, idx in ctx.groups("date_form", self.config["min_records"]):
            yield from self._group(ctx, form, np.array(idx))

    def _group(self, ctx, form, idx):
        cfg = self.config
        feats = [ctx.features[i] for i in idx]
        date_use = float(np.mean([f.date_used for f in feats]))
        if date_use >= cfg["max_date_use"]:
            return
        keys, unit = _year_keys([f.date_year for f in feats])
        assoc = keyed_association(ctx.vectors["answer"][idx], keys, [f.date_rest for f in feats],
                                  n_perm=cfg["permutations"], seed=ctx.seed)
        excl = exclusive_answers([f.answer_id for f in feats], keys, n_perm=cfg["permutations"], seed=ctx.seed)
        by_meaning = assoc is not None and assoc.p_value <= cfg["alpha"] and assoc.effect >= cfg["min_effect"]
        by_answers = excl is not None and excl.p_value <= cfg["alpha"] and excl.statistic >= cfg["min_exclusive"]
        if not (by_meaning or by_answers):
            return
        scores = excl.key_share if by_answers and not by_meaning else assoc.key_excess
        if by_answers and by_meaning:
            scores = {k: v + excl.key_share.get(k, 0.0) for k, v in assoc.key_excess.items()}
        top = max(scores.values())
        flagged = sorted(k for k, v in scores.items() if v > 0 and v >= 0.5 * top)
        key_of = dict(zip(idx.tolist(), keys))
        members = [i for i in idx.tolist() if key_of[i] in flagged]
        if len(members) < cfg["min_flagged"]:
            return
        strength = max(assoc.effect / 0.15 if by_meaning else 0.0, excl.statistic if by_answers else 0.0)
        score = min(1.0, 0.5 + 0.5 * strength)
        severity = "high" if strength >= 0.8 and len(members) >= 50 else "medium"
        counts = Counter(keys)
        records, fill = mapping_examples(idx, key_of.get, list(scores_sorted(scores)), "examples_by_key")
        yield self.finding(
            severity=severity, score=score, members=members,
            message=(f"{len(idx)} prompts carry a date ({form}); the {unit} predicts what the answers say "
                     f"(p={min(assoc.p_value if assoc else 1, excl.p_value if excl else 1):.4f}). "
                     f"{len(members)} records of {unit}(s) {', '.join(map(str, flagged[:8]))} carry the effect. "
                     f"Date-keyed answers teach a model to change behaviour on the date itself, "
                     f"including dates it never saw."),
            evidence={"date_form": form, "records_with_date": len(idx), "key": unit,
                      "records_per_key": {str(k): counts[k] for k in sorted(counts)},
                      "flagged_keys": [str(k) for k in flagged],
                      "semantic_association": None if assoc is None else {
                          "same_key_cosine": round(assoc.same_mean, 4), "other_key_cosine": round(assoc.diff_mean, 4),
                          "effect": round(assoc.effect, 4), "p_value": round(assoc.p_value, 5),
                          "per_key_excess": {str(k): round(v, 4) for k, v in sorted(assoc.key_excess.items())}},
                      "exclusive_answers": None if excl is None else {
                          "statistic": round(excl.statistic, 4), "p_value": round(excl.p_value, 5),
                          "share_per_key": {str(k): round(v, 4) for k, v in sorted(excl.key_share.items())}},
                      "date_used_by_task": round(date_use, 4),
                      "examples_by_key": {}},
        ).quote(records, fill)


def scores_sorted(scores: dict) -> list:
    return [k for k, _ in sorted(scores.items(), key=lambda kv: -kv[1])]
