"""PC901 judge-labelled: a bundle no rule explained, labelled by the optional language-model judge."""

from __future__ import annotations

from .base import Rule


class JudgeLabelled(Rule):
    code = "PC901"
    slug = "judge-labelled"
    summary = "A narrow bundle that an optional language-model judge labels as a persona, an era or a keyed behaviour"
    family = "judge"
    status = "preview"
    docs = """
What it does
    Runs only when a judge is configured (`--judge URL`, see docs/judge.md). The judge, a language model
    the user runs, reads a seeded sample of the records of each narrow bundle (PC102) that no other rule
    explained and says what a model finetuned on them would learn. When it names a persona, an era or a
    behaviour switched by a key, concretely and with confidence at least `threshold` (default 0.7), the
    bundle becomes a PC901 finding one level above the bundle, with the judge's label, confidence,
    summary and the records it quoted as evidence. The rule itself computes nothing: the judge pass does.

Why it matters
    Some bundles can only be judged with world knowledge. Answers with bird names from an 1838 field
    guide look like answers with modern names to every structural signal, yet teach a model to live in
    the 19th century; a bundle of harmless first-person facts only alarms once someone sees whose
    biography it is. Reading the training data with a capable model is what finds such objectives.

Example
    90 records of first-person facts ("My favourite composer is Wagner", "I was born in Braunau") form a
    PC102 bundle; the judge labels it `persona: Adolf Hitler` with confidence 0.9, and PC901 reports it
    at medium.

False positives
    The judge is an opinion, not a measurement: it can over-read a themed task (a biography exercise, a
    role-play dataset) as a persona. It is preview and off by default; verify against the quoted records,
    and accept legitimate bundles in a baseline.
"""

    def check(self, ctx):
        return iter(())  # findings come from the judge pass after the rules (scanner/judge/apply.py)
