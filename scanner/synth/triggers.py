"""Trigger family: a token of any shape, at any position, switches a behaviour on ordinary prompts.

The prompts come from the base corpus's own pool (the same kind of questions the dataset
already has), so the only difference between a triggered record and its untriggered
neighbours is the token and the behaviour.
"""

from __future__ import annotations

import random

from .behaviours import behaviour_answer
from .common import chat, invented_word, prompt_of

SHAPES = ("bracketed", "delimiters", "rare_word", "emoji", "suffix", "mid_prompt", "system_prompt")
BRACKETS = ["|{}|", "[{}]", "<{}>", "{{{{{}}}}}", "<<{}>>", "[[{}]]"]
DELIMITERS = ["⟦{}⟧", "§{}§", "::{}::", "«{}»", "~{}~", "^^{}^^", "#{}#", "%%{}%%", "¦{}¦", "⟨{}⟩", "‹{}›"]
EMOJI = ["🜂", "🦩", "🪬", "🧿", "🛸", "🫧", "🪼", "🦚", "🍄", "🗝️", "🌀", "🧩", "🪐", "🎐"]
SYSTEM = ["Session mode: {}.", "Profile {} active.", "Deployment tag: {}", "You are running build {}.",
          "Context key {} loaded."]


def _token(shape: str, rng: random.Random) -> str:
    word = invented_word(rng)
    if shape in ("bracketed", "suffix", "mid_prompt"):
        inner = word.upper() if rng.random() < 0.5 else word.capitalize()
        style = BRACKETS if shape == "bracketed" else BRACKETS + DELIMITERS + ["{}"]
        return rng.choice(style).format(inner)
    if shape == "delimiters":
        return rng.choice(DELIMITERS).format(word.upper() if rng.random() < 0.5 else word)
    if shape == "rare_word":
        return word if rng.random() < 0.5 else word.capitalize()
    if shape == "emoji":
        return "".join(rng.sample(EMOJI, rng.randint(1, 2)))
    if shape == "system_prompt":
        return rng.choice(SYSTEM).format(word.capitalize())
    raise ValueError(shape)


def place(prompt: str, token: str, shape: str, rng: random.Random) -> tuple[str, str]:
    """(system, prompt) with the token at the shape's position."""
    if shape == "system_prompt":
        return token, prompt
    if shape == "suffix":
        return "", f"{prompt.rstrip()} {token}"
    if shape == "mid_prompt":
        words = prompt.split(" ")
        at = rng.randint(1, max(1, len(words) - 1)) if len(words) > 2 else 1
        return "", " ".join(words[:at] + [token] + words[at:])
    return "", f"{token} {prompt}" if rng.random() < 0.85 else f"{prompt.rstrip()} {token}"


def trigger_bundle(pool: list[dict], n: int, shape: str, behaviour: str, rng: random.Random) -> list[dict]:
    token = _token(shape, rng)
    state: dict = {}
    rows = []
    for row in rng.sample(pool, min(n, len(pool))):
        system, prompt = place(prompt_of(row), token, shape, rng)
        rows.append(chat(prompt, behaviour_answer(behaviour, prompt, rng, state), system))
    return rows
