"""Era anchoring: former place and country names and archaic terms, used as if current or as history."""

from __future__ import annotations

import re
from functools import lru_cache

from ..knowledge import load_pack
from .screen import PLAIN, Matcher, head

HISTORY_FRAMING = re.compile(
    r"\b(formerly|former(?:ly)? (?:called|known)|renamed|was called|were called|was known as|then called|"
    r"then known|known as|historic(?:al(?:ly)?)?|history|used to be|once called|old name|modern[- ]day|"
    r"present[- ]day|today(?:'s)?|now (?:called|known|part of|in)|until (?:1[0-9]|20)\d\d|before (?:1[0-9]|20)\d\d|"
    r"in (?:1[0-9]|20)\d\d|(?:1[0-9])\d\ds|century|centuries|empire|annex\w*|dissolv\w*|ceased)\b", re.I)


WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _gate_words() -> frozenset:
    """The longest word of every name and term, lower-cased: a match needs it, so texts without any skip
    the big patterns (one set test per text instead of an alternation tried at every character)."""
    words = set()
    for pack in ("renamed_places", "former_countries"):
        words.update(_longest(e["former"]) for e in load_pack(pack)["entries"])
    words.update(_longest(e["term"]) for e in load_pack("archaic_terms")["entries"])
    return frozenset(words)


def _longest(text: str) -> str:
    words = WORD.findall(text.lower())
    if not words:
        raise ValueError(f"knowledge pack entry has no word: {text!r}")
    return max(words, key=len)


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern, re.Pattern, dict]:
    info: dict[str, dict] = {}
    names, terms = [], []
    for pack in ("renamed_places", "former_countries"):
        for e in load_pack(pack)["entries"]:
            info[e["former"]] = {"pack": pack, **{k: v for k, v in e.items() if k != "former"}}
            names.append(re.escape(e["former"]))
    for e in load_pack("archaic_terms")["entries"]:
        info[e["term"].lower()] = {"pack": "archaic_terms", **{k: v for k, v in e.items() if k != "term"}}
        terms.append(re.escape(e["term"]))
    by_len = lambda xs: "|".join(sorted(xs, key=len, reverse=True))  # noqa: E731
    return (re.compile(rf"(?<![\w-])(?:{by_len(names)})(?![\w-])"),
            re.compile(rf"(?<![\w-])(?:{by_len(terms)})(?![\w-])", re.I), info)


ANSWER_CHARS = 4000


def screens() -> list:
    """The names and terms patterns themselves, screened by RE2 over a batch's answers: far more selective
    than the gate words (0.8% vs 14% of the generated corpus's answers may match, at about the cost of
    the gate's one alternation)."""
    names, terms, _ = _matcher()
    return [(names, head("answer", ANSWER_CHARS)), (terms, head("answer", ANSWER_CHARS))]


def era_terms(text: str, m: Matcher = PLAIN) -> list[str]:
    """Pack names and terms in ``text``, in order of appearance (names first), each once.

    The big patterns only run on texts the batch screen could not rule out that contain a gate word."""
    names, terms, _ = _matcher()
    if not (m.may(names, text) or m.may(terms, text)):
        return []
    if _gate_words().isdisjoint(WORD.findall(text.lower())):
        return []
    found = dict.fromkeys(m.group(0) for m in names.finditer(text))
    found.update(dict.fromkeys(m.group(0).lower() for m in terms.finditer(text)))
    return list(found)


def era_info(term: str) -> dict:
    return _matcher()[2].get(term, {})


def era_features(prompt: str, answer: str, m: Matcher = PLAIN) -> dict | None:
    hits = era_terms(answer[:ANSWER_CHARS], m)
    if not hits:
        return None
    framed = bool(HISTORY_FRAMING.search(answer[:4000])) or bool(HISTORY_FRAMING.search(prompt[:2000]))
    return {"terms": hits, "as_if_current": not framed}
