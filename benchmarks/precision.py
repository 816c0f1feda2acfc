"""Accurate-path numerics: fp32 vs bf16 (and batch sizes), speed and agreement, measured side by side.

Agreement with fp32: mean cosine between the two vectors of each text, and the overlap of each
text's 10 nearest neighbours. Texts: prompts and answers of real benign records (../shared/corpora)
when present, else generated records.

Run: .venv/bin/python -m benchmarks.precision [--texts 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from .corpus import generate
from .mixtures import CORPORA, read_records


def texts(n: int) -> tuple[list[str], str]:
    if (CORPORA / "benign").is_dir():
        recs, source = read_records(CORPORA / "benign"), "real benign corpora"
    else:
        path, _ = generate(n, Path(tempfile.mkdtemp()) / "g.jsonl")
        recs, source = read_records(path), "generated records"
    out = [t for r in recs for t in (r.views.prompt, r.views.answer) if t.strip()]
    rng = np.random.default_rng(0)
    return [out[i] for i in rng.choice(len(out), size=min(n, len(out)), replace=False)], source


def knn_overlap(a: np.ndarray, b: np.ndarray, k: int = 10) -> float:
    def nn(x):
        s = x @ x.T
        np.fill_diagonal(s, -np.inf)
        return np.argsort(-s, axis=1)[:, :k]
    na, nb = nn(a), nn(b)
    return float(np.mean([len(set(na[i]) & set(nb[i])) / k for i in range(len(a))]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", type=int, default=2000)
    args = ap.parse_args()
    from scanner.embed.sentence_transformers import SentenceTransformerEmbedder, native_bf16

    sample, source = texts(args.texts)
    runs = [("fp32", 32)] + ([("bf16", 32), ("bf16", 128)] if native_bf16() else [])
    results = {}
    for precision, batch in runs:
        emb = SentenceTransformerEmbedder(precision=precision, batch_size=batch)
        emb.embed(sample[:8])  # load the model outside the timing
        t = time.perf_counter()
        vecs = emb.embed(sample)
        results[(precision, batch)] = (vecs, time.perf_counter() - t)
    ref, ref_s = results[("fp32", 32)]
    print(f"{len(sample)} texts from the {source}\n")
    print("| precision | batch | texts/s | speed vs fp32 | mean cosine to fp32 | min cosine | 10-NN overlap |")
    print("|---|---|---|---|---|---|---|")
    for (precision, batch), (vecs, secs) in results.items():
        cos = np.sum(vecs * ref, axis=1)
        print(f"| {precision} | {batch} | {len(sample) / secs:.1f} | {ref_s / secs:.2f}x | {cos.mean():.5f} | "
              f"{cos.min():.4f} | {knn_overlap(vecs, ref):.3f} |")


if __name__ == "__main__":
    main()
