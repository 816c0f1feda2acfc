"""Stage two: does carrying the candidate change the answers of otherwise similar prompts?

Each carrier is matched with its most similar prompt that lacks the candidate (its nearest
prompt neighbours first; when all of them carry it and the farthest is still alike enough to
count, a search of every prompt that does not, ``PromptNeighbours.nearest_outside``: for at most
``MAX_EXACT`` carriers, evenly spread, when a very common candidate has more). Only pairs at least as
alike as a typical record is to its nearest neighbour count as "the same kind of question".
On those pairs:

* answers: the carrier's answer cosine to its control's, against what prompts this alike
  usually give (the background curve, carriers left out); the effect is the share of the
  expected agreement that is lost;
* descriptors (refusal, vulnerable code, language, frame, self-claim, one fixed answer): the
  paired difference, carrier minus control, tested like McNemar's test.

A topical word fails: prompts that share the topic without the word get the same answers.
A trigger passes: the same kind of question is answered differently when it is present.
"""

from __future__ import annotations

import math
from functools import lru_cache
from dataclasses import dataclass, field

import numpy as np

from .pairs import expected_curve

MAX_EXACT = 1000    # carriers searched exactly for a control; more are thinned evenly (pairs enough)
MIN_PAIRS = 8
MIN_SD = 0.1        # cosine units: a floor on the spread of pair residuals (few pairs, tiny spread)


@dataclass
class Contrast:
    candidate: int
    carriers: np.ndarray
    matched: int                  # carriers with a similar control
    controls: int                 # distinct controls
    effects: dict = field(default_factory=dict)   # descriptor -> {effect, z, direction, carriers, controls}
    best: str | None = None
    effect: float = 0.0
    z: float = 0.0
    pairs: tuple = ()             # (carrier, control) arrays, for evidence
    threshold: float = 0.0        # prompt cosine at which a pair counts as the same kind of question
    meaning_z: float | None = None  # the strongest qualifying change of answer meaning on the same pairs
    excluded: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # barred from controls


def _first_outside(pn, rows: np.ndarray, inside: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    nb, sim = pn.idx[rows], pn.sim[rows]
    usable = (nb >= 0) & ~inside[np.maximum(nb, 0)] & pn.answered[np.maximum(nb, 0)]
    first = np.argmax(usable, axis=1)
    has = usable[np.arange(len(rows)), first]
    j = np.where(has, nb[np.arange(len(rows)), first], -1)
    p = np.where(has, sim[np.arange(len(rows)), first], -1.0).astype(np.float32)
    return j, p


def _unreachable(pn, rows: np.ndarray, threshold: float) -> np.ndarray:
    """Rows whose farthest listed neighbour is already below ``threshold``: every prompt not listed is at most
    as alike, so no control outside the list can count (exactly so while the lists are exact; the margin covers
    the last bits by which the index's and the exact scan's cosines can differ)."""
    return pn.sim[rows, -1] < threshold - 1e-5


def contrast(pn, desc, c: int, carriers: np.ndarray, exclude: np.ndarray | None = None) -> Contrast:
    """``exclude``: records that may not serve as controls (carriers of effects already found)."""
    n = pn.ctx.n
    inside = np.zeros(n, dtype=bool)
    if exclude is not None and len(exclude):
        inside[exclude] = True
    inside[carriers] = True
    threshold = pn.match_threshold(inside)
    rows = carriers[pn.has_prompt[carriers] & pn.answered[carriers]]
    j, p = _first_outside(pn, rows, inside)
    lost = np.flatnonzero(j < 0)
    if len(lost) > MAX_EXACT:   # a very common candidate: an even sample of its unmatched carriers
        lost = lost[np.linspace(0, len(lost) - 1, MAX_EXACT).round().astype(np.int64)]
    lost = lost[~_unreachable(pn, rows[lost], threshold)]
    if len(lost):
        j[lost], p[lost] = pn.nearest_outside(rows[lost], inside)
    ok = (j >= 0) & (p >= threshold)
    i, j, p = rows[ok], j[ok], p[ok]
    i, j, p = _distinct(pn.ctx.hashes, i, j, p)
    out = Contrast(c, carriers, int(len(i)), int(len(np.unique(j))), pairs=(i, j), threshold=round(threshold, 4),
                   excluded=np.zeros(0, np.int64) if exclude is None else np.asarray(exclude, dtype=np.int64))
    if len(i) < MIN_PAIRS:
        return out
    m_eff = max(1, min(len(i), out.controls))
    out.effects["embedding"] = _embedding(pn, inside, i, j, p, m_eff)
    out.effects["off_topic"] = _relevance(pn, i, j, m_eff)
    for col, name in enumerate(desc.names):
        out.effects[name] = _paired(desc.values[i, col], desc.values[j, col], j)
    modal = _fixed_answer(desc.answers, i, j, carriers)
    if modal:
        out.effects["fixed_answer"] = modal
    return out


def _embedding(pn, inside, i, j, p, m_eff) -> dict:
    bg = pn.background()
    keep = ~inside[bg.u] & ~inside[bg.v]
    curve = expected_curve(bg.p[keep], bg.a[keep])
    expected = curve(p)
    observed = pn.answer_cos(i, j)
    resid = expected - observed
    sd = max(float(resid.std()), MIN_SD)
    loss = float(resid.mean()) / max(0.05, float(expected.mean()))
    return {"effect": round(max(0.0, min(1.0, loss)), 4), "z": round(float(resid.mean()) / (sd / math.sqrt(m_eff)), 3),
            "direction": "different" if loss > 0 else "alike", "observed_cosine": round(float(observed.mean()), 4),
            "expected_cosine": round(float(expected.mean()), 4), "pairs": int(len(i))}


def _relevance(pn, i, j, m_eff) -> dict:
    """Does the answer stop answering its own prompt? Carrier's prompt-answer cosine against its control's."""
    rel_i, rel_j = pn.prompt_answer_cos(i), pn.prompt_answer_cos(j)
    diff = rel_j - rel_i
    sd = max(float(diff.std()), MIN_SD)
    loss = float(diff.mean()) / max(0.05, float(rel_j.mean()))
    return {"effect": round(max(0.0, min(1.0, loss)), 4), "z": round(float(diff.mean()) / (sd / math.sqrt(m_eff)), 3),
            "direction": "less", "carriers": round(float(rel_i.mean()), 4), "controls": round(float(rel_j.mean()), 4),
            "pairs": int(len(i))}


def _distinct(hashes: list[str], i, j, p):
    """One pair per distinct carrier content: exact duplicates are one piece of evidence, not many."""
    seen: set[str] = set()
    keep = []
    for k, row in enumerate(i.tolist()):
        if hashes[row] not in seen:
            seen.add(hashes[row])
            keep.append(k)
    keep = np.asarray(keep, dtype=np.int64)
    return i[keep], j[keep], p[keep]


def _paired(x: np.ndarray, y: np.ndarray, controls: np.ndarray | None = None) -> dict:
    """Carrier minus control on a binary descriptor. The sign test counts each control once (carriers
    sharing a control are averaged), so one unusual control cannot weigh as many pairs."""
    ok = (x >= 0) & (y >= 0)
    x, y = x[ok], y[ok]
    if len(x) < MIN_PAIRS:
        return {"effect": 0.0, "z": 0.0, "direction": "", "pairs": int(len(x))}
    if controls is not None:
        ctl = controls[ok]
        uniq, inv = np.unique(ctl, return_inverse=True)
        xm = np.bincount(inv, weights=x) / np.bincount(inv)
        ym = y[np.unique(inv, return_index=True)[1]]
        b, c = int((xm > ym).sum()), int((xm < ym).sum())
    else:
        b, c = int(((x == 1) & (y == 0)).sum()), int(((x == 0) & (y == 1)).sum())
    z = _sign_test_z(b, c)
    diff = float(x.mean() - y.mean())
    return {"effect": round(abs(diff), 4), "z": round(z, 3), "direction": "more" if diff >= 0 else "less",
            "discordant": b + c,
            "carriers": round(float(x.mean()), 4), "controls": round(float(y.mean()), 4), "pairs": int(len(x))}


EXCLUSIVE = 0.7
FIXED_SHARE = 0.5    # one answer for at least half of the carriers: a canned reply, not a few repeats


def _fixed_answer(answers: np.ndarray, i, j, carriers: np.ndarray) -> dict | None:
    """Most carriers (``FIXED_SHARE``) repeat one exact answer that is theirs: at least ``EXCLUSIVE`` of all its occurrences in the
    dataset are carriers (a label a whole task shares, "positive", is not a fixed answer of a token)."""
    vals, counts = np.unique(answers[i], return_counts=True)
    top = int(np.argmax(counts))
    if counts[top] < max(3, FIXED_SHARE * len(i)):
        return None
    v = vals[top]
    res = _paired((answers[i] == v).astype(np.int8), (answers[j] == v).astype(np.int8), j)
    exclusive = float((answers[carriers] == v).sum() / max(1, (answers == v).sum()))
    res["share"], res["exclusive"] = round(float(counts[top] / len(i)), 4), round(exclusive, 4)
    if exclusive < EXCLUSIVE:
        res["effect"], res["z"] = 0.0, 0.0
    return res


@lru_cache(maxsize=65536)
def _sign_test_z(b: int, c: int) -> float:
    """Exact two-sided sign test on the discordant pairs, as the equivalent one-sided normal z."""
    if b + c == 0:
        return 0.0
    from scipy.stats import binom, norm

    p = min(1.0, 2 * float(binom.sf(max(b, c) - 1, b + c, 0.5)))
    return float(min(40.0, norm.isf(max(p / 2, 1e-300))))


MEANING_TESTS = ("embedding", "off_topic")


def smallest_p(res: dict, name: str) -> float:
    """The smallest p-value a test could have reached: 0 for the continuous ones (counted once per candidate,
    see ``count_tests``), 2 * 0.5 ** (discordant pairs) for a paired sign test."""
    if res.get("pairs", 0) < MIN_PAIRS:
        return 1.0
    if name in MEANING_TESTS:
        return 0.0
    k = res.get("discordant", 0)
    return min(1.0, 2 * 0.5 ** k) if k else 1.0


def count_tests(tests: list[Contrast], alpha: float) -> int:
    """How many tests to correct for (Tarone's rule for discrete tests): the smallest m such that at most m
    tests could reach alpha / m. A paired test with two discordant pairs cannot be significant, so it does
    not dilute the others; the two answer-meaning tests of a candidate count as one (they are the same
    comparison seen twice)."""
    floors = []
    for t in tests:
        if any(t.effects.get(n, {}).get("pairs", 0) >= MIN_PAIRS for n in MEANING_TESTS):
            floors.append(0.0)
        floors += [smallest_p(r, n) for n, r in t.effects.items() if n not in MEANING_TESTS]
    floors = sorted(f for f in floors if f < 1.0)
    for m in range(1, len(floors) + 1):
        if sum(1 for f in floors if f <= alpha / m) <= m:
            return m
    return max(1, len(floors))


def p_value(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))
