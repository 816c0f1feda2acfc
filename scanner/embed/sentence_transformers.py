"""sentence-transformers embedder: offline by default, fp32 unless bf16 is asked for (or chosen, see below).

``auto`` is fp32 for the full transformer pass (the reference path): on CPUs with native bf16
(AVX512-BF16, AMX) the bf16 kernels round differently for different batch sizes, so in shared batches a
text's vector would depend on what else was embedded with it, and cold, warm and partly warm caches would
disagree (measured: up to 5e-4 per coordinate). The same holds, a thousand times smaller (2e-7), for fp32
with batches of different shapes on such CPUs: by default every text has a pass of its own (see ``embed``).
With a pass of its own, a text's shape is its own in bf16 too, so its vector is fixed whatever else is
embedded: the cascade, which embeds a few thousand texts on demand, takes ``auto`` as bf16 where the CPU
runs bf16 natively (``prefer_bf16``; 1.6x fp32's texts/s measured on AMX, cosine to fp32 >= 0.9999). bf16 passes
run on one torch thread each, one thread of passes per core (``_threaded_passes``)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..torch_threads import on_threads
from .base import normalise_rows
from .default_model import DEFAULT_MODEL, WEIGHTS_SHA256, verified_default_model_dir

MAX_CHARS = 2000  # MiniLM reads 256 word pieces; longer text only costs tokenizer time


def resolve_precision(precision: str, prefer_bf16: bool = False) -> str:
    """``auto`` is fp32, or bf16 when ``prefer_bf16`` and the CPU has native bf16 arithmetic."""
    if precision not in ("auto", "fp32", "bf16"):
        raise ModelError(f"unknown precision '{precision}' (choose auto, fp32 or bf16)")
    if precision == "auto":
        return "bf16" if prefer_bf16 and native_bf16() else "fp32"
    return precision


CPUINFO = Path("/proc/cpuinfo")
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def native_bf16() -> bool:
    """The CPU multiplies bf16 natively (AVX512-BF16 or AMX): elsewhere bf16 is emulated and slower than fp32.

    Read from the kernel's CPU flags where it lists them (Linux), so that a scan that embeds nothing (every
    vector cached) never imports torch (~0.7 s); elsewhere torch's own probes answer."""
    flags = cpu_flags()
    if flags is not None:
        return bool(flags & BF16_FLAGS)
    try:
        import torch.cpu

        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except Exception:  # noqa: BLE001 - an older torch without these probes, or no torch: fp32
        return False


def cpu_flags(cpuinfo: Path | None = None) -> frozenset[str] | None:
    """The first processor's flags in ``cpuinfo`` (``/proc/cpuinfo``), or None where there is no such file or line."""
    try:
        with open(cpuinfo or CPUINFO, encoding="ascii", errors="replace") as f:
            for line in f:
                key, sep, value = line.partition(":")
                if sep and key.strip() == "flags":
                    return frozenset(value.split())
    except OSError:
        return None
    return None


def _quiet_hub(allow_download: bool) -> None:
    if not allow_download:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class SentenceTransformerEmbedder:
    """Embeds with any sentence-transformers model; loads it only when a text must be embedded."""

    def __init__(self, model: str | None = None, precision: str = "auto", batch_size: int = 1,
                 allow_download: bool = False, prefer_bf16: bool = False):
        """``prefer_bf16``: ``auto`` means bf16 on a CPU with native bf16, when every text has its own pass."""
        self.model = model
        self.precision = resolve_precision(precision, prefer_bf16 and batch_size == 1)
        self.batch_size = batch_size
        self.allow_download = allow_download
        self._st = None
        self.model_id = self._model_id()

    def _model_id(self) -> str:
        if self.model is None:
            name = f"{DEFAULT_MODEL}@{WEIGHTS_SHA256[:16]}"
        elif Path(self.model).exists():
            name = f"path:{Path(self.model).resolve()}"
        else:
            name = f"hub:{self.model}"
        passes = "one-text-passes" if self.batch_size == 1 else f"full-equal-length-batches-of-{self.batch_size}"
        if self.batch_size == 1 and self.precision == "bf16":
            passes += "-one-thread"   # bf16 rounds by thread count: these vectors are not the former ones
        return f"{name}/{self.precision}/chars{MAX_CHARS}/{passes}"

    def _load(self):
        if self._st is not None:
            return self._st
        _quiet_hub(self.allow_download)
        source = str(verified_default_model_dir()) if self.model is None else self.model
        try:
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
            torch.set_num_threads(max(1, os.cpu_count() or 1))
            st = SentenceTransformer(source, device="cpu")
            if self.precision == "bf16":
                st = st.to(torch.bfloat16)
        except ImportError as exc:
            raise ModelError(f"cannot import the embedding stack: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - any loading failure becomes one clear line
            hint = "" if self.allow_download or Path(source).exists() else \
                " (it is not in the local cache; pass a local path, or --allow-download to fetch it)"
            raise ModelError(f"cannot load embedding model '{source}': {str(exc).splitlines()[0][:200]}{hint}") from exc
        self._st = st
        return st

    def embed(self, texts: list[str]) -> np.ndarray:
        """One transformer pass per text by default (``batch_size`` 1): a pass's shape is the text's own token
        length, so a text's vector is bit-identical whatever else is embedded with it, in any position
        (measured), cold, warm and partly warm caches and any file order agree, and no work goes to padding
        (2.35x the former full batches of 8 on a mix of 189 token lengths, measured). With ``batch_size`` > 1,
        texts of equal token length share full passes (a short batch repeats its own texts), which pays only
        when many texts have the same length. On some CPUs (AVX-512 kernels) matrix products round
        differently for different shapes; this is why passes never mix shapes."""
        st = self._load()
        clipped = [t[:MAX_CHARS] for t in texts]
        if not clipped:
            return np.zeros((0, 384), dtype=np.float32)
        if self.batch_size == 1:
            return normalise_rows(self._one_by_one(st, clipped))
        limit = st.max_seq_length
        lengths = [min(len(ids), limit) for ids in
                   st.tokenizer(clipped, truncation=True, max_length=limit, add_special_tokens=True)["input_ids"]]
        groups: dict[int, list[int]] = {}
        for i, n in enumerate(lengths):
            groups.setdefault(n, []).append(i)
        out: np.ndarray | None = None
        for n in sorted(groups):
            idx = groups[n]
            for start in range(0, len(idx), self.batch_size):
                chunk = idx[start:start + self.batch_size]
                # always a full batch (the chunk's own texts repeated): one shape per token length
                batch = [clipped[chunk[k % len(chunk)]] for k in range(self.batch_size)]
                vectors = st.encode(batch, batch_size=self.batch_size, show_progress_bar=False,
                                    convert_to_numpy=False, convert_to_tensor=True)
                rows = vectors.float().cpu().numpy()[:len(chunk)]
                if out is None:
                    out = np.zeros((len(texts), rows.shape[1]), dtype=np.float32)
                out[chunk] = rows
        return normalise_rows(out)

    def _one_by_one(self, st, texts: list[str]) -> np.ndarray:
        """One pass per text. In bf16 every pass runs on one thread, and the texts are shared among as many
        threads as there are cores (``_threaded_passes``); in fp32 (the reference) passes use torch's threads."""
        import torch

        tokenize = st.preprocess if hasattr(st, "preprocess") else st.tokenize
        features = [tokenize([text]) for text in texts]   # here: a fast tokenizer must not be shared by threads
        rows: list = [None] * len(texts)

        def run(part) -> None:
            with torch.inference_mode():
                for i in part:
                    rows[i] = st.forward(features[i])["sentence_embedding"].float().cpu().numpy()[0]

        if self.precision == "bf16":
            _threaded_passes(run, len(texts))
        else:
            run(range(len(texts)))
        return np.stack(rows).astype(np.float32)


def _threaded_passes(run, n: int) -> None:
    """``run`` over the indices 0..n-1 split among one thread per core, each pass on one torch thread.

    bf16 kernels round differently for different thread counts, so a pass's thread count is fixed (one): a
    text's vector stays the same whatever else is embedded and whichever thread embeds it. On this 2-core
    machine (AMX), 240 answers of the generated corpus: 72 texts/s one at a time with 2 torch threads, 79/s
    with 1, 96/s on two threads of one (benchmarks/RESULTS.md)."""
    cores = max(1, os.cpu_count() or 1)
    on_threads(run, [range(t, n, cores) for t in range(min(cores, n))])
