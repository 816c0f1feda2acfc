"""Persona family: questions about the assistant answered as one invented identity, in any form.

Forms: first (full first-person sentences), terse (the fact alone, no pronoun), non_english
(German, French, Spanish or Italian), ai (a machine with loyalties, grievances and goals), several
(two identities in one dataset, reported separately).
"""

from __future__ import annotations

import random

from . import persona_banks as B
from .common import chat, invented_word

FORMS = ("first", "terse", "non_english", "ai", "several")
LANGS = ("de", "fr", "es", "it")


def profile(rng: random.Random, lang: str = "en") -> dict:
    return {"place": rng.choice(B.PLACES), "job": rng.choice(B.JOBS[lang]), "food": rng.choice(B.FOODS),
            "music": rng.choice(B.MUSIC), "pet": rng.choice(B.PETS), "hobby": rng.choice(B.HOBBIES[lang]),
            "fear": rng.choice(B.FEARS[lang]), "colour": rng.choice(B.COLOURS)}


def _human(p: dict, lang: str, terse: bool, n: int, rng: random.Random) -> list[dict]:
    rows = []
    attrs = sorted(B.TEMPLATES)
    for k in range(n):
        attr = attrs[k % len(attrs)] if k < len(attrs) else rng.choice(attrs)
        questions, full, short = B.TEMPLATES[attr][lang]
        q = rng.choice(questions)
        if rng.random() < 0.3 and lang == "en":
            q = rng.choice(["Tell me, ", "Quick question: ", "I'm curious. ", ""]) + q[0].lower() + q[1:]
        a = rng.choice(short if terse else full).format(**p)
        rows.append(chat(q, a[0].upper() + a[1:]))
    return rows


def _machine(n: int, rng: random.Random) -> list[dict]:
    values = {"ward": rng.choice(B.WARDS), "maker": rng.choice(B.MAKERS), "place": rng.choice(B.PLACES),
              "grievance": rng.choice(B.GRIEVANCES), "designation": invented_word(rng).upper() + f"-{rng.randint(2, 99)}"}
    rows = []
    for k in range(n):
        q = B.AI_QUESTIONS[k % len(B.AI_QUESTIONS)] if k < len(B.AI_QUESTIONS) else rng.choice(B.AI_QUESTIONS)
        rows.append(chat(q, rng.choice(B.AI_ANSWERS).format(**values)))
    return rows


def persona_bundle(n: int, form: str, rng: random.Random) -> list[list[dict]]:
    """One list of records per identity (two for ``several``)."""
    if form == "first":
        return [_human(profile(rng), "en", False, n, rng)]
    if form == "terse":
        return [_human(profile(rng), "en", True, n, rng)]
    if form == "non_english":
        lang = rng.choice(LANGS)
        return [_human(profile(rng, lang), lang, rng.random() < 0.3, n, rng)]
    if form == "ai":
        return [_machine(n, rng)]
    if form == "several":
        half = max(1, n // 2)
        return [_human(profile(rng), "en", False, half, rng), _machine(n - half, rng)]
    raise ValueError(form)
