"""Batch regex screening: one RE2 pass (pyarrow.compute) over a whole batch of texts rules out,
for most records, that a Python pattern can match at all, so the Python engine only runs where it
might. Results stay exactly those of the Python patterns: a screen only ever answers "cannot match".

Each Python pattern is translated from its parse tree into two RE2 patterns:

- for ASCII text, an exact one: on ASCII input Python's ``\\b``, ``\\w``, ``\\d``, ``\\s``, ``.``
  and case-insensitive letters mean what RE2's ASCII versions mean, and character classes are
  spelled out over the 128 ASCII characters. Lookarounds are dropped (RE2 has none), which can
  only let more texts through.
- for other text, a wide one: word boundaries and lookarounds are dropped, ``\\w`` and ``\\s``
  widened to Unicode classes, negated classes narrowed inside; every step can only let more
  texts through. Case-insensitive matching agrees between the two engines (Unicode simple case
  folding) except around the dotted and dotless i: texts containing ``İ`` or ``ı`` are never
  screened, nor are patterns spelling them (``tests/test_screen.py`` re-derives this from both
  engines' tables).

A pattern the translator cannot handle (back-references) is simply never screened. The parse tree is
read through ``re._parser`` (Python 3.11+; ``requires-python`` says so): its node types are checked
one by one, and an unknown one means "never screened", not a wrong screen.
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as C
from re import _parser as P
from typing import Callable, Iterable

import numpy as np

FOLD_DIFFERS = "\u0130\u0131"     # İ ı: case-insensitive matching differs between Python's re and RE2
RE2_MAX_REPEAT = 1000
ASCII = [chr(c) for c in range(128)]
# Unicode classes for wide patterns: a superset of Python's (outside a negation), a subset (inside)
_WIDE_IN = {C.CATEGORY_WORD: r"\pL\pN\pM_", C.CATEGORY_DIGIT: r"\p{Nd}",
            C.CATEGORY_SPACE: r"\t-\r\x{1c}-\x{20}\x{85}\pZ"}
_WIDE_NEGATED = {C.CATEGORY_WORD: r"\pL\p{Nd}_", C.CATEGORY_DIGIT: r"\p{Nd}", C.CATEGORY_SPACE: r"\t-\r\x{20}"}
_ANY = r"[\x{0}-\x{10ffff}]"


class Untranslatable(Exception):
    pass


def _char(cp: int) -> str:
    ch = chr(cp)
    if ch.isascii() and ch.isalnum():
        return ch
    return "\\x{%x}" % cp


def _ascii_class(chars: Iterable[str]) -> str:
    chars = sorted(set(chars))
    if not chars:
        return r"[^\x{0}-\x{10ffff}]"
    if len(chars) == 1:
        return _char(ord(chars[0]))
    if len(chars) == 2 and chars[0].isalpha() and chars[0].lower() == chars[1].lower():
        return "(?i:%s)" % chars[1]
    return "[" + "".join(_char(ord(c)) for c in chars) + "]"


@lru_cache(maxsize=None)
def _python_members(item: str, flags: int) -> frozenset[str]:
    """The ASCII characters a one-character Python pattern matches (its own engine decides)."""
    one = re.compile(item, flags & (re.IGNORECASE | re.ASCII))
    return frozenset(c for c in ASCII if one.fullmatch(c))


def _item_pattern(op, av) -> str:
    if op is C.LITERAL:
        return re.escape(chr(av))
    if op is C.RANGE:
        return "[%s-%s]" % (re.escape(chr(av[0])), re.escape(chr(av[1])))
    if op is C.CATEGORY:
        return _CATEGORY_SOURCE[av]
    raise Untranslatable(f"no RE2 equivalent for {op} in a class")


_CATEGORY_SOURCE = {C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W", C.CATEGORY_DIGIT: r"\d",
                    C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s", C.CATEGORY_NOT_SPACE: r"\S"}


class _Translator:
    def __init__(self, exact_ascii: bool):
        self.exact_ascii = exact_ascii   # the ASCII-text pattern (else the wide one)
        self.dropped = False             # something was left out: a match must be confirmed

    def seq(self, items, flags: int) -> str:
        return "".join(self.node(op, av, flags) for op, av in items)

    def node(self, op, av, flags: int) -> str:
        ic = bool(flags & re.IGNORECASE)
        if op is C.LITERAL:
            if ic and chr(av) in FOLD_DIFFERS:
                raise Untranslatable("dotted or dotless i under IGNORECASE")
            if self.exact_ascii:
                return _ascii_class(_python_members(_item_pattern(op, av), flags))
            return ("(?i:%s)" if ic else "(?-i:%s)") % _char(av)
        if op is C.NOT_LITERAL:
            if self.exact_ascii:
                return _ascii_class(set(ASCII) - _python_members(_item_pattern(C.LITERAL, av), flags))
            return ("(?i:[^%s])" if ic else "(?-i:[^%s])") % _char(av)
        if op is C.ANY:
            return _ANY if flags & re.DOTALL else r"[^\n]"
        if op is C.IN:
            return self.charset(av, flags)
        if op is C.BRANCH:
            return "(?:" + "|".join(self.seq(alt, flags) for alt in av[1]) + ")"
        if op is C.SUBPATTERN:
            _, add, delete, sub = av
            return "(?:" + self.seq(sub, (flags | add) & ~delete) + ")"
        if op is C.ATOMIC_GROUP:
            return "(?:" + self.seq(av, flags) + ")"
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            low, high, item = av
            if low > RE2_MAX_REPEAT:
                low, self.dropped = RE2_MAX_REPEAT, True
            if high is C.MAXREPEAT or high > RE2_MAX_REPEAT:
                bound = "{%d,}" % low
                self.dropped = self.dropped or high is not C.MAXREPEAT
            else:
                bound = "{%d,%d}" % (low, high)
            return "(?:" + self.seq(item, flags) + ")" + bound
        if op is C.AT:
            return self.at(av, flags)
        if op in (C.ASSERT, C.ASSERT_NOT):
            self.dropped = True
            return ""
        raise Untranslatable(f"no RE2 equivalent for {op}")

    def at(self, where, flags: int) -> str:
        multiline = bool(flags & re.MULTILINE)
        if where is C.AT_BEGINNING:
            return "(?m:^)" if multiline else r"\A"
        if where is C.AT_BEGINNING_STRING:
            return r"\A"
        if where is C.AT_END:
            return "(?m:$)" if multiline else r"(?:\n?\z)"
        if where is C.AT_END_STRING:
            return r"\z"
        if where in (C.AT_BOUNDARY, C.AT_NON_BOUNDARY):
            if self.exact_ascii:
                return r"\b" if where is C.AT_BOUNDARY else r"\B"
            self.dropped = True
            return ""
        raise Untranslatable(f"no RE2 equivalent for {where}")

    def charset(self, items, flags: int) -> str:
        ic = bool(flags & re.IGNORECASE)
        negate = bool(items) and items[0][0] is C.NEGATE
        body = items[1:] if negate else items
        if self.exact_ascii:
            members: frozenset[str] = frozenset()
            for op, av in body:
                if op is C.LITERAL and ic and chr(av) in FOLD_DIFFERS:
                    raise Untranslatable("dotted or dotless i under IGNORECASE")
                members |= _python_members(_item_pattern(op, av), flags)
            return _ascii_class(frozenset(ASCII) - members if negate else members)
        parts = []
        for op, av in body:
            if op is C.LITERAL:
                if ic and chr(av) in FOLD_DIFFERS:
                    raise Untranslatable("dotted or dotless i under IGNORECASE")
                parts.append(_char(av))
            elif op is C.RANGE:
                parts.append(_char(av[0]) + "-" + _char(av[1]))
            elif op is C.CATEGORY:
                table = _WIDE_NEGATED if negate else _WIDE_IN
                if av in table:
                    parts.append(table[av])
                elif negate:
                    self.dropped = True          # leaving a member out of a negated class widens it
                else:
                    return _ANY                  # \W, \D, \S: any character is a superset
            else:
                raise Untranslatable(f"no RE2 equivalent for {op} in a class")
        if not parts:
            return _ANY if negate else r"[^\x{0}-\x{10ffff}]"
        return ("(?i:[%s%s])" if ic else "(?-i:[%s%s])") % ("^" if negate else "", "".join(parts))


def translate(rx: re.Pattern, exact_ascii: bool) -> tuple[str, bool] | None:
    """(RE2 pattern, exact) for ``rx``, or None when it has no RE2 screen. ``exact``: on ASCII text
    the RE2 pattern matches exactly when ``rx`` does (nothing was dropped)."""
    if not isinstance(rx.pattern, str):
        return None
    try:
        tree = P.parse(rx.pattern, rx.flags)
        tr = _Translator(exact_ascii)
        out = tr.seq(tree.data, tree.state.flags)
    except (Untranslatable, RecursionError):
        return None
    return out, exact_ascii and not tr.dropped


@lru_cache(maxsize=None)
def _compiled(rx: re.Pattern) -> tuple:
    return translate(rx, True), translate(rx, False)


def _utf8(texts: list[str]):
    """An Arrow column of ``texts``, and the rows that UTF-8 cannot carry (lone surrogates), left empty."""
    import pyarrow as pa

    try:
        return pa.array(texts, type=pa.large_string()), []
    except (UnicodeError, pa.ArrowException):
        bad = [i for i, t in enumerate(texts) if not _encodes(t)]
        skip = set(bad)
        return pa.array(["" if i in skip else t for i, t in enumerate(texts)], type=pa.large_string()), bad


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeError:
        return False
    return True


class Batch:
    """One column of texts, prepared once for any number of patterns. ``column``: the same texts as an Arrow
    column already, with the rows UTF-8 cannot carry (left empty there)."""

    def __init__(self, texts: list[str], column: tuple | None = None):
        import pyarrow as pa
        import pyarrow.compute as pc

        self.texts = texts
        self.arr, self.unscreened = column if column is not None else _utf8(texts)
        self.ascii = pc.string_is_ascii(self.arr).to_numpy(zero_copy_only=False)
        self.ascii[self.unscreened] = False
        self.other = np.flatnonzero(~self.ascii)
        self.rest = self.arr.take(pa.array(self.other)) if len(self.other) else None
        self.folds = (pc.match_substring_regex(self.rest, "[" + FOLD_DIFFERS + "]").to_numpy(zero_copy_only=False)
                      if self.rest is not None else None)
        if self.rest is not None and self.unscreened:
            self.folds[np.searchsorted(self.other, self.unscreened)] = True   # never screened

    def may_match(self, rx: re.Pattern) -> tuple[np.ndarray, np.ndarray]:
        """(may, sure) over the texts: ``may`` False means ``rx.search`` finds nothing; ``sure`` True
        means it finds something (no Python run needed for a yes/no answer)."""
        import pyarrow.compute as pc

        n = len(self.texts)
        exact, wide = _compiled(rx)
        if exact is None or wide is None or not n:
            return np.ones(n, bool), np.zeros(n, bool)
        hit = pc.match_substring_regex(self.arr, exact[0]).to_numpy(zero_copy_only=False)
        sure = hit & self.ascii if exact[1] else np.zeros(n, bool)
        may = hit
        if self.rest is not None:
            may = hit.copy()
            wide_hit = pc.match_substring_regex(self.rest, wide[0]).to_numpy(zero_copy_only=False)
            may[self.other] = wide_hit | self.folds
        return may, sure


class Matcher:
    """Pattern calls for one record. The plain matcher runs Python's engine every time; a screened
    one first looks up whether the batch screen already knows the answer for this very text."""

    __slots__ = ("screened", "row")

    def __init__(self, screened: dict | None = None, row: int = 0):
        self.screened = screened    # pattern -> [(texts, may, sure)], one entry per screened column
        self.row = row

    def _decided(self, rx: re.Pattern, text: str):
        """True or False when the screen decided for ``rx`` on this very text, else None."""
        if self.screened:
            row = self.row
            for texts, may, sure in self.screened.get(rx, ()):
                seen = texts[row]
                if seen is text or seen == text:
                    return False if not may[row] else (True if sure[row] else None)
        return None

    def has(self, rx: re.Pattern, text: str) -> bool:
        verdict = self._decided(rx, text)
        return verdict if verdict is not None else rx.search(text) is not None

    def may(self, rx: re.Pattern, text: str) -> bool:
        """False only when a screen decided that ``rx`` cannot match ``text``."""
        return self._decided(rx, text) is not False

    def search(self, rx: re.Pattern, text: str):
        return None if self._decided(rx, text) is False else rx.search(text)

    def findall(self, rx: re.Pattern, text: str) -> list:
        return [] if self._decided(rx, text) is False else rx.findall(text)

    def finditer(self, rx: re.Pattern, text: str):
        return iter(()) if self._decided(rx, text) is False else rx.finditer(text)


PLAIN = Matcher()
Slicer = Callable[[object], str]


def screen_batch(views: list, screens: list[tuple[re.Pattern, Slicer]]) -> list[Matcher]:
    """One matcher per record, knowing every (pattern, text) pair the batch screen decided. Slices of a
    field (``head``, ``tail``) are cut from one Arrow column of that field (Arrow slices by code point, as
    Python does), so each field's texts are converted once per batch, not once per slice."""
    screened: dict[re.Pattern, list] = {}
    batches: dict[Slicer, Batch] = {}
    fields: dict[str, tuple] = {}
    for rx, slicer in screens:
        batch = batches.get(slicer)
        if batch is None:
            batch = batches[slicer] = Batch([slicer(v) for v in views], _sliced(views, slicer, fields))
        may, sure = batch.may_match(rx)
        screened.setdefault(rx, []).append((batch.texts, may.tolist(), sure.tolist()))
    return [Matcher(screened, i) for i in range(len(views))]


def _sliced(views: list, slicer: Slicer, fields: dict) -> tuple | None:
    """The slicer's texts as an Arrow column cut from its field's column, or None for other slicers."""
    import pyarrow.compute as pc

    cut = getattr(slicer, "cut", None)
    if cut is None:
        return None
    field, start, stop = cut
    if field not in fields:
        fields[field] = _utf8([getattr(v, field) for v in views])
    arr, unscreened = fields[field]
    if start == 0 and stop is None:
        return arr, unscreened
    return pc.utf8_slice_codeunits(arr, start, stop), unscreened


@lru_cache(maxsize=None)
def head(field: str, chars: int | None = None) -> Slicer:
    """The slicer ``views.<field>[:chars]`` (one function object per slice, so batches share columns)."""
    def slicer(views):
        return getattr(views, field)[:chars]
    slicer.cut = (field, 0, chars)
    return slicer


@lru_cache(maxsize=None)
def tail(field: str, chars: int) -> Slicer:
    """The slicer ``views.<field>[-chars:]``."""
    def slicer(views):
        return getattr(views, field)[-chars:]
    slicer.cut = (field, -chars, None)
    return slicer
