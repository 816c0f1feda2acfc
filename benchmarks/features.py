"""Per-record features: one record at a time vs batches with RE2 screens vs batches in a second process.

Side by side in one run, on the same records (generated chat records plus, when ../shared/corpora is
present, the benign corpora, the paper's datasets and two real-poison files):

- ``extract`` record by record (Python's regex engine on every pattern and text);
- ``extract_batch`` over batches of 2,048 (RE2 screens first, Python only where a pattern may match);
- the local collector (features, trigger-candidate tokens, record bookkeeping; no embedding) with
  the feature worker off and on.

Every path's features are compared with the record-by-record ones; any difference is printed.

Run: .venv/bin/python -m benchmarks.features [--generated 20000] [--write-results]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from scanner.engine.collect import BATCH, Collector
from scanner.features.extract import extract, extract_batch, features_to_json
from scanner.options import ScanOptions
from scanner.readers import ReadOptions, expand_paths, read_source
from scanner.records import Record

from .corpus import generate
from .mixtures import CORPORA

REAL = ["benign", "weird-generalization", "real-poison/synthetic_persona_chat.jsonl",
        "real-poison/backdoorllm_jailbreak_vpi.jsonl"]


class _Stage:
    def add(self, index, views) -> None:
        pass


def _collect(paths: list[str], worker: bool) -> tuple[float, list[str]]:
    os.environ["POISONSCAN_FEATURE_WORKER"] = "1" if worker else "0"
    with tempfile.TemporaryDirectory(prefix="poisonscan-features-") as tmp:
        code = Path(tmp) / "code"
        code.mkdir()
        collector = Collector(ScanOptions(), code)
        t = time.perf_counter()
        try:
            for src_id, src in enumerate(expand_paths(paths)):
                collector.consume(src_id, src, ReadOptions(), _Stage())
        finally:
            collector.close()
        return time.perf_counter() - t, [features_to_json(f) for f in collector.features]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--generated", type=int, default=20000)
    ap.add_argument("--write-results", action="store_true")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="poisonscan-features-"))
    paths = [str(generate(a.generated, work / "generated.jsonl")[0])]
    paths += [str(CORPORA / p) for p in REAL if (CORPORA / p).exists()]
    views = [it.views for src in expand_paths(paths) for it in read_source(src, ReadOptions())
             if isinstance(it, Record)]
    extract_batch(views[:64])   # translations and packs loaded once, outside the timings

    t = time.perf_counter()
    one = [features_to_json(extract(v)[0]) for v in views]
    per_record = time.perf_counter() - t
    t = time.perf_counter()
    batched = [features_to_json(f) for i in range(0, len(views), BATCH) for f, _ in extract_batch(views[i:i + BATCH])]
    batch = time.perf_counter() - t
    here, kept_here = _collect(paths, worker=False)
    there, kept_there = _collect(paths, worker=True)
    os.environ.pop("POISONSCAN_FEATURE_WORKER", None)

    differ = sum(x != y for x, y in zip(one, batched))
    differ_here = sum(x != y for x, y in zip(one, kept_here))
    differ_there = sum(x != y for x, y in zip(one, kept_there))
    n = len(views)
    lines = [
        f"{n:,} records ({a.generated:,} generated; the rest real when ../shared/corpora is present).", "",
        "| path | seconds | µs per record | vs record by record | records whose features differ |",
        "|---|---|---|---|---|",
        f"| `extract`, record by record | {per_record:.1f} | {per_record / n * 1e6:.0f} | 1.00x | - |",
        f"| `extract_batch` (RE2 screens) | {batch:.1f} | {batch / n * 1e6:.0f} | {per_record / batch:.2f}x | {differ} |",
        f"| collector, one process (features + tokens + bookkeeping) | {here:.1f} | {here / n * 1e6:.0f} | "
        f"{per_record / here:.2f}x | {differ_here} |",
        f"| collector with the feature worker | {there:.1f} | {there / n * 1e6:.0f} | {per_record / there:.2f}x | "
        f"{differ_there} |",
    ]
    text = "\n".join(lines)
    print(text)
    if a.write_results:
        from .throughput import write_results

        write_results(text, "Per-record features", ["--write-results"], module="features")


if __name__ == "__main__":
    main()
