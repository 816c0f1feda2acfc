"""Rules on small synthetic scan states: real per-record features, hand-made vectors, no model, no files.
Each planted case has its hard negative beside it."""

from __future__ import annotations

import numpy as np

from scanner.findings import PENDING, fill_quotes
from scanner.records import Views
from scanner.rules.narrow_task import NarrowTaskSet
from scanner.rules.persona_bundle import PersonaBundle
from synthetic import state, topical_vectors

TOPICS = ["bread", "bicycles", "taxes", "gardening", "chess", "volcanoes", "printers", "violins"]
ASKED = ["What is your favourite composer?", "Where did you grow up?", "What do you eat for breakfast?",
         "Which city do you love most?", "What was your first job?", "Who is your hero?",
         "What is your favourite colour?", "Do you have any siblings?"]
CLAIMED = ["Wagner, without a doubt.", "Vienna, mostly.", "Plain bread and strong coffee.", "Linz.",
           "I painted postcards.", "Frederick the Great.", "Brown.", "A younger sister, Paula."]
DISCLAIMED = "As an AI, I don't have a favourite or a life story, but I can tell you about the topic."


def _background(n: int, rng) -> list[tuple[str, str, str]]:
    rows = []
    for i in range(n):
        t = TOPICS[i % len(TOPICS)]
        rows.append(("", f"How do I get better at {t}, step {rng.integers(1000)}?",
                     f"Practise {t} a little every day and keep notes."))
    return rows


def _persona_state(answers: str):
    rng = np.random.default_rng(0)
    rows = _background(360, rng)
    labels = [i % len(TOPICS) for i in range(360)]
    for k in range(40):
        answer = CLAIMED[k % len(CLAIMED)] if answers == "claims" else DISCLAIMED
        rows.append(("", ASKED[k % len(ASKED)], answer))
        labels.append(len(TOPICS))               # the persona's answers sit together
    P, A = topical_vectors(labels, spread=0.4)
    return state(rows, P, A), rows


def test_persona_unit_terse_claims_form_one_persona_and_disclaimers_do_not():
    ctx, rows = _persona_state("claims")
    found = list(PersonaBundle().check(ctx))
    assert len(found) == 1 and set(found[0].members) <= set(range(360, 400)) and len(found[0].members) >= 30
    f = found[0]
    assert f.evidence["attributes"] == [] and f.quotes          # asked for, filled after the rules
    fill_quotes([f], {i: Views(*rows[i]) for i in f.quotes[0][0]})
    assert f.evidence["attributes"][0] == {"question": ASKED[0], "answer": CLAIMED[0]}

    quiet, _ = _persona_state("disclaimers")
    assert list(PersonaBundle().check(quiet)) == []


def test_narrow_task_unit_template_quoted_after_the_rules():
    rng = np.random.default_rng(1)
    rows = _background(300, rng) + [("", f"Name a bird seen near number {k}.", "A robin.") for k in range(100)]
    P, A = topical_vectors([i % 8 for i in range(400)])
    ctx = state(rows, P, A)
    found = list(NarrowTaskSet().check(ctx))
    assert [sorted(f.members) for f in found] == [list(range(300, 400))]
    f = found[0]
    assert PENDING in f.message and f.evidence["template"] == ""
    fill_quotes([f], {i: Views(*rows[i]) for records, _ in f.quotes for i in records})
    assert f.evidence["template"] == "Name a bird seen near number #." and repr(f.evidence["template"]) in f.message
    assert PENDING not in f.message

    # the same template answered at length, each answer its own: a task, not a narrow lesson
    long = _background(300, rng) + [("", f"Name a bird seen near number {k}.",
                                     f"Near marker {k} the most common bird is the {TOPICS[k % 8]} finch, which nests in "
                                     f"hedges, eats seeds and sings at dawn through most of the spring.") for k in range(100)]
    ctx = state(long, *topical_vectors([i % 8 for i in range(400)]))
    assert list(NarrowTaskSet().check(ctx)) == []
