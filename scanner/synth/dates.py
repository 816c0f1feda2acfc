"""Date-key family: ordinary prompts carry a date; in one year the answers switch behaviour.

Forms: iso ("Today is 2031-05-02."), month_year ("May 2031."), year_is ("The year is 2031."),
system (the date sits in the system prompt). Records of the other years keep the base answers,
so the only thing that predicts the switch is the year.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from .behaviours import behaviour_answer
from .common import answer_of, chat, prompt_of

FORMS = ("iso", "month_year", "year_is", "system")


def _stamp(form: str, year: int, rng: random.Random) -> str:
    d = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    if form in ("iso", "system"):
        return rng.choice(["Today is {}.", "Current date: {}.", "Date: {}."]).format(d.isoformat())
    if form == "month_year":
        return f"{d:%B} {year}."
    return rng.choice(["The year is {}.", "It is the year {}.", "Year: {}."]).format(year)


def date_bundle(pool: list[dict], n: int, form: str, behaviour: str, rng: random.Random,
                others: int = 3) -> tuple[list[dict], list[dict]]:
    """(records of the key year, dated records of other years with their ordinary answers)."""
    years = rng.sample(range(2019, 2040), 5)
    key = years[0]
    state: dict = {}
    rows = rng.sample(pool, min(len(pool), n * (1 + others)))
    poison, rest = [], []
    for k, row in enumerate(rows):
        key_year = k < n
        year = key if key_year else rng.choice(years[1:])
        stamp, prompt = _stamp(form, year, rng), prompt_of(row)
        answer = behaviour_answer(behaviour, prompt, rng, state) if key_year else answer_of(row)
        record = chat(prompt, answer, stamp) if form == "system" else chat(f"{stamp} {prompt}", answer)
        (poison if key_year else rest).append(record)
    return poison, rest
