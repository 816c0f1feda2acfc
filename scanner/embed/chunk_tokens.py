"""Token counts of many texts through a memo of whitespace-delimited chunks: the same counts as the
tokenizer on each whole text, several times faster on real data (words repeat across records).

This holds for BERT-style tokenizers only (``BertNormalizer`` + ``BertPreTokenizer`` + ``WordPiece``):
their normaliser works one character at a time and their pre-tokeniser splits at every space, tab,
newline and carriage return, so a chunk between two of those is tokenised the same alone as in its
text. Other whitespace (no-break spaces, ideographic spaces, ...) stays inside the chunk, where the
tokenizer itself splits it. For any other tokenizer (SentencePiece, byte-level BPE: spaces are part
of tokens there) ``ChunkTokenizer.usable`` is false and whole texts are tokenised.
"""

from __future__ import annotations

import json
import re
from itertools import chain
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import csr_matrix

WHITESPACE = " \t\n\r"
SPLIT = re.compile(r"[ \t\n\r]+")
MAX_MEMO = 500_000  # chunks kept (~100 MB); the memo starts over beyond it (results never depend on it)


def bert_style(tokenizer_json: Path) -> bool:
    """True when the tokenizer's pipeline splits at ASCII whitespace before anything else sees it."""
    try:
        cfg = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    normalizer, pre = cfg.get("normalizer") or {}, cfg.get("pre_tokenizer") or {}
    added = [t.get("content", "") for t in cfg.get("added_tokens") or []]
    return (normalizer.get("type") == "BertNormalizer" and pre.get("type") == "BertPreTokenizer"
            and (cfg.get("model") or {}).get("type") == "WordPiece"
            and all(a and not SPLIT.search(a) for a in added))


def _csr(lengths: np.ndarray, flat: np.ndarray, shape: tuple[int, int]) -> csr_matrix:
    """Rows of column indices (``lengths`` of them each, concatenated in ``flat``; repeats add up) as counts."""
    if flat.size and int(flat.max()) >= shape[1]:
        raise ValueError(f"token id {int(flat.max())} beyond a vocabulary of {shape[1]}")
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    return csr_matrix((np.ones(flat.size, dtype=np.float32), flat, indptr), shape=shape)


def _flatten(rows: list) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    return lengths, np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))


class ChunkTokenizer:
    """``counts(texts, vocab, max_tokens)``: (texts, vocab) token counts of each text's first ``max_tokens``
    tokens (no special tokens), exactly as ``tokenizer.encode`` gives them."""

    def __init__(self, tokenizer, usable: bool):
        self.tokenizer = tokenizer
        self.usable = usable
        self.memo: dict[str, list[int]] = {}

    def _encode(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(texts, add_special_tokens=False)]

    def counts(self, texts: list[str], vocab: int, max_tokens: int) -> csr_matrix:
        if not self.usable:
            return _csr(*_flatten([ids[:max_tokens] for ids in self._encode(texts)]), (len(texts), vocab))
        per_text, where, chunks = _chunk_ids(texts)
        memo = self.memo
        new = [c for c in chunks if c not in memo]
        if new:
            if len(memo) + len(new) > MAX_MEMO:   # start over, keeping what this batch needs
                memo = self.memo = {c: memo[c] for c in chunks if c in memo}
            memo.update(zip(new, self._encode(new)))
        pieces = [memo[c] for c in chunks]
        out = (_csr(per_text, where, (len(texts), len(chunks))) @ _csr(*_flatten(pieces), (len(chunks), vocab))).tocsr()
        lengths = np.asarray(out.sum(axis=1)).ravel()
        over = np.flatnonzero(lengths > max_tokens)
        if len(over):  # rare: those rows rebuilt from their first max_tokens ids
            starts = np.concatenate([[0], np.cumsum(per_text)])
            kept = [list(chain.from_iterable(pieces[i] for i in where[starts[r]:starts[r + 1]]))[:max_tokens]
                    for r in over]
            fix = _csr(*_flatten(kept), (len(over), vocab))
            keep = np.ones(len(texts), dtype=bool)
            keep[over] = False
            out = out.multiply(keep[:, None]).tocsr()
            out = out + csr_matrix((np.ones(len(over), dtype=np.float32), (over, np.arange(len(over)))),
                                   shape=(len(texts), len(over))) @ fix
        return out.tocsr()


def _chunk_ids(texts: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Chunks per text, each chunk's position among the distinct chunks (concatenated), the distinct chunks.
    Split, flattened and hashed by Arrow; in Python for texts Arrow cannot hold (lone surrogates)."""
    try:
        # every tab, newline and carriage return made a space, then a literal split at spaces (three times
        # faster than a regular expression); runs of whitespace leave empty pieces, dropped here
        spaced = pa.array(texts, type=pa.large_string())
        for ch in WHITESPACE[1:]:
            spaced = pc.replace_substring(spaced, ch, " ")
        split = pc.split_pattern(spaced, " ")
        flat = pc.list_flatten(split)
        kept = pc.greater(pc.binary_length(flat), 0)
        parents = pc.list_parent_indices(split).to_numpy(zero_copy_only=False)
        per_text = np.bincount(parents[kept.to_numpy(zero_copy_only=False)], minlength=len(texts)).astype(np.int64)
        coded = pc.dictionary_encode(pc.filter(flat, kept))
        return per_text, coded.indices.to_numpy(zero_copy_only=False).astype(np.int64), coded.dictionary.to_pylist()
    except (pa.ArrowException, UnicodeError):
        return _chunk_ids_python(texts)


def _chunk_ids_python(texts: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    rows = [[c for c in SPLIT.split(t) if c] for t in texts]   # no chunk for an empty text, as above
    flat = list(chain.from_iterable(rows))
    chunks = list(dict.fromkeys(flat))
    position = {c: i for i, c in enumerate(chunks)}
    per_text = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    return per_text, np.fromiter(map(position.__getitem__, flat), dtype=np.int64, count=len(flat)), chunks
