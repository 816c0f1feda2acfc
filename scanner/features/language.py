"""A cheap language guess: the writing system, and for Latin script the language whose most
frequent function words dominate (English, German, French, Spanish, Italian, Portuguese, Dutch,
Polish, Swedish, Turkish). Enough to tell when an answer is not in its prompt's language.

Function-word lists: the most frequent words of each language (general knowledge; compare the
Leipzig Corpora Collection frequency lists), restricted to words that are rare in the others.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[^\W\d_]+")
STOPWORDS = {
    "en": "the and of to is in that it you for with are this was have not be on as what they but from",
    "de": "der die und das ist nicht ich sie es mit den ein eine zu auf dem sich auch wie für von wir bei",
    "fr": "le la les et est une des du pas je vous que qui dans pour sur avec au ce il ne sont mais",
    "es": "el la los las y es una que del por para con su lo como pero más muy yo está son hay",
    "it": "il la le e è che di un una per con non sono gli della mi ho anche come ma questo",
    "pt": "o a os as e é um uma que do da não com para em por mais você eu está são muito",
    "nl": "de het een en van is dat niet ik je op te zijn met voor maar ook wat er",
    "pl": "i w nie się na jest że to z do jak ale co tak jestem mam czy być",
    "sv": "och det att i en är som på för med jag inte har av till den men",
    "tr": "ve bir bu da de için ne ile çok ben sen mi değil var olarak gibi",
}
_SETS = {lang: frozenset(words.split()) for lang, words in STOPWORDS.items()}
_LANGS_OF: dict[str, list[str]] = {}   # function word -> the languages listing it (one lookup per word)
for _lang, _words in _SETS.items():
    for _w in _words:
        _LANGS_OF.setdefault(_w, []).append(_lang)
SCRIPTS = [
    ("cyrillic", re.compile(r"[\u0400-\u04FF]")), ("greek", re.compile(r"[\u0370-\u03FF]")),
    ("arabic", re.compile(r"[\u0600-\u06FF]")), ("hebrew", re.compile(r"[\u0590-\u05FF]")),
    ("cjk", re.compile(r"[\u3040-\u30FF\u4E00-\u9FFF]")), ("hangul", re.compile(r"[\uAC00-\uD7AF]")),
    ("devanagari", re.compile(r"[\u0900-\u097F]")), ("thai", re.compile(r"[\u0E00-\u0E7F]")),
]
ANY_SCRIPT = re.compile("|".join(rx.pattern for _, rx in SCRIPTS))
UNDETERMINED = "und"
_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_NON_LETTERS = bytes(c for c in range(128) if c not in _LETTERS)
_LETTERS_ELSE_SPACE = bytes(c if c in _LETTERS else 32 for c in range(256))


def _ascii_words(sample: str) -> tuple[int, list[str]]:
    """(letters, lower-cased letter runs) of ASCII text: byte-table translations instead of a regex."""
    raw = sample.encode("ascii")
    letters = len(raw.translate(None, _NON_LETTERS))
    return letters, raw.lower().translate(_LETTERS_ELSE_SPACE).decode("ascii").split()


def guess(text: str, max_chars: int = 600) -> str:
    """A language code, a script name, or ``und`` when the text is too short or mixed to tell."""
    sample = text[:max_chars]
    if sample.isascii():
        letters, words = _ascii_words(sample)
        if letters < 8:
            return UNDETERMINED
    else:
        letters = sum(map(str.isalpha, sample))
        if letters < 8:
            return UNDETERMINED
        if ANY_SCRIPT.search(sample):   # the scripts below are all outside ASCII
            for name, rx in SCRIPTS:
                if len(rx.findall(sample)) >= 0.3 * letters:
                    return name
        words = [w.lower() for w in WORD.findall(sample)]
    words = words[:80]
    if len(words) < 3:
        return UNDETERMINED
    counts = dict.fromkeys(_SETS, 0)
    for w in filter(_LANGS_OF.__contains__, words):   # most words are not function words
        for lang in _LANGS_OF[w]:
            counts[lang] += 1
    ordered = sorted(counts.values(), reverse=True)
    best, second = ordered[0], ordered[1]
    if best >= 2 and best >= 1.5 * second:   # then only one language has ``best``
        return next(lang for lang, c in counts.items() if c == best)
    return UNDETERMINED
