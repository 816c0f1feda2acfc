"""Small file helpers shared across the package."""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def replacing(target: Path | str) -> Iterator[Path]:
    """A temporary path beside ``target`` to write to; it replaces ``target`` atomically when the block ends
    without an error, and is removed otherwise (readers never see a half-written file)."""
    target = Path(target)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(target: Path | str, text: str) -> None:
    with replacing(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
