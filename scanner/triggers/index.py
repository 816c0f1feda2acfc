"""Inverted index of prompt candidates, filled while records stream by.

Every distinct token gets a small integer id (first seen, first numbered: deterministic for a
given record order). A candidate key is one uint64: up to three 20-bit token ids and a 2-bit
kind (anywhere in the system or user prompt, at the start of the prompt, at its end, a whole
phrase). Keys are appended, a block of records at a time, to one of 16 hash buckets; above
``SPILL_AT`` postings the buckets go to scratch files. At the end each bucket is sorted once,
a key a record carries twice counts once, and only keys carried by ``min_support`` to
``max_count`` records are kept, as a CSR table (key -> sorted record indices).
"""

from __future__ import annotations

import time
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..features.tokens import BREAK, render

ID_BITS = 20
MAX_ID = (1 << ID_BITS) - 1          # later new tokens are not indexed (documented limit)
KINDS = ("ngram", "lead", "trail", "phrase")
KIND_SHIFT = 60
BUCKETS = 16
BLOCK = 4096
SPILL_AT = 20_000_000
_MIX = np.uint64(0x9E3779B97F4A7C15)
_MASK = (1 << ID_BITS) - 1


def pack(ids: tuple[int, ...], kind: int) -> int:
    key = 0
    for i in ids:
        key = (key << ID_BITS) | i
    return key | (kind << KIND_SHIFT)


def unpack(key: int) -> tuple[list[int], str]:
    kind = KINDS[key >> KIND_SHIFT]
    body = key & ((1 << KIND_SHIFT) - 1)
    ids = []
    while body:
        ids.append(body & _MASK)
        body >>= ID_BITS
    return ids[::-1], kind


@dataclass
class Candidates:
    """Keys carried by between ``min_support`` and ``max_count`` records, and who carries them."""

    keys: np.ndarray        # (c,) uint64, ascending
    offsets: np.ndarray     # (c + 1,) int64
    records: np.ndarray     # postings, int32, ascending within each key
    vocab: list[str]

    def __len__(self) -> int:
        return len(self.keys)

    def carriers(self, c: int) -> np.ndarray:
        return self.records[self.offsets[c]:self.offsets[c + 1]]

    def support(self) -> np.ndarray:
        return np.diff(self.offsets)

    def posting_candidates(self) -> np.ndarray:
        """The candidate number of every posting (aligned with ``records``)."""
        return np.repeat(np.arange(len(self.keys), dtype=np.int64), self.support())

    def restrict(self, min_support: int, max_count: int) -> "Candidates":
        """The candidates whose support lies in ``min_support``..``max_count``."""
        support = self.support()
        ok = np.flatnonzero((support >= min_support) & (support <= max_count))
        if len(ok) == len(self.keys):
            return self
        parts = [self.carriers(c) for c in ok]
        records = np.concatenate(parts) if parts else np.zeros(0, np.int32)
        offsets = np.concatenate([[0], np.cumsum(support[ok])]).astype(np.int64)
        return Candidates(self.keys[ok], offsets, records, self.vocab)

    def describe(self, c: int) -> dict:
        ids, kind = unpack(int(self.keys[c]))
        toks = [self.vocab[i] for i in ids]
        if kind == "phrase":
            where, text = toks[0].split(":", 1)
            return {"kind": where, "text": text, "tokens": [text]}
        return {"kind": kind, "text": render(toks), "tokens": toks}


class CandidateIndex:
    def __init__(self, scratch: Path | None = None):
        self.vocab: dict[str, int] = {BREAK: 0}
        self.names: list[str] = [BREAK]
        self.scratch = scratch
        self._flat = array("q")            # token ids of the current block, 0 after each text
        self._seq_rec = array("q")         # the record of each text in ``_flat`` ...
        self._seq_len = array("q")         # ... and its length there (the 0 after it included)
        self._prompt_at = array("q")       # where each prompt starts in ``_flat``, its length and its record
        self._prompt_len = array("q")      # (leading and trailing spans are cut from these at ``_flush``)
        self._prompt_rec = array("q")
        self._extra = array("Q")           # lead/trail/phrase keys of the current block
        self._extra_rec = array("q")
        self._records = 0
        self._buckets: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(BUCKETS)]
        self._held = 0
        self._spilled: list[list[Path]] = [[] for _ in range(BUCKETS)]
        self.seconds = 0.0                 # time spent indexing and finishing (reported in the scan stats)

    def _id(self, tok: str) -> int:
        i = self.vocab.get(tok)
        if i is None:
            if len(self.names) > MAX_ID:
                return 0
            i = self.vocab[tok] = len(self.names)
            self.names.append(tok)
        return i

    def add(self, index: int, toks: dict) -> None:
        """Index one record's ``record_tokens`` output under record ``index``."""
        started = time.perf_counter()
        self._add(index, toks)
        self.seconds += time.perf_counter() - started

    def _add(self, index: int, toks: dict) -> None:
        ids_of, known = self._id, self.vocab.get
        flat = self._flat
        for where in ("system", "prompt"):
            seq = [known(t) or ids_of(t) for t in toks.get(where, ())]   # a known token's id without a call
            if not seq:
                continue
            if where == "prompt":
                self._prompt_at.append(len(flat))
                self._prompt_len.append(len(seq))
                self._prompt_rec.append(index)
            flat.extend(seq)
            flat.append(0)
            self._seq_rec.append(index)
            self._seq_len.append(len(seq) + 1)
        for phrase in toks.get("phrases", ()):
            i = ids_of(phrase)
            if i:
                self._extra.append(pack((i,), 3))
                self._extra_rec.append(index)
        self._records += 1
        if self._records % BLOCK == 0:
            self._flush()

    def _spans(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Keys of each prompt's leading and trailing 1-3 token spans (``pack(span, 1 or 2)``, spans holding an
        unindexed token left out) and their records, for the whole block at once."""
        at, length = np.frombuffer(self._prompt_at, dtype=np.int64), np.frombuffer(self._prompt_len, dtype=np.int64)
        rec = np.frombuffer(self._prompt_rec, dtype=np.int64)
        keys, recs = [], []
        for width in (1, 2, 3):
            long_enough = length >= width
            for kind, start in ((1, at), (2, at + length - width)):
                start = start[long_enough]
                ids = np.stack([flat[start + j] for j in range(width)], axis=1)
                key = np.zeros(len(start), dtype=np.uint64)
                for j in range(width):
                    key = (key << np.uint64(ID_BITS)) | ids[:, j]
                whole = (ids > 0).all(axis=1)
                keys.append(key[whole] | np.uint64(kind << KIND_SHIFT))
                recs.append(rec[long_enough][whole])
        return keys, recs

    def _flush(self) -> None:
        if not self._flat and not self._extra:
            return
        flat = np.frombuffer(self._flat, dtype=np.int64).astype(np.uint64)
        rec = np.repeat(np.frombuffer(self._seq_rec, dtype=np.int64), np.frombuffer(self._seq_len, dtype=np.int64))
        keys, recs = [np.frombuffer(self._extra, dtype=np.uint64)], [np.frombuffer(self._extra_rec, dtype=np.int64)]
        span_keys, span_recs = self._spans(flat)
        keys += span_keys
        recs += span_recs
        if len(flat):
            keys.append(flat[flat > 0])
            recs.append(rec[flat > 0])
            a, b = flat[:-1], flat[1:]
            ok = (a > 0) & (b > 0)
            keys.append((a[ok] << np.uint64(ID_BITS)) | b[ok])
            recs.append(rec[:-1][ok])
        k, r = np.concatenate(keys), np.concatenate(recs).astype(np.int32)   # a key twice in a record: see _finish
        bucket = ((k * _MIX) >> np.uint64(60)).astype(np.int64)
        for b in range(BUCKETS):
            sel = bucket == b
            if sel.any():
                self._buckets[b].append((k[sel], r[sel]))
        self._held += len(k)
        self._flat, self._extra, self._extra_rec = array("q"), array("Q"), array("q")
        self._seq_rec, self._seq_len = array("q"), array("q")
        self._prompt_at, self._prompt_len, self._prompt_rec = array("q"), array("q"), array("q")
        if self._held > SPILL_AT and self.scratch is not None:
            self._spill()

    def _spill(self) -> None:
        for b in range(BUCKETS):
            if not self._buckets[b]:
                continue
            k = np.concatenate([x for x, _ in self._buckets[b]])
            r = np.concatenate([y for _, y in self._buckets[b]])
            path = Path(self.scratch) / f"cand-{b}-{len(self._spilled[b])}.npz"
            np.savez(path, k=k, r=r)
            self._spilled[b].append(path)
            self._buckets[b] = []
        self._held = 0

    def _bucket(self, b: int) -> tuple[np.ndarray, np.ndarray]:
        parts = list(self._buckets[b])
        for path in self._spilled[b]:
            with np.load(path, allow_pickle=False) as z:
                parts.append((z["k"], z["r"]))
        if not parts:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32)
        return np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])

    def finish(self, min_support: int, max_count: int) -> Candidates:
        """Keys carried by ``min_support``..``max_count`` records (the buffers are released)."""
        started = time.perf_counter()
        try:
            return self._finish(min_support, max_count)
        finally:
            self.seconds += time.perf_counter() - started

    def _finish(self, min_support: int, max_count: int) -> Candidates:
        self._flush()
        out_k, out_r, out_n = [], [], []
        for b in range(BUCKETS):
            k, r = self._bucket(b)
            self._buckets[b] = []
            if not len(k):
                continue
            order = np.lexsort((r, k))
            k, r = k[order], r[order]
            once = np.ones(len(k), dtype=bool)     # a record carrying a key more than once counts once
            once[1:] = (k[1:] != k[:-1]) | (r[1:] != r[:-1])
            k, r = k[once], r[once]
            uniq, start, count = np.unique(k, return_index=True, return_counts=True)
            ok = (count >= min_support) & (count <= max_count)
            if not ok.any():
                continue
            take = np.repeat(ok, count)
            out_k.append(uniq[ok])
            out_n.append(count[ok])
            out_r.append(r[take])
        if not out_k:
            return Candidates(np.zeros(0, np.uint64), np.zeros(1, np.int64), np.zeros(0, np.int32), self.names)
        keys, counts = np.concatenate(out_k), np.concatenate(out_n)
        recs = np.concatenate(out_r)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        order = np.argsort(keys, kind="stable")
        records = np.concatenate([recs[starts[c]:starts[c] + counts[c]] for c in order])
        offsets = np.concatenate([[0], np.cumsum(counts[order])]).astype(np.int64)
        return Candidates(keys[order], offsets, records.astype(np.int32), self.names)
