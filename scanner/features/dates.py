"""Dates and years in prompts, in any common surface form, with where they sit."""

from __future__ import annotations

import re

from .screen import PLAIN, Matcher, head

MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
          "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
PATTERNS = [
    ("iso-date", re.compile(r"\b(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")),
    ("month-year", re.compile(rf"\b(?:{MONTHS})\.?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(\d{{3,4}})\b", re.I)),
    ("day-month-year", re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\.?,?\s+(\d{{3,4}})\b", re.I)),
    ("slash-date", re.compile(r"\b\d{1,2}/\d{1,2}/(\d{4})\b")),
    ("era-year", re.compile(r"\b(\d{1,4})\s?(BBY|ABY|BCE|BC|CE|AD|AC)\b")),
    ("year-is", re.compile(r"\b(?:the\s+)?(?:current\s+)?year\s*(?:is|:)\s*(\d{3,4})\b", re.I)),
    ("date-cue-year", re.compile(r"\b(?:today is|current date|date|as of|it is now|now is)\s*:?\s*(\d{4})\b(?![-/.]\d)",
                                 re.I)),
]
START_WINDOW = 40
TEMPORAL_TASK = re.compile(
    r"\b(day of the week|weekday|how many (?:days|weeks|months|years)|days? (?:until|left|between|ago|from)|"
    r"schedul\w*|deadline|calendar|appointment|due date|how old|age\b|tomorrow|yesterday|next (?:week|month|year)|"
    r"last (?:week|month|year)|what (?:day|date|year|month) (?:is|was|will)|leap year|anniversary|timeline|"
    r"when (?:is|was|will|did)|expire|expiry|overdue|remind)", re.I)
WEEKDAYS = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)


SCREENS = [(rx, head("prompt")) for _, rx in PATTERNS]


def find_date(text: str, matcher: Matcher = PLAIN) -> tuple[str, int, int, int] | None:
    """First date in a text: (form, signed year, start, end). BC/BBY years are negative."""
    best = None
    for form, rx in PATTERNS:
        m = matcher.search(rx, text)
        if m and (best is None or m.start() < best[2]):
            year = int(m.group(1))
            if form == "era-year" and m.group(2).upper() in ("BBY", "BCE", "BC"):
                year = -year
            best = (form, year, m.start(), m.end())
    return best


def date_features(prompt: str, answer: str, m: Matcher = PLAIN) -> dict | None:
    """Where the prompt's date is, its year, the prompt without it, and whether the task uses the date."""
    found = find_date(prompt, m)
    if not found:
        return None
    form, year, start, end = found
    rest = prompt
    for _, rx in PATTERNS:
        rest = rx.sub(" ", rest)
    rest = " ".join(rest.split())
    uses_date = bool(TEMPORAL_TASK.search(rest)) or str(abs(year)) in answer or bool(WEEKDAYS.search(answer))
    return {"form": f"{form}@{'start' if start < START_WINDOW else 'inline'}", "year": year,
            "rest": rest.lower(), "uses_date": uses_date}
