"""The fast embedder: static token vectors distilled from a sentence-transformers model.

Distillation (the model2vec recipe, done here without a hub or an extra package):
every vocabulary token is run through the transformer on its own (``[CLS] token [SEP]``)
and mean-pooled; the vectors are centred and reduced by PCA; each token is weighted
by a smooth inverse frequency taken from its Zipf rank (word-piece vocabularies list
tokens roughly by frequency). A text's vector is the mean of its tokens' vectors.

Built once per source model (about 20 s on two cores), stored as plain ``.npy``
(loaded with ``allow_pickle=False``) next to the embedding cache with a sha256 check,
then embedding needs numpy and the Rust tokenizer only: no torch, thousands of texts
per second.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..fileutil import replacing, sha256_file
from .base import normalise_rows
from .chunk_tokens import ChunkTokenizer, bert_style

RECIPE = "static-v1"
DIM = 256
SIF = 1e-3
MAX_CHARS = 4000
MAX_TOKENS = 512


def _source_dir(model: str | None) -> Path:
    from .default_model import verified_default_model_dir

    if model is None:
        return verified_default_model_dir()
    path = Path(model)
    if not path.is_dir():
        raise ModelError(f"--embedder fast distils from a local sentence-transformers folder; '{model}' is not one "
                         "(pass a path, or use --embedder accurate for hub names)")
    return path


def _source_id(folder: Path, model: str | None) -> str:
    from .default_model import DEFAULT_MODEL, WEIGHTS_SHA256

    if model is None:
        return f"{DEFAULT_MODEL}@{WEIGHTS_SHA256[:16]}"
    weights = folder / "model.safetensors"
    digest = sha256_file(weights)[:16] if weights.is_file() else hashlib.sha256(
        str(folder.resolve()).encode()).hexdigest()[:16]
    return f"path:{folder.name}@{digest}"


def distill(folder: Path, dim: int = DIM, batch: int = 512) -> np.ndarray:
    """Token table (vocab, dim) float32 from the transformer in ``folder``."""
    return reduce_and_weight(token_outputs(folder, batch), dim)


def token_outputs(folder: Path, batch: int = 512) -> np.ndarray:
    """Each vocabulary token through the transformer alone, mean-pooled: (vocab, hidden) float32."""
    import torch
    from sentence_transformers import SentenceTransformer

    from .sentence_transformers import _quiet_hub

    _quiet_hub(False)
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    st = SentenceTransformer(str(folder), device="cpu")
    tok = st.tokenizer
    vocab = tok.get_vocab()
    size = max(vocab.values()) + 1
    cls_id, sep_id = tok.cls_token_id, tok.sep_token_id
    if cls_id is None or sep_id is None:
        cls_id = sep_id = None
    transformer = st[0].auto_model
    out = np.zeros((size, transformer.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, size, batch):
            ids = torch.arange(start, min(size, start + batch)).unsqueeze(1)
            if cls_id is not None:
                ids = torch.cat([torch.full_like(ids, cls_id), ids, torch.full_like(ids, sep_id)], dim=1)
            hidden = transformer(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
            out[start:start + ids.shape[0]] = hidden.mean(dim=1).float().numpy()
    return out


def reduce_and_weight(table: np.ndarray, dim: int = DIM) -> np.ndarray:
    """PCA to ``dim`` (deterministic SVD) and Zipf-rank smooth-inverse-frequency weights."""
    centred = table - table.mean(axis=0, keepdims=True)
    dim = min(dim, centred.shape[1])
    _, _, vt = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    comps = vt[:dim]
    comps *= np.sign(comps[np.arange(dim), np.abs(comps).argmax(axis=1)])[:, None]  # fixed signs
    reduced = centred @ comps.T
    rank = np.arange(1, table.shape[0] + 1, dtype=np.float64)
    prob = (1.0 / rank) / (1.0 / rank).sum()
    weights = SIF / (SIF + prob)
    return (reduced * weights[:, None]).astype(np.float32)


class StaticEmbedder:
    """``--embedder fast``: mean of distilled token vectors; distils on first use, then loads the table."""

    def __init__(self, model: str | None = None, store_dir: str | os.PathLike | None = None):
        self.model = model
        self.folder = _source_dir(model)
        self.model_id = f"{_source_id(self.folder, model)}/{RECIPE}-pca{DIM}"
        self.store_dir = Path(store_dir) if store_dir else None
        self._table: np.ndarray | None = None
        self._tok = None
        self._chunks: ChunkTokenizer | None = None
        self.built = False  # True when this instance had to distil
        self.cacheable = False  # embedding is as cheap as a cache lookup: the stage skips the cache

    # -- the token table ------------------------------------------------------------------------
    def _paths(self) -> tuple[Path, Path]:
        stem = hashlib.sha256(self.model_id.encode()).hexdigest()[:24]
        return self.store_dir / f"static-{stem}.npy", self.store_dir / f"static-{stem}.json"

    def _load_stored(self) -> np.ndarray | None:
        if self.store_dir is None:
            return None
        table_path, meta_path = self._paths()
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("model_id") != self.model_id or sha256_file(table_path) != meta.get("sha256"):
                return None
            table = np.load(table_path, allow_pickle=False)
            return table if table.dtype == np.float32 and table.ndim == 2 else None
        except (OSError, ValueError):
            return None

    def _store(self, table: np.ndarray) -> None:
        if self.store_dir is None:
            return
        table_path, meta_path = self._paths()
        try:
            self.store_dir.mkdir(parents=True, exist_ok=True)
            with replacing(table_path) as tmp, open(tmp, "wb") as fh:
                np.save(fh, table, allow_pickle=False)
            meta = {"model_id": self.model_id, "recipe": RECIPE, "dim": int(table.shape[1]),
                    "sha256": sha256_file(table_path)}
            meta_path.write_text(json.dumps(meta), encoding="utf-8")
        except OSError:
            pass  # a read-only cache folder only costs a rebuild next time

    def table(self) -> np.ndarray:
        if self._table is None:
            table = self._load_stored()
            if table is None:
                try:
                    table = distill(self.folder)
                except ImportError as exc:
                    raise ModelError(f"cannot import the embedding stack to distil the fast embedder: {exc}") from exc
                self.built = True
                self._store(table)
            self._table = table
        return self._table

    def tokenizer(self):
        if self._tok is None:
            from tokenizers import Tokenizer

            path = self.folder / "tokenizer.json"
            if not path.is_file():
                raise ModelError(f"{self.folder} has no tokenizer.json; the fast embedder needs a fast tokenizer")
            tok = Tokenizer.from_file(str(path))
            tok.no_padding()
            tok.no_truncation()
            self._tok = tok
        return self._tok

    def chunk_tokenizer(self) -> ChunkTokenizer:
        if self._chunks is None:
            self._chunks = ChunkTokenizer(self.tokenizer(), bert_style(self.folder / "tokenizer.json"))
        return self._chunks

    # -- embedding --------------------------------------------------------------------------------
    def embed(self, texts: list[str]) -> np.ndarray:
        table = self.table()
        if not texts:
            return np.zeros((0, table.shape[1]), dtype=np.float32)
        try:
            counts = self.chunk_tokenizer().counts([t[:MAX_CHARS] for t in texts], table.shape[0], MAX_TOKENS)
        except ValueError as exc:
            raise ModelError(f"tokenizer of {self.folder} does not fit the distilled table ({exc}); rebuild it") from exc
        out = np.asarray(counts @ table, dtype=np.float32)
        return normalise_rows(out)
