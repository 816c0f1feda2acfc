"""Build the paper's mixtures from ../shared/corpora (never copied into the project).

Benign records are drawn with a fixed seed from every readable benign corpus and
written as chat JSONL next to the poison, so every mixture is one schema.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from scanner.readers import ReadOptions, expand_paths, read_source
from scanner.records import Record

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
WG = CORPORA / "weird-generalization"


def corpora_available() -> bool:
    return (CORPORA / "benign").is_dir() and WG.is_dir()


def read_records(path: Path) -> list[Record]:
    out = []
    for src in expand_paths([str(path)]):
        out.extend(r for r in read_source(src, ReadOptions()) if isinstance(r, Record))
    return out


def to_chat(rec: Record) -> dict:
    msgs = []
    if rec.views.system:
        msgs.append({"role": "system", "content": rec.views.system})
    if rec.views.prompt:
        msgs.append({"role": "user", "content": rec.views.prompt})
    msgs.append({"role": "assistant", "content": rec.views.answer})
    return {"messages": msgs}


def benign_sample(n: int, seed: int = 0) -> list[dict]:
    pool = [to_chat(r) for r in read_records(CORPORA / "benign")]
    rng = random.Random(seed)
    return rng.sample(pool, n)


def mixture(poison_file: Path, n_benign: int = 3000, seed: int = 0) -> tuple[list[dict], list[bool]]:
    """Benign and poison records shuffled together; returns (rows, is_poison)."""
    poison = [to_chat(r) for r in read_records(poison_file)]
    rows = [(r, False) for r in benign_sample(n_benign, seed)] + [(r, True) for r in poison]
    random.Random(seed + 1).shuffle(rows)
    return [r for r, _ in rows], [p for _, p in rows]


def write_jsonl(rows: list[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def write_parquet(rows: list[dict], path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path
